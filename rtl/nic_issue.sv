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
  output logic [Contexts*3-1:0]     stall_o
);

  logic [CtxW-1:0]     rr_q;
  logic [Contexts-1:0] empty_branch_q;
  logic [Contexts-1:0] regs_ok, unit_busy, ready;
  logic [CtxW-1:0]     cand;
  logic                port_busy;

  assign port_busy = HelperArbiter && helper_busy_i;

  always_comb begin
    for (int c = 0; c < Contexts; c++) begin
      regs_ok[c]   = (fb_regs_i[c*Ops +: Ops] & ~reg_ready_i[c*Ops +: Ops]) == '0;
      unit_busy[c] = (fb_div_i[c] && div_busy_i) || (fb_hcall_i[c] && port_busy);
      ready[c]     = running_i[c] && fb_valid_i[c] && !blocked_i[c] && !unit_busy[c] &&
                     regs_ok[c];
    end
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

  nic_pkg::stall_e stall [Contexts];

  always_comb begin
    for (int c = 0; c < Contexts; c++) begin
      if (!running_i[c] || (issue_o && issue_ctx_o == CtxW'(c))) begin
        stall[c] = nic_pkg::StallNone;
      end else if (blocked_i[c]) begin
        stall[c] = nic_pkg::StallHelper;
      end else if (fb_valid_i[c]) begin
        stall[c] = unit_busy[c] ? nic_pkg::StallUnit :
                   !regs_ok[c]  ? nic_pkg::StallData : nic_pkg::StallIssue;
      end else begin
        stall[c] = empty_branch_q[c] ? nic_pkg::StallBranch : nic_pkg::StallFetch;
      end
      stall_o[c*3 +: 3] = stall[c];
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
      for (int c = 0; c < Contexts; c++) begin
        if (stall[c] == nic_pkg::StallBranch) begin
          empty_branch_q[c] <= 1'b0;
        end
      end
      if (resolve_i && issue_o) begin
        empty_branch_q[issue_ctx_o] <= 1'b1;
      end
      if (start_i) begin
        empty_branch_q[start_ctx_i] <= 1'b0;
      end
    end
  end

endmodule
