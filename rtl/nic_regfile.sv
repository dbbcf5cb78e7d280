// The register file: r0..r9 of every context in flops (r10 is the constant frame pointer and
// r11..r13 the context's packet pointers, neither stored here). Flops written at the end of a
// cycle are read by the next: that is the full bypass of docs/nic-isa.md section 6, within and
// across lanes, with no forwarding network. The scoreboard guarantees that no two ports write
// one register in the same cycle. Read ports serve the issuing context only.

module nic_regfile #(
  parameter int unsigned Contexts = 4,
  parameter int unsigned WrPorts  = 8,
  parameter int unsigned RdPorts  = 8,
  // The first CommitPorts write ports carry results of the issuing bundle: they write only
  // when it commits (commit_i).
  parameter int unsigned CommitPorts = 0,
  localparam int unsigned CtxW = (Contexts > 1) ? $clog2(Contexts) : 1
) (
  input  logic                      clk_i,

  // A packet starts on `start_ctx_i`: every register 0 except r1 and r2.
  input  logic                      start_i,
  input  logic [CtxW-1:0]           start_ctx_i,
  input  logic [63:0]               start_r1_i,
  input  logic [63:0]               start_r2_i,

  input  logic [WrPorts-1:0]        wr_valid_i,
  input  logic                      commit_i,
  input  logic [WrPorts*CtxW-1:0]   wr_ctx_i,
  input  logic [WrPorts*4-1:0]      wr_reg_i,
  input  logic [WrPorts*64-1:0]     wr_data_i,

  // Ports that write r0 with a helper's result: one per context for a result held since an
  // earlier cycle (r0_held_valid_i: r0_held_i), and one for this cycle's answer, to the issuing
  // context rd_ctx_i (r0_now_i: r0_now_data_i; never where a held result is written, as a
  // context waiting for its helper does not issue). Apart from the other ports and applied
  // here, in the clocked block: the answer is an input of this cycle, and a simulator
  // evaluates logic an input reaches outside a clocked block twice per cycle (with the new
  // inputs, and again after the clock edge). For the same reason commit_i, which the answers
  // decide, gates the bundle's ports here.
  input  logic [Contexts-1:0]       r0_held_valid_i,
  input  logic                      r0_now_i,
  input  logic [63:0]               r0_now_data_i,
  input  logic [Contexts*64-1:0]    r0_held_i,

  // Reads of the issuing context; r11..r13 come from its packet pointers.
  input  logic [CtxW-1:0]           rd_ctx_i,
  input  logic [RdPorts*4-1:0]      rd_reg_i,
  output logic [RdPorts*64-1:0]     rd_data_o,
  input  logic [31:0]               pkt_data_i,
  input  logic [31:0]               pkt_end_i,
  input  logic [31:0]               pkt_meta_i,

  output logic [Contexts*64-1:0]    r0_o       // r0 of every context
);

  localparam int unsigned Stored = nic_pkg::NumStored;

  // A context's registers sit at {context, register number}: 16 slots per context, of which
  // r0..r9 are read (the others have no load and synthesis removes them). Concatenated rather
  // than context * 10 + register, the index needs no multiplication and, with a power-of-two
  // number of contexts, cannot leave the array, so a simulator does neither per access.
  localparam int unsigned Slots = Contexts * 16;

  logic [63:0] regs_q [Slots];

  function automatic logic [CtxW+3:0] slot(logic [CtxW-1:0] ctx, logic [3:0] regnum);
    slot = {ctx, regnum};
  endfunction

  // Without a reset: a context's registers are written when its packet starts, before anything
  // reads them (and a simulator defers the reset of an array as one more write every cycle).
  always_ff @(posedge clk_i) begin
    for (int p = 0; p < WrPorts; p++) begin
      if (wr_valid_i[p] && (p >= CommitPorts || commit_i)) begin
        regs_q[slot(wr_ctx_i[p*CtxW+:CtxW], wr_reg_i[p*4+:4])] <= wr_data_i[p*64+:64];
      end
    end
    for (int c = 0; c < Contexts; c++) begin
      if (r0_held_valid_i[c]) begin
        regs_q[slot(CtxW'(c), 4'd0)] <= r0_held_i[c*64+:64];
      end
    end
    if (r0_now_i) begin
      regs_q[slot(rd_ctx_i, 4'd0)] <= r0_now_data_i;
    end
    if (start_i) begin
      for (int r = 0; r < Stored; r++) begin
        regs_q[slot(start_ctx_i, 4'(r))] <= (r == 1) ? start_r1_i : (r == 2) ? start_r2_i : '0;
      end
    end
  end

  // The issuing context's registers as one array indexed by register number: r0..r9 stored,
  // r10 the frame pointer, r11..r13 the packet pointers, r14 and r15 zero (no slot names them).
  // Selecting the context once, then a plain index per read port, is a smaller multiplexer
  // than one 40-way select per port, and it simulates as an array load. Each entry is assigned
  // once: clearing the whole array first costs a simulator 16 stores per evaluation.
  logic [63:0] view [16];

  always_comb begin
    for (int r = 0; r < Stored; r++) begin
      view[r] = regs_q[slot(rd_ctx_i, 4'(r))];
    end
    view[10] = nic_pkg::FramePointer;
    view[11] = {32'b0, pkt_data_i};
    view[12] = {32'b0, pkt_end_i};
    view[13] = {32'b0, pkt_meta_i};
    view[14] = '0;
    view[15] = '0;
  end

  for (genvar p = 0; p < RdPorts; p++) begin : g_read
    assign rd_data_o[p*64 +: 64] = view[rd_reg_i[p*4 +: 4]];
  end

  for (genvar c = 0; c < Contexts; c++) begin : g_ctx
    assign r0_o[c*64 +: 64] = regs_q[c * 16];
    for (genvar r = 0; r < Stored; r++) begin : g_reg
      logic [63:0] wave_value;  // the register, named for waveforms
      assign wave_value = regs_q[c * 16 + r];
    end
  end

endmodule
