// Issue selection (docs/nic-isa.md section 6, EX) and stall attribution (section 12). A context
// is ready when it runs, its FB holds a bundle, it is not blocked on a helper, the registers
// the bundle touches are ready and the units it needs are free; the first ready context after
// the one that issued last issues. Every other running context is charged one stall cycle of
// exactly one cause.

module nic_issue #(
  parameter int unsigned Contexts      = 4,
  // Several cores share the helper port: helper_busy_i says a lower core took it this cycle.
  // A single core never waits for it, and leaving the input out keeps issue selection free of
  // combinational inputs.
  parameter bit          HelperArbiter = 1'b0,
  localparam int unsigned CtxW = (Contexts > 1) ? $clog2(Contexts) : 1,
  localparam int unsigned Ops  = nic_pkg::NumOperands
) (
  input  logic                      clk_i,
  input  logic                      rst_ni,

  input  logic                      start_i,
  input  logic [CtxW-1:0]           start_ctx_i,

  input  logic [Contexts-1:0]       running_i,
  input  logic [Contexts-1:0]       fb_valid_i,
  input  logic [Contexts*Ops-1:0]   fb_regs_i,
  input  logic [Contexts-1:0]       fb_hcall_i,
  input  logic [Contexts-1:0]       fb_div_i,
  input  logic [Contexts*Ops-1:0]   reg_ready_i,
  input  logic [Contexts-1:0]       blocked_i,
  input  logic                      div_busy_i,
  input  logic                      helper_busy_i,

  // The issued bundle was a control bundle of a context that still runs: its FB stays empty
  // next cycle because of the branch.
  input  logic                      resolve_i,

  output logic                      issue_o,
  output logic [CtxW-1:0]           issue_ctx_o,
  // The contexts' stall codes (nic_pkg::stall_e) as bit planes: bit k of context c's code at
  // k * Contexts + c.
  output logic [Contexts*3-1:0]     stall_o
);

  logic [CtxW-1:0]     rr_q;
  logic [Contexts-1:0] empty_branch_q;
  logic [Contexts-1:0] regs_ok, unit_busy, ready;
  logic [CtxW-1:0]     cand;
  logic                port_busy;

  assign port_busy = HelperArbiter && helper_busy_i;

  // Whole-vector operations where the contexts' bits do not mix: a simulator then computes
  // them in one machine operation rather than bit by bit. A context's registers are ready when
  // none that its FB's bundle uses is owed a result: one test per context, assigned in a
  // generate loop (as one vector, not bit by bit in a procedural loop).
  for (genvar c = 0; c < Contexts; c++) begin : g_regs_ok
    assign regs_ok[c] = (fb_regs_i[c*Ops +: Ops] & ~reg_ready_i[c*Ops +: Ops]) == '0;
  end

  always_comb begin
    unit_busy = (fb_div_i & {Contexts{div_busy_i}}) | (fb_hcall_i & {Contexts{port_busy}});
    ready     = running_i & fb_valid_i & ~blocked_i & ~unit_busy & regs_ok;
    issue_o     = 1'b0;
    issue_ctx_o = '0;
    cand        = '0;
    for (int i = Contexts; i >= 1; i--) begin
      cand = CtxW'((32'(rr_q) + 32'(i)) % Contexts);
      if (ready[cand]) begin
        issue_o     = 1'b1;
        issue_ctx_o = cand;
      end
    end
  end

  // Stall attribution, in this order: not running or issuing (none), blocked on a helper, then
  // with a bundle in the FB a busy unit, a register not ready or another context issuing, and
  // with an empty FB a resolving branch or fetch. Each cause is a vector over the contexts, and
  // plane k of stall_o is the OR of the causes whose nic_pkg::stall_e code has bit k set:
  // whole-vector operations, without a branch per context. The planes are not interleaved into
  // one 3-bit field per context here: a simulator would do that with a read-modify-write of the
  // output per context and cycle; the wrapper reads the bits it counts from the planes.
  logic [Contexts-1:0] issuing, none, active, by_helper, by_unit, by_data, by_issue, by_branch,
                       by_fetch;

  // The contexts charged with a cause, where bit k of the cause's code is set.
  function automatic logic [Contexts-1:0] when(logic [2:0] code, logic [1:0] k,
                                               logic [Contexts-1:0] contexts);
    when = code[k] ? contexts : '0;
  endfunction

  always_comb begin
    issuing   = issue_o ? Contexts'(1) << issue_ctx_o : '0;
    none      = ~running_i | issuing;
    by_helper = ~none & blocked_i;
    active    = ~none & ~blocked_i;
    by_unit   = active & fb_valid_i & unit_busy;
    by_data   = active & fb_valid_i & ~unit_busy & ~regs_ok;
    by_issue  = active & fb_valid_i & ~unit_busy & regs_ok;
    by_branch = active & ~fb_valid_i & empty_branch_q;
    by_fetch  = active & ~fb_valid_i & ~empty_branch_q;
    for (int k = 0; k < 3; k++) begin
      stall_o[k*Contexts +: Contexts] = when(nic_pkg::StallNone, 2'(k), none) |
                                        when(nic_pkg::StallHelper, 2'(k), by_helper) |
                                        when(nic_pkg::StallUnit, 2'(k), by_unit) |
                                        when(nic_pkg::StallData, 2'(k), by_data) |
                                        when(nic_pkg::StallIssue, 2'(k), by_issue) |
                                        when(nic_pkg::StallBranch, 2'(k), by_branch) |
                                        when(nic_pkg::StallFetch, 2'(k), by_fetch);
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rr_q           <= CtxW'(Contexts - 1);
      empty_branch_q <= '0;
    end else begin
      if (issue_o) begin
        rr_q <= issue_ctx_o;
      end
      empty_branch_q <= empty_branch_q & ~by_branch;
      if (resolve_i && issue_o) begin
        empty_branch_q[issue_ctx_o] <= 1'b1;
      end
      if (start_i) begin
        empty_branch_q[start_ctx_i] <= 1'b0;
      end
    end
  end

endmodule
