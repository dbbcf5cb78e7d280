// The writeback pipeline of one lane: a result known in the issue cycle t (a load's data, an
// atomic's old value, a product) travels Latency-1 stages and is written to the register file
// at the end of cycle t + Latency - 1. A context that starts a new packet drops the entries
// still owed to its previous one. owed_o marks the registers of the entries in flight: the
// scoreboard's "not ready yet".

module nic_wb_pipe #(
  parameter int unsigned Contexts = 4,
  parameter int unsigned Latency  = 2,
  localparam int unsigned CtxW  = (Contexts > 1) ? $clog2(Contexts) : 1,
  localparam int unsigned Depth = Latency - 1
) (
  input  logic            clk_i,
  input  logic            rst_ni,

  input  logic            in_valid_i,
  input  logic [CtxW-1:0] in_ctx_i,
  input  logic [3:0]      in_reg_i,
  input  logic [63:0]     in_data_i,

  input  logic            cancel_i,
  input  logic [CtxW-1:0] cancel_ctx_i,

  output logic            wr_valid_o,
  output logic [CtxW-1:0] wr_ctx_o,
  output logic [3:0]      wr_reg_o,
  output logic [63:0]     wr_data_o,
  output logic [Contexts*nic_pkg::NumOperands-1:0] owed_o  // [ctx * NumOperands + reg]
);

  logic            valid_q [Depth];
  logic [CtxW-1:0] ctx_q [Depth];
  logic [3:0]      reg_q [Depth];
  logic [63:0]     data_q [Depth];

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      for (int s = 0; s < Depth; s++) begin
        valid_q[s] <= 1'b0;
        ctx_q[s]   <= '0;
        reg_q[s]   <= '0;
        data_q[s]  <= '0;
      end
    end else begin
      for (int s = Depth - 1; s > 0; s--) begin
        valid_q[s] <= valid_q[s-1] && !(cancel_i && cancel_ctx_i == ctx_q[s-1]);
        ctx_q[s]   <= ctx_q[s-1];
        reg_q[s]   <= reg_q[s-1];
        data_q[s]  <= data_q[s-1];
      end
      valid_q[0] <= in_valid_i && !(cancel_i && cancel_ctx_i == in_ctx_i);
      if (in_valid_i) begin
        ctx_q[0]  <= in_ctx_i;
        reg_q[0]  <= in_reg_i;
        data_q[0] <= in_data_i;
      end
    end
  end

  always_comb begin
    owed_o = '0;
    for (int s = 0; s < Depth; s++) begin
      if (valid_q[s]) begin
        owed_o[32'(ctx_q[s]) * nic_pkg::NumOperands + 32'(reg_q[s])] = 1'b1;
      end
    end
  end

  assign wr_valid_o = valid_q[Depth-1];
  assign wr_ctx_o   = ctx_q[Depth-1];
  assign wr_reg_o   = reg_q[Depth-1];
  assign wr_data_o  = data_q[Depth-1];

`ifndef SYNTHESIS
  if (Latency < 2) begin : g_bad_latency
    $error("nic_wb_pipe: Latency must be at least 2");
  end
`endif

endmodule
