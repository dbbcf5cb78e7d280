// The core's memory ports (docs/nic-isa.md section 7): the k-th memory operation of the issued
// bundle, in lane order, uses port k (a valid bundle has at most MemPorts of them). A port
// carries one access of up to 8 bytes; the memory answers a read in the same cycle and takes a
// write at the end of the cycle, after every read of the bundle. Read-modify-write operations
// (atomics, xchg, cmpxchg) compute the new value here from the old one.

module nic_lsu #(
  parameter int unsigned Lanes    = 4,
  parameter int unsigned MemPorts = 2
) (
  input  logic                        issue_i,
  input  logic [Lanes*nic_pkg::SlotCtlBits-1:0] ctl_i,  // the decoded slots
  input  logic [Lanes*64-1:0]         rb_i,          // the value operand of each lane
  input  logic [Lanes*64-1:0]         rd_i,          // cmpxchg's expected value
  input  logic [Lanes*64-1:0]         addr_i,
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

  localparam int unsigned PortW = (MemPorts > 1) ? $clog2(MemPorts) : 1;
  localparam int unsigned CtlW  = nic_pkg::SlotCtlBits;

  logic [CtlW-1:0] ctl [Lanes];  // nic_pkg::slot_ctl_t
  for (genvar l = 0; l < Lanes; l++) begin : g_ctl
    assign ctl[l] = ctl_i[l*CtlW +: CtlW];
  end

  logic [Lanes-1:0]   has_port;
  logic [PortW-1:0]   port_of [Lanes];
  logic [PortW:0]     count [Lanes+1];

  // The lane -> port map depends on the bundle only.
  always_comb begin
    count[0] = '0;
    for (int l = 0; l < Lanes; l++) begin
      has_port[l]  = nic_pkg::ctl_is_mem(ctl[l]) && count[l] < (PortW+1)'(MemPorts);
      port_of[l]   = count[l][PortW-1:0];
      count[l + 1] = count[l] + ((PortW+1)'(nic_pkg::ctl_is_mem(ctl[l])));
    end
  end

  logic [63:0] updated [Lanes];

  for (genvar l = 0; l < Lanes; l++) begin : g_lane
    logic [63:0] old, rb, mask;
    assign mask = nic_pkg::size_mask(nic_pkg::ctl_size(ctl[l]));
    assign old  = rdata_i[port_of[l]*64 +: 64] & mask;
    assign rb   = rb_i[l*64 +: 64];
    always_comb begin
      unique case (nic_pkg::ctl_op(ctl[l]))
        nic_pkg::OpAtomic: begin
          unique case (nic_pkg::ctl_atomic_op(ctl[l]))
            nic_pkg::AtomicAdd: updated[l] = old + rb;
            nic_pkg::AtomicOr:  updated[l] = old | rb;
            nic_pkg::AtomicAnd: updated[l] = old & rb;
            default:            updated[l] = old ^ rb;
          endcase
        end
        nic_pkg::OpXchg:    updated[l] = rb;
        nic_pkg::OpCmpxchg: updated[l] = ((rd_i[l*64 +: 64] & mask) == old) ? rb : old;
        default:            updated[l] = store_value_i[l*64 +: 64];
      endcase
    end
  end

  always_comb begin
    req_valid_o = '0;
    req_write_o = '0;
    req_map_o   = '0;
    req_addr_o  = '0;
    req_size_o  = '0;
    req_wdata_o = '0;
    for (int l = 0; l < Lanes; l++) begin
      if (has_port[l]) begin
        req_valid_o[port_of[l]]          = issue_i && !fault_i[l] && !ctx_window_i[l];
        req_write_o[port_of[l]]          = nic_pkg::ctl_op(ctl[l]) != nic_pkg::OpLoad;
        req_map_o[port_of[l]]            = map_i[l];
        req_addr_o[port_of[l]*32 +: 32]  = addr_i[l*64 +: 32];
        req_size_o[port_of[l]*4 +: 4]    = nic_pkg::ctl_size(ctl[l]);
        req_wdata_o[port_of[l]*64 +: 64] = updated[l] & nic_pkg::size_mask(nic_pkg::ctl_size(ctl[l]));
      end
    end
  end

  always_comb begin
    map_fault_o = 1'b0;
    for (int l = 0; l < Lanes; l++) begin
      // ldnf: an access that would fault reads as 0 and does not fault.
      if (has_port[l] && req_valid_o[port_of[l]] && req_map_o[port_of[l]] &&
          map_fault_i[port_of[l]]) begin
        map_fault_o |= !nic_pkg::ctl_no_fault(ctl[l]);
        lane_rdata_o[l*64 +: 64] = '0;
      end else if (has_port[l] && req_valid_o[port_of[l]]) begin
        lane_rdata_o[l*64 +: 64] = rdata_i[port_of[l]*64 +: 64] &
                                   nic_pkg::size_mask(nic_pkg::ctl_size(ctl[l]));
      end else begin
        lane_rdata_o[l*64 +: 64] = '0;
      end
    end
  end

endmodule
