// The core's memory ports (docs/nic-isa.md section 7): the k-th memory operation of the issued
// bundle, in lane order, uses port k (a valid bundle has at most MemPorts of them). A port
// carries one access of up to 8 bytes; the memory answers a read in the same cycle and takes a
// write at the end of the cycle, after every read of the bundle.
//
// What the memory's answer (rdata_i, map_fault_i) decides is computed where it is stored, in
// clocked blocks: the write data (a read-modify-write's from the old value) for the retire record
// in nic_core, a load's value in the lane's writeback pipeline. A simulator evaluates logic an
// input reaches outside clocked blocks with the inputs and once more after every clock edge;
// only the map fault, which ends the bundle in its issue cycle, is combinational here (one term
// per port). lane_rdata_o, each memory lane's read data in the issue cycle, is for waveforms:
// nothing else reads it.

module nic_lsu #(
  parameter int unsigned Lanes    = 4,
  parameter int unsigned MemPorts = 2,
  localparam int unsigned PortW = (MemPorts > 1) ? $clog2(MemPorts) : 1
) (
  input  logic                        issue_i,
  input  logic [Lanes*nic_pkg::SlotCtlBits-1:0] ctl_i,  // the decoded slots
  // The lane -> port map of the bundle (computed by nic_top as the image is loaded): lane l's
  // memory operation has a port (has_port_i[l]), port_of_i[l*PortW +: PortW]. Read as packed
  // slices where used: unpacked into an array, a simulator would copy it every cycle.
  input  logic [Lanes-1:0]            has_port_i,
  input  logic [Lanes*PortW-1:0]      port_of_i,
  input  logic [Lanes*32-1:0]         addr_i,
  input  logic [Lanes-1:0]            fault_i,       // out of bounds (AGU)
  input  logic [Lanes-1:0]            map_i,
  input  logic [Lanes-1:0]            ctx_window_i,

  output logic [MemPorts-1:0]         req_valid_o,
  output logic [MemPorts-1:0]         req_write_o,
  output logic [MemPorts-1:0]         req_map_o,
  output logic [MemPorts*32-1:0]      req_addr_o,
  output logic [MemPorts*4-1:0]       req_size_o,
  input  logic [MemPorts*64-1:0]      rdata_i,
  input  logic [MemPorts-1:0]         map_fault_i,

  output logic [Lanes*64-1:0]         lane_rdata_o,   // old value, zero-extended; for waveforms
  output logic                        map_fault_o
);

  // Lane l's control bits (nic_pkg::slot_ctl_t) are read in place, at l * CtlW in ctl_i: an
  // array of them would be a copy every cycle.
  localparam int unsigned CtlW  = nic_pkg::SlotCtlBits;

  logic [PortW-1:0]   port;  // of the lane in the request walk

  // Per-port words as arrays: a port chosen at run time (port_of) is then an array index
  // rather than a variable part-select of a flat vector, which simulates much faster.
  logic [31:0] req_addr [MemPorts];
  logic [3:0]  req_size [MemPorts];

  for (genvar p = 0; p < MemPorts; p++) begin : g_port
    assign req_addr_o[p*32 +: 32]  = req_addr[p];
    assign req_size_o[p*4 +: 4]    = req_size[p];
  end

  // The request depends on the core's state only. Its walk is skipped in a bundle without
  // memory operations (one test instead of one per lane).
  logic [MemPorts-1:0] no_fault;  // the port's operation reads a dead map value as 0 (ldnf)

  always_comb begin
    port        = '0;
    req_valid_o = '0;
    req_write_o = '0;
    req_map_o   = '0;
    no_fault    = '0;
    for (int p = 0; p < MemPorts; p++) begin
      req_addr[p] = '0;
      req_size[p] = '0;
    end
    if (has_port_i != '0) begin
      for (int l = 0; l < Lanes; l++) begin
        if (has_port_i[l]) begin
          port              = port_of_i[l*PortW +: PortW];
          req_valid_o[port] = issue_i && !fault_i[l] && !ctx_window_i[l];
          req_write_o[port] =
              ctl_i[l*CtlW + nic_pkg::CtlOp +: nic_pkg::CtlOpBits] != nic_pkg::OpLoad;
          req_map_o[port]   = map_i[l];
          req_addr[port]    = addr_i[l*32 +: 32];
          req_size[port]    = ctl_i[l*CtlW + nic_pkg::CtlSize +: nic_pkg::CtlSizeBits];
          no_fault[port]    = ctl_i[l*CtlW + nic_pkg::CtlNoFault];
        end
      end
    end
  end

  // A map value the memory reports dead faults the bundle, unless the operation is ldnf.
  assign map_fault_o = |(req_valid_o & req_map_o & map_fault_i & ~no_fault);

  // For waveforms: each memory lane's read data in the issue cycle.
  logic [PortW-1:0] p;

  always_comb begin
    lane_rdata_o = '0;
    p            = '0;
    for (int l = 0; l < Lanes; l++) begin
      if (has_port_i[l]) begin
        p = port_of_i[l*PortW +: PortW];
        if (req_valid_o[p] && !(req_map_o[p] && map_fault_i[p])) begin
          lane_rdata_o[l*64 +: 64] = rdata_i[32'(p)*64 +: 64] &
              nic_pkg::size_mask(ctl_i[l*CtlW + nic_pkg::CtlSize +: nic_pkg::CtlSizeBits]);
        end
      end
    end
  end

endmodule
