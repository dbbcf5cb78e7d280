// The core's divider (docs/nic-isa.md section 7): one per core, not pipelined, radix 4 (two
// quotient bits per cycle), so a 64-bit division needs 32 iterations and a 32-bit one 16. The
// result is written to its register at the end of cycle t + latency - 1 for a division issued
// at t, and the unit is busy until t + latency. Signed operations divide magnitudes and fix
// the signs afterwards; the eBPF rules for a zero divisor (quotient 0, remainder A) are applied
// at the end.

module nic_divider #(
  parameter int unsigned Contexts     = 4,
  parameter int unsigned Div64Latency = 33,
  parameter int unsigned Div32Latency = 17,
  localparam int unsigned CtxW = (Contexts > 1) ? $clog2(Contexts) : 1
) (
  input  logic            clk_i,
  input  logic            rst_ni,

  input  logic            start_i,
  input  logic [3:0]      func_i,  // nic_pkg::alu_func_e
  input  logic            w32_i,
  input  logic [63:0]     a_i,
  input  logic [63:0]     b_i,
  input  logic [CtxW-1:0] ctx_i,
  input  logic [3:0]      rd_i,

  // A context starting a new packet drops a result still owed to its previous packet.
  input  logic            cancel_i,
  input  logic [CtxW-1:0] cancel_ctx_i,

  output logic            busy_o,
  output logic            wr_valid_o,
  // The result is due this cycle: wr_valid_o but for cancel_i, an input of this cycle. The
  // register file takes this (a packet start has precedence over the write anyway), so that
  // no input reaches its write ports' valid bits.
  output logic            wr_due_o,
  output logic [CtxW-1:0] wr_ctx_o,
  output logic [3:0]      wr_rd_o,
  output logic [63:0]     wr_data_o,
  output logic [Contexts*nic_pkg::NumOperands-1:0] owed_o  // the register a result is owed to
);

  logic [63:0]     rem_q, rem_d;
  logic [63:0]     quo_q, quo_d;
  logic [63:0]     den_q;
  logic [63:0]     a_q;
  logic [5:0]      iter_q, iter_d;
  logic [6:0]      left_q, left_d;
  logic            pending_q;
  logic            w32_q, want_rem_q, neg_quo_q, neg_rem_q, zero_q;
  logic [CtxW-1:0] ctx_q;
  logic [3:0]      rd_q;

  // ---- operand preparation at issue ----
  // Called in the start branch of the flip-flops' block below, with the operands' signs formed
  // there too, so that a simulator evaluates them only in the cycle a division starts.
  function automatic logic [63:0] magnitude(logic [63:0] v, logic w32, logic neg);
    if (w32) begin
      magnitude = {32'b0, neg ? (32'd0 - v[31:0]) : v[31:0]};
    end else begin
      magnitude = neg ? (64'd0 - v) : v;
    end
  endfunction

  // ---- two restoring steps per cycle ----
  // {rem, quo} shifted left one bit, the divisor subtracted where it fits.
  function automatic logic [127:0] restoring_step(logic [63:0] rem, logic [63:0] quo,
                                                  logic [63:0] den);
    logic [64:0] part;
    logic [63:0] rem_n, quo_n;
    part  = {rem, quo[63]};
    quo_n = {quo[62:0], 1'b0};
    rem_n = part[63:0];
    if (part >= {1'b0, den}) begin
      rem_n    = 64'(part - {1'b0, den});
      quo_n[0] = 1'b1;
    end
    restoring_step = {rem_n, quo_n};
  endfunction

  always_comb begin
    rem_d     = rem_q;
    quo_d     = quo_q;
    iter_d    = iter_q;
    left_d    = (left_q != '0) ? left_q - 7'd1 : '0;
    if (iter_q != '0) begin  // an idle divider computes no step
      {rem_d, quo_d} = restoring_step(rem_q, quo_q, den_q);
      {rem_d, quo_d} = restoring_step(rem_d, quo_d, den_q);
      iter_d         = iter_q - 6'd1;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rem_q      <= '0;
      quo_q      <= '0;
      den_q      <= '0;
      a_q        <= '0;
      iter_q     <= '0;
      left_q     <= '0;
      pending_q  <= 1'b0;
      w32_q      <= 1'b0;
      want_rem_q <= 1'b0;
      neg_quo_q  <= 1'b0;
      neg_rem_q  <= 1'b0;
      zero_q     <= 1'b0;
      ctx_q      <= '0;
      rd_q       <= '0;
    end else if (start_i) begin
      logic is_signed, a_neg, b_neg;
      is_signed  = func_i == nic_pkg::AluSdiv || func_i == nic_pkg::AluSmod;
      a_neg      = is_signed && (w32_i ? a_i[31] : a_i[63]);
      b_neg      = is_signed && (w32_i ? b_i[31] : b_i[63]);
      rem_q      <= '0;
      quo_q      <= magnitude(a_i, w32_i, a_neg) << (w32_i ? 32 : 0);  // 32-bit: the top half
      den_q      <= magnitude(b_i, w32_i, b_neg);
      a_q        <= w32_i ? {32'b0, a_i[31:0]} : a_i;
      iter_q     <= w32_i ? 6'd16 : 6'd32;
      left_q     <= w32_i ? 7'(Div32Latency - 1) : 7'(Div64Latency - 1);
      pending_q  <= 1'b1;
      w32_q      <= w32_i;
      want_rem_q <= func_i == nic_pkg::AluMod || func_i == nic_pkg::AluSmod;
      neg_quo_q  <= a_neg ^ b_neg;
      neg_rem_q  <= a_neg;
      zero_q     <= (w32_i ? b_i[31:0] == '0 : b_i == '0);
      ctx_q      <= ctx_i;
      rd_q       <= rd_i;
    end else if (left_q != '0) begin  // an idle divider (left_q 0: iter_q and pending_q 0) holds
      rem_q     <= rem_d;
      quo_q     <= quo_d;
      iter_q    <= iter_d;
      left_q    <= left_d;
      // The result is written, or the context's packet ended: nothing owed any more. (Here, not
      // in the block above: cancel_i is an input of this cycle, and a simulator evaluates logic
      // an input reaches outside a clocked block with the inputs and again after the edge.)
      pending_q <= pending_q && !wr_due_o && !(cancel_i && cancel_ctx_i == ctx_q);
    end
  end

  // ---- result, from the state after this cycle's iteration ----
  logic [63:0] quo_fix, rem_fix, result;

  // Only in the cycle the result is written (the data port is don't-care otherwise).
  always_comb begin
    quo_fix = '0;
    rem_fix = '0;
    result  = '0;
    if (left_q == 7'd1) begin
      quo_fix = neg_quo_q ? (64'd0 - quo_d) : quo_d;
      rem_fix = neg_rem_q ? (64'd0 - rem_d) : rem_d;
      if (zero_q) begin
        result = want_rem_q ? a_q : '0;
      end else begin
        result = want_rem_q ? rem_fix : quo_fix;
      end
      if (w32_q) begin
        result = {32'b0, result[31:0]};
      end
    end
  end

  // Only while a result is owed (no register index computed in an idle cycle).
  always_comb begin
    owed_o = '0;
    if (pending_q) begin
      owed_o[32'(ctx_q) * nic_pkg::NumOperands + 32'(rd_q)] = 1'b1;
    end
  end

  assign busy_o     = left_q != '0;
  assign wr_due_o   = pending_q && (left_q == 7'd1);
  assign wr_valid_o = wr_due_o && !(cancel_i && cancel_ctx_i == ctx_q);
  assign wr_ctx_o   = ctx_q;
  assign wr_rd_o    = rd_q;
  assign wr_data_o  = result;

`ifndef SYNTHESIS
  // Every iteration must be done by the cycle the result is written.
  if (Div64Latency < 33 || Div32Latency < 17 || Div64Latency > 127 || Div32Latency > 127) begin
    : g_bad_latency
    $error("nic_divider: latencies must be 33..127 (64-bit) and 17..127 (32-bit)");
  end
`endif

endmodule
