// The NIC eBPF core (docs/nic-isa.md sections 2 and 5-9): K hardware contexts, fetch into
// per-context fetch buffers, issue of one L-slot bundle per cycle, a register file of 11 x 64
// bits per context, M memory ports, one multiplier, one divider and the helper-unit port.
//
// Outside the core, and reached through its ports: the instruction memory (two read ports, read
// combinationally: fetch's, and issue's for the bundle in the issuing context's FB; with each
// bundle's predecoded bits — nic_slot_uses, each slot's nic_slot_decode::ctl and the lane ->
// memory port map — computed as the image is written) and constant pool (read
// combinationally), the data memories (packet buffers, stacks, map values, firmware data; the
// core checks every bound except map-value liveness, which the map engine answers on the port),
// the helper units (request in the issue cycle, answer with r0, latency, fault and the packet
// pointers in the same cycle), and the dispatcher that starts packets. start_i and
// abort_i act at the end of the cycle they are given in: a context started in cycle s-1 runs
// from s; a context aborted in cycle e runs no more from e+1.

module nic_core #(
  parameter int unsigned Lanes         = 4,
  parameter int unsigned Contexts      = 4,
  parameter int unsigned MemPorts      = 2,
  parameter int unsigned LoadLatency   = 2,
  parameter int unsigned MulLatency    = 2,
  parameter int unsigned Div64Latency  = 33,
  parameter int unsigned Div32Latency  = 17,
  parameter bit          HelperArbiter = 1'b0,  // several cores share the helper port
  localparam int unsigned CtxW    = (Contexts > 1) ? $clog2(Contexts) : 1,
  localparam int unsigned WrPorts = 2 * Lanes + 2 + Contexts,
  localparam int unsigned PortW   = (MemPorts > 1) ? $clog2(MemPorts) : 1,
  localparam int unsigned LaneW   = (Lanes > 1) ? $clog2(Lanes) : 1,
  // The helper ports come last, each writing r0 of its own context. Their data is kept apart
  // from the other ports' (which depends on the state only): it is a same-cycle helper answer
  // (an input) or a result held from an earlier one, chosen in the register file's clocked
  // block, since a simulator evaluates logic an input reaches outside clocked blocks twice per
  // cycle.
  localparam int unsigned PortHelper = 2 * Lanes + 2
) (
  input  logic                      clk_i,
  input  logic                      rst_ni,

  // ---- configuration (stable while packets run) ----
  input  logic [3:0]                core_id_i,
  input  logic [11:0]               entry_i,
  input  logic                      raw_entry_i,   // r1 = packet data, r2 = length

  // ---- instruction memory and constant pool ----
  output logic [11:0]               imem_addr_o,   // fetch's read port
  input  logic [Lanes*64-1:0]       imem_bundle_i,
  input  logic [nic_pkg::SlotUsesW-1:0] imem_uses_i,  // the bundle's predecoded bits
  output logic [11:0]               issue_addr_o,  // issue's read port: the issuing bundle
  input  logic [Lanes*64-1:0]       issue_bundle_i,
  input  logic [Lanes*nic_pkg::SlotCtlBits-1:0] issue_ctl_i,  // its slots' control bits
  input  logic [Lanes-1:0]          issue_has_port_i,  // and its lane -> memory port map
  input  logic [Lanes*PortW-1:0]    issue_port_of_i,
  input  logic [3*LaneW-1:0]        issue_lanes_i,  // {hcall, div, mul}: the lane of each
  output logic [Lanes*16-1:0]       pool_addr_o,
  input  logic [Lanes*64-1:0]       pool_data_i,

  // ---- dispatcher ----
  input  logic                      start_i,
  input  logic [CtxW-1:0]           start_ctx_i,
  input  logic [31:0]               start_pkt_data_i,
  input  logic [31:0]               start_pkt_end_i,
  input  logic [31:0]               start_pkt_meta_i,
  input  logic [31:0]               start_ingress_i,
  input  logic [31:0]               start_rx_queue_i,
  input  logic [31:0]               start_cpu_id_i,
  input  logic [63:0]               start_time_ns_i,
  input  logic [Contexts-1:0]       abort_i,       // cycle budget exhausted

  // ---- data memory ports ----
  output logic [CtxW-1:0]           dmem_ctx_o,
  output logic [MemPorts-1:0]       dmem_valid_o,
  output logic [MemPorts-1:0]       dmem_write_o,
  output logic [MemPorts-1:0]       dmem_map_o,
  output logic [MemPorts*32-1:0]    dmem_addr_o,
  output logic [MemPorts*4-1:0]     dmem_size_o,
  output logic [MemPorts*64-1:0]    dmem_wdata_o,
  input  logic [MemPorts*64-1:0]    dmem_rdata_i,
  input  logic [MemPorts-1:0]       dmem_map_fault_i,
  // dmem_wdata_o of the bundle that issued at the last clock edge, computed in a clocked block
  // (the write data of a read-modify-write depends on dmem_rdata_i: see nic_lsu)
  output logic [MemPorts*64-1:0]    issued_wdata_o,

  // ---- helper units ----
  input  logic                      helper_busy_i,
  output logic                      helper_valid_o,
  output logic [CtxW-1:0]           helper_ctx_o,
  output logic [31:0]               helper_id_o,
  output logic [5*64-1:0]           helper_args_o,
  input  logic [63:0]               helper_r0_i,
  input  logic [15:0]               helper_latency_i,
  input  logic                      helper_fault_i,
  input  logic [31:0]               helper_pkt_data_i,
  input  logic [31:0]               helper_pkt_end_i,
  input  logic [31:0]               helper_pkt_meta_i,

  // ---- retire (docs/nic-isa.md section 13) ----
  output logic                      retire_valid_o,
  output logic [CtxW-1:0]           retire_ctx_o,
  output logic [11:0]               retire_addr_o,
  output logic                      retire_commit_o,  // memory writes take place
  output logic                      retire_end_o,     // the packet ends
  output logic                      retire_fault_o,
  output logic [63:0]               retire_r0_o,
  // The register-write ports (see also start_i, section "outputs"): the ports below PortWb,
  // the issuing bundle's, write only where rf_wr_commit_o is set; a helper port (one per
  // context, writing r0) with the result held from an earlier helper answer, and that of
  // helper_ctx_o also with helper_r0_i where rf_wr_helper_now_o is set.
  output logic [WrPorts-1:0]        rf_wr_valid_o,
  output logic                      rf_wr_commit_o,
  output logic [WrPorts*CtxW-1:0]   rf_wr_ctx_o,
  output logic [WrPorts*4-1:0]      rf_wr_reg_o,
  output logic [PortHelper*64-1:0]  rf_wr_data_o,         // ports below the helper ports
  output logic                      rf_wr_helper_now_o,
  output logic [Contexts*64-1:0]    rf_wr_helper_held_o,

  // ---- observation ----
  output logic                      fetch_valid_o,
  output logic [CtxW-1:0]           fetch_ctx_o,
  output logic [11:0]               fetch_addr_o,
  output logic [Contexts*64-1:0]    ctx_r0_o,
  output logic [Contexts-1:0]       running_o,
  output logic [Contexts*3-1:0]     stall_o,  // bit k of context c's stall code at k * Contexts + c
  output logic [63:0]               cycle_o
);

  localparam int unsigned Ops        = nic_pkg::NumOperands;
  localparam int unsigned CtlW       = nic_pkg::SlotCtlBits;
  localparam int unsigned PortNow    = 0;
  localparam int unsigned PortExit   = Lanes;
  localparam int unsigned PortWb     = Lanes + 1;
  localparam int unsigned PortDiv    = 2 * Lanes + 1;
  localparam int unsigned RdPorts    = 3 * Lanes + 6;  // ra, rb, rd per lane; r1..r5; r0
  localparam int unsigned RdHelper   = 3 * Lanes;
  localparam int unsigned RdR0       = 3 * Lanes + 5;

  // ---- per-context state ----
  logic [Contexts-1:0] running_q;
  logic [31:0]         pkt_data_q [Contexts];
  logic [31:0]         pkt_end_q [Contexts];
  logic [31:0]         pkt_meta_q [Contexts];
  logic [31:0]         ingress_q [Contexts];
  logic [31:0]         rx_queue_q [Contexts];
  logic [31:0]         cpu_id_q [Contexts];
  logic [63:0]         time_ns_q [Contexts];
  // The contexts' link registers, packed (context c's at c * 12): written by a call and a
  // packet start, read by a return only, so that a packed write (a read-modify-write of one
  // variable) costs only then, where an array element costs a deferred-update flag cleared
  // and tested every cycle.
  logic [Contexts*12-1:0] lr_q;
  // A helper's r0 held until its block ends, packed too (context c's at c * 64): the register
  // file's held ports read all of it, a helper call writes one context's.
  logic [Contexts*64-1:0] hp_data_q;
  logic [63:0]         cycle_q;

  // ---- fetch and issue ----
  logic [Contexts-1:0]     fb_valid, fb_control, fb_hcall, fb_div;
  logic [Contexts*Ops-1:0] fb_regs, reg_ready;
  logic [Lanes*64-1:0]     bundle;  // the issuing bundle, read at issue (nic_fetch)
  logic [11:0]             bundle_addr;
  logic                    issue, resolve, jump, ends;
  logic [CtxW-1:0]         ic;
  logic [11:0]             jump_target;
  logic [Contexts-1:0]     blocked, block_last;
  logic                    div_busy;

  nic_fetch #(.Lanes(Lanes), .Contexts(Contexts)) u_fetch (
    .clk_i, .rst_ni,
    .entry_i,
    .start_i, .start_ctx_i,
    .running_i      (running_q),
    .issue_i        (issue),
    .issue_ctx_i    (ic),
    .ends_i         (ends),
    .resolve_i      (resolve),
    .jump_i         (jump),
    .jump_target_i  (jump_target),
    .imem_addr_o,
    .imem_bundle_i,
    .imem_uses_i,
    .fetch_o        (fetch_valid_o),
    .fetch_ctx_o,
    .fb_valid_o     (fb_valid),
    .fb_regs_o      (fb_regs),
    .fb_control_o   (fb_control),
    .fb_hcall_o     (fb_hcall),
    .fb_div_o       (fb_div),
    .issue_addr_o   (bundle_addr)
  );

  nic_issue #(.Contexts(Contexts), .HelperArbiter(HelperArbiter)) u_issue (
    .clk_i, .rst_ni,
    .start_i, .start_ctx_i,
    .running_i     (running_q),
    .fb_valid_i    (fb_valid),
    .fb_regs_i     (fb_regs),
    .fb_hcall_i    (fb_hcall),
    .fb_div_i      (fb_div),
    .reg_ready_i   (reg_ready),
    .blocked_i     (blocked),
    .div_busy_i    (div_busy),
    .helper_busy_i,
    .resolve_i     (resolve),
    .issue_o       (issue),
    .issue_ctx_o   (ic),
    .stall_o
  );

  // ---- decode and register read of the issued bundle ----
  logic [CtlW-1:0]        ctl [Lanes];  // nic_pkg::slot_ctl_t
  logic [Lanes*nic_pkg::SlotCtlBits-1:0] ctl_flat;  // lane l's at l * SlotCtlBits
  logic [RdPorts*4-1:0]   rd_reg;
  logic [RdPorts*64-1:0]  rd_data;
  logic [63:0]            ra_val [Lanes];
  logic [63:0]            rb_val [Lanes];
  logic [63:0]            rd_val [Lanes];

  // The issuing bundle and its slots' control bits, read through the instruction memory's
  // issue port at the issuing context's FB address.
  assign issue_addr_o = bundle_addr;
  assign bundle       = issue_bundle_i;
  assign ctl_flat     = issue_ctl_i;

  for (genvar l = 0; l < Lanes; l++) begin : g_decode
    // The slot's control bits come predecoded with the bundle (nic_slot_decode::ctl, computed
    // as the image was written); only its register fields and immediates are read here.
    logic [63:0] wave_word;  // the issuing slot, named for waveforms
    assign wave_word = bundle[l*64 +: 64];
    assign ctl[l]    = ctl_flat[l*nic_pkg::SlotCtlBits +: CtlW];
    assign pool_addr_o[l*16 +: 16]  = bundle[l*64 +: 16];  // imm32's low half
    assign rd_reg[(3*l)*4 +: 4]     = bundle[l*64 + nic_pkg::SlotRa +: 4];  // ra
    assign rd_reg[(3*l+1)*4 +: 4]   = bundle[l*64 + nic_pkg::SlotRb +: 4];  // rb
    assign rd_reg[(3*l+2)*4 +: 4]   = bundle[l*64 + nic_pkg::SlotRd +: 4];  // rd
    assign ra_val[l] = rd_data[(3*l)*64 +: 64];
    assign rb_val[l] = rd_data[(3*l+1)*64 +: 64];
    assign rd_val[l] = rd_data[(3*l+2)*64 +: 64];
  end
  for (genvar a = 0; a < 5; a++) begin : g_helper_arg
    assign rd_reg[(RdHelper+a)*4 +: 4]   = 4'(a + 1);
    assign helper_args_o[a*64 +: 64]     = rd_data[(RdHelper+a)*64 +: 64];
  end
  assign rd_reg[RdR0*4 +: 4] = 4'd0;

  logic [WrPorts-1:0]      wr_valid;
  logic [WrPorts*CtxW-1:0] wr_ctx;
  logic [WrPorts*4-1:0]    wr_reg;
  logic [PortHelper*64-1:0] wr_data;  // the ports below the helper ports
  logic [63:0]             start_r1, start_r2;

  assign start_r1 = raw_entry_i ? {32'b0, start_pkt_data_i} : {32'b0, nic_pkg::ContextBase};
  assign start_r2 = raw_entry_i ? {32'b0, start_pkt_end_i - start_pkt_data_i} : '0;

  nic_regfile #(
    .Contexts    (Contexts),
    .WrPorts     (PortHelper),
    .RdPorts     (RdPorts),
    .CommitPorts (PortWb)
  ) u_regfile (
    .clk_i,
    .start_i, .start_ctx_i,
    .start_r1_i (start_r1),
    .start_r2_i (start_r2),
    .wr_valid_i (wr_valid[0 +: PortHelper]),
    .commit_i   (commit),
    .wr_ctx_i   (wr_ctx[0 +: PortHelper*CtxW]),
    .wr_reg_i   (wr_reg[0 +: PortHelper*4]),
    .wr_data_i  (wr_data),
    .r0_held_valid_i (helper_held_wr),
    .r0_now_i      (helper_now),
    .r0_now_data_i (helper_r0_i),
    .r0_held_i     (rf_wr_helper_held_o),
    .rd_ctx_i   (ic),
    .rd_reg_i   (rd_reg),
    .rd_data_o  (rd_data),
    .pkt_data_i (pkt_data_q[ic]),
    .pkt_end_i  (pkt_end_q[ic]),
    .pkt_meta_i (pkt_meta_q[ic]),
    .r0_o       (ctx_r0_o)
  );

  logic [63:0] context_id;  // the `context_id` special register of the issuing context
  assign context_id = 64'(core_id_i) * 64'(Contexts) + 64'(ic);

  // ---- lanes ----
  logic [63:0]         lane_b [Lanes];
  logic [63:0]         now_value [Lanes];
  logic [63:0]         ctx_value [Lanes];
  logic [Lanes-1:0]    taken, agu_fault, agu_fault_ends, map, ctx_window;
  logic [Lanes*32-1:0] addr;
  logic [63:0]         store_val [Lanes];
  logic [Lanes*64-1:0] wave_lane_rdata;  // each memory lane's read data (nic_lsu)

  for (genvar l = 0; l < Lanes; l++) begin : g_lane
    nic_lane u_lane (
      .ctl_i         (ctl[l]),
      .word_i        (bundle[l*64 +: 64]),
      .ra_i          (ra_val[l]),
      .rb_i          (rb_val[l]),
      .pool_i        (pool_data_i[l*64 +: 64]),
      .pkt_data_i    (pkt_data_q[ic]),
      .pkt_end_i     (pkt_end_q[ic]),
      .pkt_meta_i    (pkt_meta_q[ic]),
      .ingress_i     (ingress_q[ic]),
      .rx_queue_i    (rx_queue_q[ic]),
      .cpu_id_i      (cpu_id_q[ic]),
      .time_ns_i     (time_ns_q[ic]),
      .context_id_i  (context_id),
      .cycle_i       (cycle_q),
      .b_o           (lane_b[l]),
      .now_value_o   (now_value[l]),
      .taken_o       (taken[l]),
      .addr_o        (addr[l*32 +: 32]),
      .store_value_o (store_val[l]),
      .fault_o       (agu_fault[l]),
      .fault_ends_o  (agu_fault_ends[l]),
      .map_o         (map[l]),
      .ctx_window_o  (ctx_window[l]),
      .ctx_value_o   (ctx_value[l])
    );
  end

  // ---- memory ports ----
  logic map_fault;

  nic_lsu #(.Lanes(Lanes), .MemPorts(MemPorts)) u_lsu (
    .issue_i       (issue),
    .ctl_i         (ctl_flat),
    .has_port_i    (issue_has_port_i),
    .port_of_i     (issue_port_of_i),
    .addr_i        (addr),
    .fault_i       (agu_fault),
    .map_i         (map),
    .ctx_window_i  (ctx_window),
    .req_valid_o   (dmem_valid_o),
    .req_write_o   (dmem_write_o),
    .req_map_o     (dmem_map_o),
    .req_addr_o    (dmem_addr_o),
    .req_size_o    (dmem_size_o),
    .rdata_i       (dmem_rdata_i),
    .map_fault_i   (dmem_map_fault_i),
    .lane_rdata_o  (wave_lane_rdata),
    .map_fault_o   (map_fault)
  );

  // Each port's write data: a store's value, or what a read-modify-write computes from the
  // memory's answer. The retire record takes it from a clocked block (logic an input reaches
  // outside one is evaluated twice per cycle, see nic_lsu), which skips the lane walk for a
  // bundle without a memory write (most); dmem_wdata_o, the same in the issue cycle, is for
  // waveforms only. The function reads the module's signals itself: as arguments, a simulator
  // would copy them at every call.
  function automatic logic [MemPorts*64-1:0] issued_write_data();
    logic [PortW-1:0] q;
    logic [63:0]      old, w;
    issued_write_data = '0;
    for (int l = 0; l < Lanes; l++) begin
      if (issue_has_port_i[l]) begin
        q   = issue_port_of_i[l*PortW +: PortW];
        // The port's word chosen by comparison with each constant port number: a part-select
        // at a computed offset of a vector wider than 64 bits simulates as shifts across words.
        old = '0;
        for (int k = 0; k < MemPorts; k++) begin
          if (32'(q) == k) begin
            old = dmem_rdata_i[k*64 +: 64] &
                  nic_pkg::size_mask(ctl[l][nic_pkg::CtlSize +: nic_pkg::CtlSizeBits]);
          end
        end
        w = nic_pkg::mem_write_data(ctl[l], old, rb_val[l], rd_val[l], store_val[l]);
        for (int k = 0; k < MemPorts; k++) begin
          if (32'(q) == k) issued_write_data[k*64 +: 64] = w;
        end
      end
    end
  endfunction

  always_comb dmem_wdata_o = issued_write_data();

  always_ff @(posedge clk_i) begin
    if (issue && dmem_write_o == '0) begin
      issued_wdata_o <= '0;
    end else if (issue) begin
      issued_wdata_o <= issued_write_data();
    end
  end
  assign dmem_ctx_o = ic;

  // ---- control: the first control operation that fires, in lane order ----
  logic        fired, ctrl_exit, ctrl_jump, ctrl_call, has_hcall, has_div, agu_ends;
  logic [63:0] exit_value, mul_a, mul_b;
  logic [31:0] hcall_id;
  logic [LaneW-1:0] mul_lane, div_lane, hcall_lane;

  // The lanes of the bundle's multiplication, division and hcall come predecoded with it (the
  // last such slot in lane order, 0 if none; whether there is one is fb_div / fb_hcall for
  // the units that act on it, and a product nobody uses is not written).
  assign {hcall_lane, div_lane, mul_lane} = issue_lanes_i;
  assign has_hcall = fb_hcall[ic];
  assign hcall_id  = bundle[hcall_lane*64 +: 32];
  assign has_div   = fb_div[ic];
  assign mul_a     = ra_val[mul_lane];
  assign mul_b     = lane_b[mul_lane];

  always_comb begin
    fired       = 1'b0;
    ctrl_exit   = 1'b0;
    ctrl_jump   = 1'b0;
    ctrl_call   = 1'b0;
    exit_value  = '0;
    jump_target = '0;
    // The issuing bundle's predecoded flag gates the walk that finds nothing in most bundles,
    // so that a simulator skips it there: the flag is the OR of its slots' nic_slot_uses
    // bit, which selects exactly the operations the walk looks for.
    if (fb_control[ic]) begin
      for (int l = 0; l < Lanes; l++) begin
        if (!fired) begin
          if (ctl[l][nic_pkg::CtlOp +: nic_pkg::CtlOpBits] == nic_pkg::OpBranch && taken[l]) begin
            fired = 1'b1;
            if (bundle[l*64 + nic_pkg::SlotX12 +: 12] >= nic_pkg::ExitVectorBase) begin
              ctrl_exit  = 1'b1;
              exit_value = {61'b0, bundle[l*64 + nic_pkg::SlotX12 +: 3]};
            end else begin
              ctrl_jump   = 1'b1;
              jump_target = bundle[l*64 + nic_pkg::SlotX12 +: 12];
            end
          end else if (ctl[l][nic_pkg::CtlOp +: nic_pkg::CtlOpBits] == nic_pkg::OpCallf) begin
            fired       = 1'b1;
            ctrl_jump   = 1'b1;
            ctrl_call   = 1'b1;
            jump_target = bundle[l*64 + nic_pkg::SlotX12 +: 12];
          end else if (ctl[l][nic_pkg::CtlOp +: nic_pkg::CtlOpBits] == nic_pkg::OpRet) begin
            fired       = 1'b1;
            ctrl_jump   = 1'b1;
            jump_target = lr_q[ic*12 +: 12];
          end else if (ctl[l][nic_pkg::CtlOp +: nic_pkg::CtlOpBits] == nic_pkg::OpExitImm) begin
            fired      = 1'b1;
            ctrl_exit  = 1'b1;
            exit_value = {{32{bundle[l*64 + 31]}}, bundle[l*64 +: 32]};
          end else if (ctl[l][nic_pkg::CtlOp +: nic_pkg::CtlOpBits] == nic_pkg::OpExitReg) begin
            fired      = 1'b1;
            ctrl_exit  = 1'b1;
            exit_value = ra_val[l];
          end
        end
      end
    end
  end

  // Whether an access of the bundle is out of bounds (an ldnf's is not: it reads as 0), from
  // the state only, so that the bundle's fault, which the memory port's answer (map_fault) also
  // decides, adds one bit to it where the answer arrives (a simulator evaluates logic an input
  // reaches twice per cycle). Each lane reports it (fault_ends_o): one OR here.
  assign agu_ends = agu_fault_ends != '0;

  // ---- the outcome of the issued bundle ----
  logic bundle_fault, helper_fault, commit, exit_fire;

  assign bundle_fault = issue && (agu_ends || map_fault);
  assign helper_fault = helper_valid_o && helper_fault_i;
  assign commit       = issue && !bundle_fault;
  assign exit_fire    = commit && ctrl_exit;
  assign ends         = issue && (bundle_fault || exit_fire || helper_fault);
  assign resolve      = issue && fb_control[ic] && !ends;
  assign jump         = resolve && ctrl_jump;

  assign helper_valid_o = issue && has_hcall;
  assign helper_ctx_o   = ic;
  assign helper_id_o    = hcall_id;

  // ---- multiplier (one per core) and divider (one per core) ----
  logic [63:0] product;
  assign product = mul_a * mul_b;  // the low 32 bits of a product need only the low halves

  // Registers owed a result by any unit (the divider, the lanes' writeback pipelines), OR-ed
  // along the pipelines (g_wb[l].owed_upto) rather than gathered into one wide vector first:
  // a simulator then handles one 56-bit word per unit instead of packing and unpacking 280 bits.
  logic [Contexts*Ops-1:0] div_owed, owed;

  logic            div_wr_due;
  logic [CtxW-1:0] div_wr_ctx;
  logic [3:0]      div_wr_rd;
  logic [63:0]     div_wr_data;

  nic_divider #(
    .Contexts     (Contexts),
    .Div64Latency (Div64Latency),
    .Div32Latency (Div32Latency)
  ) u_divider (
    .clk_i, .rst_ni,
    .start_i      (commit && has_div),
    .func_i       (ctl[div_lane][nic_pkg::CtlFunc +: nic_pkg::CtlFuncBits]),
    .w32_i        (ctl[div_lane][nic_pkg::CtlW32]),
    .a_i          (ra_val[div_lane]),
    .b_i          (lane_b[div_lane]),
    .ctx_i        (ic),
    .rd_i         (bundle[div_lane*64 + nic_pkg::SlotRd +: 4]),
    .cancel_i     (start_i),
    .cancel_ctx_i (start_ctx_i),
    .busy_o       (div_busy),
    .wr_valid_o   (),  // wr_due_o without a cancelled result: for waveforms
    .wr_due_o     (div_wr_due),
    .wr_ctx_o     (div_wr_ctx),
    .wr_rd_o      (div_wr_rd),
    .wr_data_o    (div_wr_data),
    .owed_o       (div_owed)
  );

  // ---- writeback pipelines ----
  logic            wb_valid [Lanes];
  logic [CtxW-1:0] wb_ctx [Lanes];
  logic [3:0]      wb_reg [Lanes];
  logic [63:0]     wb_data [Lanes];

  for (genvar l = 0; l < Lanes; l++) begin : g_wb
    logic [Contexts*Ops-1:0] pipe_owed, owed_upto;
    if (l == 0) begin : g_first
      assign owed_upto = div_owed | pipe_owed;
    end else begin : g_next
      assign owed_upto = g_wb[l-1].owed_upto | pipe_owed;
    end
    nic_wb_pipe #(.Contexts(Contexts), .Latency(LoadLatency), .MemPorts(MemPorts)) u_wb (
      .clk_i, .rst_ni,
      .in_valid_i      (ctl[l][nic_pkg::CtlWritesLate]),
      .in_commit_i     (commit),
      .in_ctx_i        (ic),
      .in_reg_i        (bundle[l*64 + nic_pkg::SlotRd +: 4]),
      .in_ctl_i        (ctl[l]),
      .in_product_i    (product),
      .in_ctx_window_i (ctx_window[l]),
      .in_ctx_value_i  (ctx_value[l]),
      .in_port_i       (issue_port_of_i[l*PortW +: PortW]),
      .in_map_i        (map[l]),
      .in_addr_fault_i (agu_fault[l]),
      .rdata_i         (dmem_rdata_i),
      .map_fault_i     (dmem_map_fault_i),
      .cancel_i        (start_i),
      .cancel_ctx_i    (start_ctx_i),
      .wr_valid_o      (wb_valid[l]),
      .wr_ctx_o        (wb_ctx[l]),
      .wr_reg_o        (wb_reg[l]),
      .wr_data_o       (wb_data[l]),
      .owed_o          (pipe_owed)
    );
  end
  assign owed = g_wb[Lanes-1].owed_upto;

  // ---- register write ports ----
  // Each port's fields are assigned on their own, and its valid bit depends on the state only:
  // what this cycle's answers decide (whether the bundle commits, a helper's result of latency
  // 1) is applied by the register file in its clocked block (commit, helper_now), since a
  // simulator evaluates logic the answers reach outside clocked blocks twice per cycle.
  logic                helper_now;      // a helper of latency 1 writes r0 at the end of its issue
  logic [Contexts-1:0] helper_held_wr;  // the result held for a longer latency is written
  logic [Lanes-1:0]    now_writes, wb_writes;

  for (genvar l = 0; l < Lanes; l++) begin : g_wr_lane
    assign now_writes[l]                    = ctl[l][nic_pkg::CtlWritesNow];
    assign wb_writes[l]                     = wb_valid[l];
    assign wr_ctx[(PortNow+l)*CtxW +: CtxW] = ic;
    assign wr_reg[(PortNow+l)*4 +: 4]       = bundle[l*64 + nic_pkg::SlotRd +: 4];
    assign wr_data[(PortNow+l)*64 +: 64]    = now_value[l];
    assign wr_ctx[(PortWb+l)*CtxW +: CtxW]  = wb_ctx[l];
    assign wr_reg[(PortWb+l)*4 +: 4]        = wb_reg[l];
    assign wr_data[(PortWb+l)*64 +: 64]     = wb_data[l];
  end
  assign wr_ctx[PortExit*CtxW +: CtxW] = ic;
  assign wr_reg[PortExit*4 +: 4]       = 4'd0;
  assign wr_data[PortExit*64 +: 64]    = exit_value;
  assign wr_ctx[PortDiv*CtxW +: CtxW]  = div_wr_ctx;
  assign wr_reg[PortDiv*4 +: 4]        = div_wr_rd;
  assign wr_data[PortDiv*64 +: 64]     = div_wr_data;
  assign helper_now = helper_valid_o && !helper_fault_i && helper_latency_i <= 16'd1;
  for (genvar c = 0; c < Contexts; c++) begin : g_wr_helper
    // Only an answer of latency 2 or more blocks its context (the scoreboard loads
    // latency - 1), and a blocked context neither issues another helper nor starts without
    // clearing the block: the last blocked cycle is the held answer's write, no valid bit
    // needed (which the clocked block would clear there, reading the scoreboard's counters).
    assign helper_held_wr[c]                   = block_last[c];
    assign wr_ctx[(PortHelper+c)*CtxW +: CtxW] = CtxW'(c);
    assign wr_reg[(PortHelper+c)*4 +: 4]       = 4'd0;
  end
  // In port order (PortNow, PortExit, PortWb, PortDiv, PortHelper), in one expression; the
  // ports below PortWb write only if the bundle commits, the divider's and the writeback
  // pipelines' not to a context that starts a packet (the register file gives the start
  // precedence), a helper port also with helper_now.
  assign wr_valid = {helper_held_wr, div_wr_due, wb_writes, ctrl_exit, now_writes};

  // ---- scoreboard ----
  nic_scoreboard #(.Contexts(Contexts)) u_scoreboard (
    .clk_i, .rst_ni,
    .clear_i      (start_i),
    .clear_ctx_i  (start_ctx_i),
    .owed_i       (owed),
    .block_ctx_i  (ic),
    .block_i      (helper_valid_o && !helper_fault_i),
    .block_latency_i (helper_latency_i),
    .ready_o      (reg_ready),
    .blocked_o    (blocked),
    .block_last_o (block_last)
  );

  // ---- per-context state ----
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      running_q  <= '0;
      cycle_q    <= '0;
      lr_q       <= '0;
      hp_data_q  <= '0;
    end else begin
      cycle_q <= cycle_q + 64'd1;
      running_q <= running_q & ~abort_i;
      if (ends) begin
        running_q[ic] <= 1'b0;
      end
      // The packed fields written at constant positions, one context compared at a time (only
      // in the cycle of the write): a position computed from the context would be a shifter
      // in synthesis.
      if (jump && ctrl_call) begin
        for (int c = 0; c < Contexts; c++) begin
          if (ic == CtxW'(c)) lr_q[c*12 +: 12] <= bundle_addr + 12'd1;
        end
      end
      if (helper_valid_o && !helper_fault_i) begin
        for (int c = 0; c < Contexts; c++) begin
          if (ic == CtxW'(c)) hp_data_q[c*64 +: 64] <= helper_r0_i;
        end
      end
      if (start_i) begin
        running_q[start_ctx_i]  <= 1'b1;
        for (int c = 0; c < Contexts; c++) begin
          if (start_ctx_i == CtxW'(c)) lr_q[c*12 +: 12] <= '0;
        end
      end
    end
  end

  // A context's packet values, written when its packet starts (the pointers also by a
  // packet-adjust helper) before anything reads them: data without a reset, as a simulator
  // defers each written array's reset as one more write every cycle.
  always_ff @(posedge clk_i) begin
    if (helper_valid_o && !helper_fault_i) begin
      pkt_data_q[ic] <= helper_pkt_data_i;
      pkt_end_q[ic]  <= helper_pkt_end_i;
      pkt_meta_q[ic] <= helper_pkt_meta_i;
    end
    if (start_i) begin
      pkt_data_q[start_ctx_i] <= start_pkt_data_i;
      pkt_end_q[start_ctx_i]  <= start_pkt_end_i;
      pkt_meta_q[start_ctx_i] <= start_pkt_meta_i;
      ingress_q[start_ctx_i]  <= start_ingress_i;
      rx_queue_q[start_ctx_i] <= start_rx_queue_i;
      cpu_id_q[start_ctx_i]   <= start_cpu_id_i;
      time_ns_q[start_ctx_i]  <= start_time_ns_i;
    end
  end

  for (genvar c = 0; c < Contexts; c++) begin : g_ctx
    // The context's state, named for waveforms.
    logic        wave_running, wave_fb_valid, wave_blocked;
    logic [2:0]  wave_stall;
    assign wave_running  = running_q[c];
    assign wave_fb_valid = fb_valid[c];
    assign wave_blocked  = blocked[c];
    assign wave_stall    = {stall_o[2*Contexts + c], stall_o[Contexts + c], stall_o[c]};
  end

  // ---- outputs ----
  // The register-write ports as the register file sees them: a write to a context that starts
  // a new packet at the end of this cycle (start_i, start_ctx_i) does not take place, as the
  // register file gives the start precedence; an observer drops it. Masking it here would be
  // logic that an input reaches, which a simulator re-evaluates with every evaluation.
  assign rf_wr_valid_o   = wr_valid;
  assign rf_wr_commit_o  = commit;
  assign rf_wr_ctx_o     = wr_ctx;
  assign rf_wr_reg_o     = wr_reg;
  assign rf_wr_data_o        = wr_data;
  assign rf_wr_helper_now_o  = helper_now;
  assign rf_wr_helper_held_o = hp_data_q;
  assign retire_valid_o  = issue;
  assign retire_ctx_o    = ic;
  assign retire_addr_o   = bundle_addr;
  assign retire_commit_o = commit;
  assign retire_end_o    = ends;
  assign retire_fault_o  = bundle_fault || helper_fault;
  assign retire_r0_o     = exit_fire ? exit_value : rd_data[RdR0*64 +: 64];
  assign running_o       = running_q;
  assign fetch_addr_o    = imem_addr_o;
  assign cycle_o         = cycle_q;

`ifndef SYNTHESIS
  if (Lanes < 1 || Lanes > 8) begin : g_bad_lanes
    $error("nic_core: Lanes must be 1..8");
  end
  if (Contexts < 1 || Contexts > 16) begin : g_bad_contexts
    $error("nic_core: Contexts must be 1..16");
  end
  if (MemPorts < 1 || MemPorts > Lanes) begin : g_bad_ports
    $error("nic_core: MemPorts must be 1..Lanes");
  end
  if (MulLatency != LoadLatency) begin : g_bad_mul
    $error("nic_core: the multiplier shares the writeback pipeline (MulLatency == LoadLatency)");
  end
  if ($bits(nic_pkg::slot_ctl_t) != nic_pkg::SlotCtlBits) begin : g_bad_ctl
    $error("nic_core: nic_pkg::SlotCtlBits does not match slot_ctl_t");
  end

`ifdef NIC_ASSERTIONS
  // Two ports never write one register in one cycle (the scoreboard's promise).
  logic [WrPorts-1:0] wr_takes;  // the ports that write
  assign wr_takes = (wr_valid & {{(WrPorts - PortWb){1'b1}}, {PortWb{commit}}}) |
                    {Contexts'(helper_now) << ic, {PortHelper{1'b0}}};
  always_ff @(posedge clk_i) begin
    for (int p = 0; p < WrPorts; p++) begin
      for (int q = p + 1; q < WrPorts; q++) begin
        assert (!(wr_takes[p] && wr_takes[q] &&
                  wr_ctx[p*CtxW +: CtxW] == wr_ctx[q*CtxW +: CtxW] &&
                  wr_reg[p*4 +: 4] == wr_reg[q*4 +: 4]))
          else $error("nic_core: ports %0d and %0d write one register", p, q);
      end
    end
  end
  // A bundle issues only from a running context with a full fetch buffer.
  always_ff @(posedge clk_i) begin
    if (issue) assert (running_q[ic] && fb_valid[ic]);
  end
`endif
`endif

endmodule
