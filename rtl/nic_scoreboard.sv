// The register scoreboard and the helper block (docs/nic-isa.md sections 6, 7 and 9). A
// register is ready when no result is owed to it: every result of latency λ > 1 travels in a
// writeback pipeline or the divider from the cycle after its issue t to its write at the end of
// t+λ-1, so "owed" is exactly the model's "ready cycle not reached yet", read off the units'
// own state instead of a counter per register. Only r0..r9 are ever written, so r10..r13 are
// always ready. The helper block of a context counts the cycles still to wait.

module nic_scoreboard #(
  parameter int unsigned Contexts = 4,
  localparam int unsigned CtxW = (Contexts > 1) ? $clog2(Contexts) : 1,
  localparam int unsigned Ops  = nic_pkg::NumOperands
) (
  input  logic                         clk_i,
  input  logic                         rst_ni,

  input  logic                         clear_i,       // a packet starts
  input  logic [CtxW-1:0]              clear_ctx_i,

  // The registers any unit (writeback pipelines, divider) owes a result to
  // ([ctx * NumOperands + reg]).
  input  logic [Contexts*Ops-1:0]      owed_i,
  input  logic [CtxW-1:0]              block_ctx_i,   // the issuing context
  input  logic                         block_i,       // an hcall issued
  // The helper's latency (an answer of this cycle: a context waits latency - 1 cycles, counted
  // down in the clocked block, where a simulator evaluates an input once per cycle).
  input  logic [15:0]                  block_latency_i,

  output logic [Contexts*Ops-1:0]      ready_o,
  output logic [Contexts-1:0]          blocked_o,
  output logic [Contexts-1:0]          block_last_o   // last blocked cycle
);

  assign ready_o = ~owed_i;

  // Whether any counter changes at this edge: in most cycles no packet starts, no hcall issues
  // and no context is blocked, and the one test lets a simulator skip every context's update
  // (Verilator 5.006 merges the contexts' blocks under the identical condition; testing the
  // start apart, per context, costs more). Tested in the clocked blocks, not as a net: it reads
  // this cycle's inputs (a start, a helper's answer), and a simulator evaluates such a net with
  // the inputs and again after every clock edge.

  // One counter per context block (not an array indexed by c: a simulator updates a plain
  // variable directly, an array element through a deferred-update flag per write).
  for (genvar c = 0; c < Contexts; c++) begin : g_ctx
    logic [15:0] block_q;
    // block_q == 1, registered beside it: the register file's clocked block reads the last
    // blocked cycle (its held r0 port), and a comparison of block_q there made a simulator keep
    // a shadow copy of every counter for the other blocks of the edge.
    logic        last_q;
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        block_q <= '0;
        last_q  <= 1'b0;
      end else if (clear_i || block_i || blocked_o != '0) begin
        if (clear_i && clear_ctx_i == CtxW'(c)) begin
          block_q <= '0;
          last_q  <= 1'b0;
        end else if (block_i && block_ctx_i == CtxW'(c)) begin
          block_q <= (block_latency_i > 16'd1) ? block_latency_i - 16'd1 : '0;
          last_q  <= block_latency_i == 16'd2;
        end else if (block_q != '0) begin
          block_q <= block_q - 16'd1;
          last_q  <= block_q == 16'd2;
        end
      end
    end
    assign blocked_o[c]    = block_q != '0;
    assign block_last_o[c] = last_q;
  end

endmodule
