// The core's memory ports (docs/nic-isa.md section 7): the k-th memory operation of the issued
// bundle, in lane order, uses port k (a valid bundle has at most MemPorts of them). A port
// carries one access of up to 8 bytes; the memory answers a read in the same cycle and takes a
// write at the end of the cycle, after every read of the bundle. Read-modify-write operations
// (atomics, xchg, cmpxchg) compute the new value here from the old one.

module nic_lsu #(
  parameter int unsigned Lanes    = 4,
  parameter int unsigned MemPorts = 2,
  localparam int unsigned PortW = (MemPorts > 1) ? $clog2(MemPorts) : 1
) (
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
  output logic [MemPorts*64-1:0]      req_wdata_o,
  input  logic [MemPorts*64-1:0]      rdata_i,
  input  logic [MemPorts-1:0]         map_fault_i,

  output logic [Lanes*64-1:0]         lane_rdata_o,  // old value, zero-extended
  output logic                        map_fault_o
);

  localparam int unsigned CtlW  = nic_pkg::SlotCtlBits;

  logic [CtlW-1:0] ctl [Lanes];  // nic_pkg::slot_ctl_t
  for (genvar l = 0; l < Lanes; l++) begin : g_ctl
    assign ctl[l] = ctl_i[l*nic_pkg::SlotCtlStride +: CtlW];
  end

  logic [PortW-1:0]   port;  // of the lane in the request walk

  // Per-port words as arrays: a port chosen at run time (port_of) is then an array index
  // rather than a variable part-select of a flat vector, which simulates much faster.
  logic [63:0] rdata [MemPorts];
  logic [31:0] req_addr [MemPorts];
  logic [3:0]  req_size [MemPorts];
  logic [63:0] req_wdata [MemPorts];

  for (genvar p = 0; p < MemPorts; p++) begin : g_port
    assign rdata[p]                = rdata_i[p*64 +: 64];
    assign req_addr_o[p*32 +: 32]  = req_addr[p];
    assign req_size_o[p*4 +: 4]    = req_size[p];
    assign req_wdata_o[p*64 +: 64] = req_wdata[p];
  end

  // The request depends on the core's state only; the write data of a read-modify-write also
  // on the answer (rdata_i). Two blocks, so that a simulator re-evaluating what the answer
  // reaches does not re-evaluate the request. Both skip their lane walk in a bundle without
  // memory operations (one test instead of one per lane).
  always_comb begin
    port        = '0;
    req_valid_o = '0;
    req_write_o = '0;
    req_map_o   = '0;
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
        end
      end
    end
  end

  // The answer's part, one block for every lane that holds a memory operation (the others,
  // most lanes in most cycles, compute nothing): the old value of the lane's size, the write
  // data (a read-modify-write computes it from the old value), the lane's read data and
  // whether a map value it reads is dead (ldnf reads a dead value as 0 and does not fault).
  // The lane's port, its access size and size mask, old value and value operand: variables of
  // the block rather than function calls (see nic_lane for why).
  logic [PortW-1:0] p;
  logic [3:0]       size;
  logic [63:0]      mask, old, rb;
  logic             dead;

  always_comb begin
    p    = '0;
    size = '0;
    mask = '0;
    old  = '0;
    rb   = '0;
    dead = 1'b0;
    for (int q = 0; q < MemPorts; q++) begin
      req_wdata[q] = '0;
    end
    lane_rdata_o = '0;
    map_fault_o  = 1'b0;
    if (has_port_i != '0) begin
      for (int l = 0; l < Lanes; l++) begin
        if (has_port_i[l]) begin
          p    = port_of_i[l*PortW +: PortW];
          size = ctl[l][nic_pkg::CtlSize +: nic_pkg::CtlSizeBits];
          mask = (size >= 4'd8) ? '1 : (64'd1 << {size[2:0], 3'b000}) - 64'd1;
          old  = rdata[p] & mask;
          rb   = rb_i[l*64 +: 64];
          unique case (ctl[l][nic_pkg::CtlOp +: nic_pkg::CtlOpBits])
            nic_pkg::OpAtomic: begin
              unique case (ctl[l][nic_pkg::CtlAtomicOp +: nic_pkg::CtlAtomicOpBits])
                nic_pkg::AtomicAdd: req_wdata[p] = (old + rb) & mask;
                nic_pkg::AtomicOr:  req_wdata[p] = (old | rb) & mask;
                nic_pkg::AtomicAnd: req_wdata[p] = (old & rb) & mask;
                default:            req_wdata[p] = (old ^ rb) & mask;
              endcase
            end
            nic_pkg::OpXchg:    req_wdata[p] = rb & mask;
            nic_pkg::OpCmpxchg:
              req_wdata[p] = (((rd_i[l*64 +: 64] & mask) == old) ? rb : old) & mask;
            nic_pkg::OpStore:   req_wdata[p] = store_value_i[l*64 +: 64] & mask;
            default: ;  // a load writes nothing
          endcase
          if (req_valid_o[p]) begin
            dead = req_map_o[p] && map_fault_i[p];
            if (!dead) begin
              lane_rdata_o[l*64 +: 64] = old;
            end
            if (dead && !ctl[l][nic_pkg::CtlNoFault]) begin
              map_fault_o = 1'b1;
            end
          end
        end
      end
    end
  end

endmodule
