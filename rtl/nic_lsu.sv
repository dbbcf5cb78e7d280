// The core's memory ports (docs/nic-isa.md section 7): the k-th memory operation of the issued
// bundle, in lane order, uses port k (a valid bundle has at most MemPorts of them). A port
// carries one access of up to 8 bytes; the memory answers a read in the same cycle and takes a
// write at the end of the cycle, after every read of the bundle. Read-modify-write operations
// (atomics, xchg, cmpxchg) compute the new value here from the old one.
//
// What the memory's answer (rdata_i, map_fault_i) decides is computed where it is stored, in
// clocked blocks: the write data of the retire record here (issued_wdata_o), a load's value in
// the lane's writeback pipeline. A simulator evaluates logic an input reaches outside clocked
// blocks with the inputs and once more after every clock edge; only the map fault, which ends
// the bundle in its issue cycle, is combinational (one term per port). req_wdata_o and
// lane_rdata_o, the same values in the issue cycle, are for waveforms: nothing else reads them.

module nic_lsu #(
  parameter int unsigned Lanes    = 4,
  parameter int unsigned MemPorts = 2,
  localparam int unsigned PortW = (MemPorts > 1) ? $clog2(MemPorts) : 1
) (
  input  logic                        clk_i,
  input  logic                        issue_i,
  input  logic [Lanes*nic_pkg::SlotCtlStride-1:0] ctl_i,  // the decoded slots
  // The lane -> port map of the bundle (computed by nic_top as the image is loaded): lane l's
  // memory operation has a port (has_port_i[l]), port_of_i[l*PortW +: PortW]. Read as packed
  // slices where used: unpacked into an array, a simulator would copy it every cycle.
  input  logic [Lanes-1:0]            has_port_i,
  input  logic [Lanes*PortW-1:0]      port_of_i,
  input  logic [Lanes*64-1:0]         rb_i,          // the value operand of each lane
  input  logic [Lanes*64-1:0]         rd_i,          // cmpxchg's expected value
  input  logic [Lanes*32-1:0]         addr_i,
  input  logic [Lanes*64-1:0]         store_value_i,
  input  logic [Lanes-1:0]            fault_i,       // out of bounds (AGU)
  input  logic [Lanes-1:0]            map_i,
  input  logic [Lanes-1:0]            ctx_window_i,

  output logic [MemPorts-1:0]         req_valid_o,
  output logic [MemPorts-1:0]         req_write_o,
  output logic [MemPorts-1:0]         req_map_o,
  output logic [MemPorts*32-1:0]      req_addr_o,
  output logic [MemPorts*4-1:0]       req_size_o,
  output logic [MemPorts*64-1:0]      req_wdata_o,    // for waveforms
  input  logic [MemPorts*64-1:0]      rdata_i,
  input  logic [MemPorts-1:0]         map_fault_i,

  output logic [Lanes*64-1:0]         lane_rdata_o,   // old value, zero-extended; for waveforms
  output logic                        map_fault_o,
  // req_wdata_o of the bundle that issued at the last clock edge (0 on a port it left idle)
  output logic [MemPorts*64-1:0]      issued_wdata_o
);

  localparam int unsigned CtlW  = nic_pkg::SlotCtlBits;

  logic [CtlW-1:0] ctl [Lanes];  // nic_pkg::slot_ctl_t
  for (genvar l = 0; l < Lanes; l++) begin : g_ctl
    assign ctl[l] = ctl_i[l*nic_pkg::SlotCtlStride +: CtlW];
  end

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
          req_write_o[port] = ctl[l][nic_pkg::CtlOp +: nic_pkg::CtlOpBits] != nic_pkg::OpLoad;
          req_map_o[port]   = map_i[l];
          req_addr[port]    = addr_i[l*32 +: 32];
          req_size[port]    = ctl[l][nic_pkg::CtlSize +: nic_pkg::CtlSizeBits];
          no_fault[port]    = ctl[l][nic_pkg::CtlNoFault];
        end
      end
    end
  end

  // A map value the memory reports dead faults the bundle, unless the operation is ldnf.
  assign map_fault_o = |(req_valid_o & req_map_o & map_fault_i & ~no_fault);

  // The write data of every port: a store's value, or what a read-modify-write computes from
  // the old value. Called by the waveform's block and by the retire record's clocked block. It
  // reads the module's signals itself: as arguments, a simulator would copy the wide vectors
  // into the function at every call.
  function automatic logic [MemPorts*64-1:0] port_wdata();
    logic [PortW-1:0] q;
    logic [63:0]      mask, old, b, w;
    port_wdata = '0;
    for (int l = 0; l < Lanes; l++) begin
      if (has_port_i[l]) begin
        q    = port_of_i[l*PortW +: PortW];
        mask = nic_pkg::size_mask(ctl_i[l*nic_pkg::SlotCtlStride + nic_pkg::CtlSize +:
                                    nic_pkg::CtlSizeBits]);
        // The port's words chosen by comparison with each constant port number: a part-select
        // at a computed offset of a vector wider than 64 bits simulates as shifts across words.
        old = '0;
        for (int k = 0; k < MemPorts; k++) begin
          if (32'(q) == k) old = rdata_i[k*64 +: 64] & mask;
        end
        b = rb_i[l*64 +: 64];
        unique case (ctl_i[l*nic_pkg::SlotCtlStride + nic_pkg::CtlOp +: nic_pkg::CtlOpBits])
          nic_pkg::OpAtomic: begin
            unique case (ctl_i[l*nic_pkg::SlotCtlStride + nic_pkg::CtlAtomicOp +:
                           nic_pkg::CtlAtomicOpBits])
              nic_pkg::AtomicAdd: w = (old + b) & mask;
              nic_pkg::AtomicOr:  w = (old | b) & mask;
              nic_pkg::AtomicAnd: w = (old & b) & mask;
              default:            w = (old ^ b) & mask;
            endcase
          end
          nic_pkg::OpXchg:    w = b & mask;
          nic_pkg::OpCmpxchg: w = (((rd_i[l*64 +: 64] & mask) == old) ? b : old) & mask;
          nic_pkg::OpStore:   w = store_value_i[l*64 +: 64] & mask;
          default:            w = '0;  // a load writes nothing
        endcase
        for (int k = 0; k < MemPorts; k++) begin
          if (32'(q) == k) port_wdata[k*64 +: 64] = w;
        end
      end
    end
  endfunction

  // A bundle without a memory write (most of them) writes zeros without the lane walk.
  always_ff @(posedge clk_i) begin
    if (issue_i && req_write_o == '0) begin
      issued_wdata_o <= '0;
    end else if (issue_i) begin
      issued_wdata_o <= port_wdata();
    end
  end

  // For waveforms: the write data and each memory lane's read data in the issue cycle.
  always_comb begin
    req_wdata_o  = port_wdata();
    lane_rdata_o = '0;
    for (int l = 0; l < Lanes; l++) begin
      if (has_port_i[l] && req_valid_o[port_of_i[l*PortW +: PortW]] &&
          !(req_map_o[port_of_i[l*PortW +: PortW]] && map_fault_i[port_of_i[l*PortW +: PortW]]))
        begin
        lane_rdata_o[l*64 +: 64] =
            rdata_i[32'(port_of_i[l*PortW +: PortW])*64 +: 64] &
            nic_pkg::size_mask(ctl[l][nic_pkg::CtlSize +: nic_pkg::CtlSizeBits]);
      end
    end
  end

endmodule
