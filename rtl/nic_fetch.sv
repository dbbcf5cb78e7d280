// Fetch (docs/nic-isa.md section 6, IF): per context a fetch PC and a one-bundle fetch buffer
// (FB); each cycle the first eligible context after the one that fetched last reads its next
// bundle from the instruction memory into its FB. A fetched control bundle stops the context's
// fetch until it issues (no speculation); an exit is thereby seen at fetch. The FB holds the
// bundle's address and what issue selection looks at (the registers it touches, control,
// helper and divider use: the instruction memory's predecoded bits of the bundle,
// nic_slot_uses); the issuing bundle's words and its slots' control bits are read at issue
// through a second read port of the instruction memory (nic_top), which is written only while
// the image is loaded, so they are the words fetched. A simulator then moves one address per
// fetch instead of the bundle and its control bits twice (into the FB, out at issue).

module nic_fetch #(
  parameter int unsigned Lanes    = 4,
  parameter int unsigned Contexts = 4,
  localparam int unsigned CtxW = (Contexts > 1) ? $clog2(Contexts) : 1,
  localparam int unsigned Ops  = nic_pkg::NumOperands
) (
  input  logic                       clk_i,
  input  logic                       rst_ni,

  input  logic [11:0]                entry_i,
  input  logic                       start_i,
  input  logic [CtxW-1:0]            start_ctx_i,

  input  logic [Contexts-1:0]        running_i,    // contexts running in this cycle
  input  logic                       issue_i,
  input  logic [CtxW-1:0]            issue_ctx_i,
  input  logic                       ends_i,       // the issued bundle ends its packet
  input  logic                       resolve_i,    // ... or is a control bundle that resolved
  input  logic                       jump_i,
  input  logic [11:0]                jump_target_i,

  output logic [11:0]                imem_addr_o,
  input  logic [Lanes*64-1:0]        imem_bundle_i,  // for waveforms: the words fetched
  input  logic [nic_pkg::SlotUsesW-1:0] imem_uses_i,  // {regs, control, hcall, div}

  output logic                       fetch_o,
  output logic [CtxW-1:0]            fetch_ctx_o,
  output logic [Contexts-1:0]        fb_valid_o,
  output logic [Contexts*Ops-1:0]    fb_regs_o,
  output logic [Contexts-1:0]        fb_control_o,
  output logic [Contexts-1:0]        fb_hcall_o,
  output logic [Contexts-1:0]        fb_div_o,
  output logic [11:0]                issue_addr_o
);

  logic [11:0]         fb_addr_q [Contexts];  // the FB's bundle
  logic [11:0]         pc_q [Contexts];
  logic [Contexts-1:0] fb_valid_q;
  logic [Contexts-1:0] stop_q;

  logic [Ops-1:0] fetched_regs;
  logic           fetched_control, fetched_hcall, fetched_div;
  assign {fetched_regs, fetched_control, fetched_hcall, fetched_div} = imem_uses_i;

  // ---- fetch selection: round robin after the context that fetched last ----
  // A context whose bundle issues and ends its packet does not fetch. Whether the bundle ends
  // depends on this cycle's memory and helper answers, which arrive late: the selection is made
  // from the state for both outcomes, and the answer only chooses between the two (logic that
  // the answers reach is what a simulator re-evaluates with every evaluation).
  // The round robin is a priority pick: the lowest eligible context above the one that fetched
  // last (after_q, registered as a mask of those contexts), else the lowest eligible one. A
  // pick that walks the contexts from the last one computes a context number and tests a bit
  // at a variable position per step; here the positions are constants.
  logic [Contexts-1:0] eligible, issuing, eligible_ends, after_q;
  logic [Contexts-1:0] order_continues, order_ends;
  logic [CtxW:0]       pick_continues, pick_ends;
  logic                sel_valid;
  logic [CtxW-1:0]     sel_ctx;

  always_comb begin
    issuing         = issue_i ? Contexts'(1) << issue_ctx_i : '0;
    // One operation over the contexts' bits, not a loop: a simulator would update the vector
    // bit by bit.
    eligible        = running_i & ~stop_q & (~fb_valid_q | issuing);
    eligible_ends   = eligible & ~issuing;
    order_continues = ((eligible & after_q) != '0) ? (eligible & after_q) : eligible;
    order_ends      = ((eligible_ends & after_q) != '0) ? (eligible_ends & after_q) : eligible_ends;
    pick_continues  = '0;  // {valid, context}
    pick_ends       = '0;
    for (int c = Contexts - 1; c >= 0; c--) begin
      if (order_continues[c]) begin
        pick_continues = {1'b1, CtxW'(c)};
      end
      if (order_ends[c]) begin
        pick_ends = {1'b1, CtxW'(c)};
      end
    end
  end

  assign {sel_valid, sel_ctx} = (issue_i && ends_i) ? pick_ends : pick_continues;

  assign imem_addr_o = pc_q[sel_ctx];
  assign fetch_o     = sel_valid;
  assign fetch_ctx_o = sel_ctx;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      for (int c = 0; c < Contexts; c++) begin
        fb_addr_q[c] <= '0;
        pc_q[c]      <= '0;
      end
      fb_valid_q <= '0;
      stop_q     <= '1;
      after_q    <= '0;  // as if the last context had fetched
    end else begin
      if (issue_i) begin
        fb_valid_q[issue_ctx_i] <= 1'b0;
        if (resolve_i) begin
          stop_q[issue_ctx_i] <= 1'b0;
          if (jump_i) begin
            pc_q[issue_ctx_i] <= jump_target_i;
          end
        end
        if (ends_i) begin
          stop_q[issue_ctx_i] <= 1'b1;
        end
      end
      if (sel_valid) begin
        fb_addr_q[sel_ctx]  <= pc_q[sel_ctx];
        pc_q[sel_ctx]       <= pc_q[sel_ctx] + 12'd1;
        fb_valid_q[sel_ctx] <= 1'b1;
        stop_q[sel_ctx]     <= fetched_control;  // a control op stops fetch
        after_q             <= ~((Contexts'(2) << sel_ctx) - Contexts'(1));
      end
      if (start_i) begin
        fb_valid_q[start_ctx_i] <= 1'b0;
        pc_q[start_ctx_i]       <= entry_i;
        stop_q[start_ctx_i]     <= 1'b0;
      end
    end
  end

  for (genvar l = 0; l < Lanes; l++) begin : g_fetch_decode
    logic [63:0] wave_word;  // the slot being fetched, named for waveforms
    assign wave_word = imem_bundle_i[l*64 +: 64];
  end

  logic [Ops-1:0]      fb_regs_q [Contexts];
  logic [Contexts-1:0] fb_control_q, fb_hcall_q, fb_div_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      for (int c = 0; c < Contexts; c++) begin
        fb_regs_q[c] <= '0;
      end
      fb_control_q <= '0;
      fb_hcall_q   <= '0;
      fb_div_q     <= '0;
    end else if (sel_valid) begin
      fb_regs_q[sel_ctx]    <= fetched_regs;
      fb_control_q[sel_ctx] <= fetched_control;
      fb_hcall_q[sel_ctx]   <= fetched_hcall;
      fb_div_q[sel_ctx]     <= fetched_div;
    end
  end

  for (genvar c = 0; c < Contexts; c++) begin : g_ctx
    assign fb_regs_o[c*Ops +: Ops] = fb_regs_q[c];

    logic [11:0] wave_pc, wave_fb_addr;  // named for waveforms
    assign wave_pc      = pc_q[c];
    assign wave_fb_addr = fb_addr_q[c];
  end
  assign fb_control_o = fb_control_q;
  assign fb_hcall_o   = fb_hcall_q;
  assign fb_div_o     = fb_div_q;

  assign issue_addr_o = fb_addr_q[issue_ctx_i];
  assign fb_valid_o   = fb_valid_q;

endmodule
