// The register scoreboard and the helper block (docs/nic-isa.md sections 6, 7 and 9). Instead
// of the model's absolute "ready cycle" each register holds the cycles still to wait: a result
// of latency λ issued at t sets λ-1, which counts down to 0 at cycle t+λ, the first cycle a
// bundle may use the register. The helper block of a context counts the same way. Only r0..r9
// are ever written, so r10..r13 are always ready.

module nic_scoreboard #(
  parameter int unsigned Contexts = 4,
  localparam int unsigned CtxW = (Contexts > 1) ? $clog2(Contexts) : 1
) (
  input  logic                                     clk_i,
  input  logic                                     rst_ni,

  input  logic                                     clear_i,       // a packet starts
  input  logic [CtxW-1:0]                          clear_ctx_i,

  // The issued bundle: per register, the wait to set (for registers in set_mask_i).
  input  logic                                     set_i,
  input  logic [CtxW-1:0]                          set_ctx_i,
  input  logic [nic_pkg::NumStored-1:0]            set_mask_i,
  input  logic [nic_pkg::NumStored*6-1:0]          set_wait_i,
  input  logic                                     block_i,       // an hcall issued
  input  logic [15:0]                              block_wait_i,  // helper latency - 1

  output logic [Contexts*nic_pkg::NumOperands-1:0] ready_o,
  output logic [Contexts-1:0]                      blocked_o,
  output logic [Contexts-1:0]                      block_last_o   // last blocked cycle
);

  localparam int unsigned Stored = nic_pkg::NumStored;

  logic [5:0]  wait_q [Contexts*Stored];
  logic [5:0]  wait_d [Contexts*Stored];
  logic [15:0] block_q [Contexts];

  always_comb begin
    for (int c = 0; c < Contexts; c++) begin
      for (int r = 0; r < Stored; r++) begin
        if (clear_i && clear_ctx_i == CtxW'(c)) begin
          wait_d[c*Stored + r] = '0;
        end else if (set_i && set_ctx_i == CtxW'(c) && set_mask_i[r]) begin
          wait_d[c*Stored + r] = set_wait_i[r*6 +: 6];
        end else if (wait_q[c*Stored + r] != '0) begin
          wait_d[c*Stored + r] = wait_q[c*Stored + r] - 6'd1;
        end else begin
          wait_d[c*Stored + r] = '0;
        end
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      for (int i = 0; i < Contexts * Stored; i++) begin
        wait_q[i] <= '0;
      end
    end else begin
      for (int i = 0; i < Contexts * Stored; i++) begin
        wait_q[i] <= wait_d[i];
      end
    end
  end

  for (genvar c = 0; c < Contexts; c++) begin : g_ctx
    for (genvar r = 0; r < Stored; r++) begin : g_reg
      assign ready_o[c*nic_pkg::NumOperands + r] = wait_q[c*Stored + r] == '0;
    end
    assign ready_o[c*nic_pkg::NumOperands + Stored +: nic_pkg::NumOperands - Stored] = '1;

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        block_q[c] <= '0;
      end else if (clear_i && clear_ctx_i == CtxW'(c)) begin
        block_q[c] <= '0;
      end else if (block_i && set_ctx_i == CtxW'(c)) begin
        block_q[c] <= block_wait_i;
      end else if (block_q[c] != '0) begin
        block_q[c] <= block_q[c] - 16'd1;
      end
    end
    assign blocked_o[c]    = block_q[c] != '0;
    assign block_last_o[c] = block_q[c] == 16'd1;
  end

endmodule
