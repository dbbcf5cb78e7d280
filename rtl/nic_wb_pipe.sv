// The writeback pipeline of one lane: a result known in the issue cycle t (a load's data, an
// atomic's old value, a product) travels Latency-1 stages and is written to the register file
// at the end of cycle t + Latency - 1. A context that starts a new packet drops the entries
// still owed to its previous one. owed_o marks the registers of the entries in flight: the
// scoreboard's "not ready yet".
//
// The result is formed in the first stage's always_ff (nic_pkg::late_value) from what the lane
// offers and the memory's raw answer, not before the pipeline, and the entry is gated there by
// whether its bundle commits: the memory's data and the bundle's fault arrive in the issue
// cycle, and logic that such an answer reaches outside a clocked block is evaluated by a
// simulator with every evaluation and once more after each clock edge.

module nic_wb_pipe #(
  parameter int unsigned Contexts = 4,
  parameter int unsigned Latency  = 2,
  parameter int unsigned MemPorts = 2,
  localparam int unsigned CtxW  = (Contexts > 1) ? $clog2(Contexts) : 1,
  localparam int unsigned PortW = (MemPorts > 1) ? $clog2(MemPorts) : 1,
  localparam int unsigned Depth = Latency - 1
) (
  input  logic            clk_i,
  input  logic            rst_ni,

  input  logic            in_valid_i,   // the issuing slot writes through this pipeline
  input  logic            in_commit_i,  // if its bundle commits (an answer of this cycle)
  input  logic [CtxW-1:0] in_ctx_i,
  input  logic [3:0]      in_reg_i,
  input  logic [nic_pkg::SlotCtlBits-1:0] in_ctl_i,  // the slot's control bits
  input  logic [63:0]     in_product_i,
  input  logic            in_ctx_window_i,  // its memory operation reads the context window
  input  logic [63:0]     in_ctx_value_i,
  // The slot's memory operation: its port, whether it reads a map value, whether its address
  // is out of bounds (an ldnf then reads 0), and the memory's answers on every port.
  input  logic [PortW-1:0]         in_port_i,
  input  logic                     in_map_i,
  input  logic                     in_addr_fault_i,
  input  logic [MemPorts*64-1:0]   rdata_i,
  input  logic [MemPorts-1:0]      map_fault_i,

  input  logic            cancel_i,
  input  logic [CtxW-1:0] cancel_ctx_i,

  output logic            wr_valid_o,
  output logic [CtxW-1:0] wr_ctx_o,
  output logic [3:0]      wr_reg_o,
  output logic [63:0]     wr_data_o,
  output logic [Contexts*nic_pkg::NumOperands-1:0] owed_o  // [ctx * NumOperands + reg]
);

  // The stages in flat vectors rather than unpacked arrays: a simulator then updates them as
  // plain words (Verilator gives every write of an unpacked array element a deferred-update
  // flag that it clears and tests every cycle).
  logic [Depth-1:0]      valid_q;
  logic [Depth*CtxW-1:0] ctx_q;   // stage s at [s*CtxW +: CtxW]
  logic [Depth*4-1:0]    reg_q;
  logic [Depth*64-1:0]   data_q;

  // What the slot's memory operation read: the old value of its size, zero-extended; 0 where
  // nothing was read (an address out of bounds, or a dead map value, both read by ldnf as 0).
  // (Reads rdata_i itself: as an argument, a simulator would copy it at every call.)
  function automatic logic [63:0] mem_data(logic [3:0] size);
    mem_data = '0;
    // The port's word chosen by comparison with each constant port number (a part-select at a
    // computed offset of a vector wider than 64 bits simulates as shifts across words).
    for (int k = 0; k < MemPorts; k++) begin
      if (32'(in_port_i) == k && !in_addr_fault_i && !(in_map_i && map_fault_i[k])) begin
        mem_data = rdata_i[k*64 +: 64] & nic_pkg::size_mask(size);
      end
    end
  endfunction

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      valid_q <= '0;
      ctx_q   <= '0;
      reg_q   <= '0;
      data_q  <= '0;
    end else begin
      for (int s = Depth - 1; s > 0; s--) begin
        valid_q[s] <= valid_q[s-1] && !(cancel_i && cancel_ctx_i == ctx_q[(s-1)*CtxW +: CtxW]);
        ctx_q[s*CtxW +: CtxW] <= ctx_q[(s-1)*CtxW +: CtxW];
        reg_q[s*4 +: 4]       <= reg_q[(s-1)*4 +: 4];
        data_q[s*64 +: 64]    <= data_q[(s-1)*64 +: 64];
      end
      valid_q[0] <= in_valid_i && in_commit_i && !(cancel_i && cancel_ctx_i == in_ctx_i);
      if (in_valid_i && in_commit_i) begin
        ctx_q[0 +: CtxW] <= in_ctx_i;
        reg_q[0 +: 4]    <= in_reg_i;
        data_q[0 +: 64]  <= nic_pkg::late_value(in_ctl_i, in_product_i, in_ctx_window_i,
                                                in_ctx_value_i,
                                                mem_data(in_ctl_i[nic_pkg::CtlSize +:
                                                                  nic_pkg::CtlSizeBits]));
      end
    end
  end

  always_comb begin
    owed_o = '0;
    for (int s = 0; s < Depth; s++) begin
      if (valid_q[s]) begin
        owed_o[32'(ctx_q[s*CtxW +: CtxW]) * nic_pkg::NumOperands + 32'(reg_q[s*4 +: 4])] = 1'b1;
      end
    end
  end

  assign wr_valid_o = valid_q[Depth-1];
  assign wr_ctx_o   = ctx_q[(Depth-1)*CtxW +: CtxW];
  assign wr_reg_o   = reg_q[(Depth-1)*4 +: 4];
  assign wr_data_o  = data_q[(Depth-1)*64 +: 64];

`ifndef SYNTHESIS
  if (Latency < 2) begin : g_bad_latency
    $error("nic_wb_pipe: Latency must be at least 2");
  end
`endif

endmodule
