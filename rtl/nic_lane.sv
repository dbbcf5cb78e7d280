// One lane of the EX stage: operand selection, the lane's ALU, `movs`, the branch condition and
// the address of a memory operation with its bounds check. Results that land in the issue
// cycle (λ = 1) leave as now_value_o; loads, atomics and multiplications leave through the
// memory ports or the multiplier and the writeback pipeline.

module nic_lane (
  input  logic [nic_pkg::SlotCtlBits-1:0] ctl_i,  // nic_pkg::slot_ctl_t
  input  logic [63:0]                    word_i,        // the slot: register fields, x12, imm32
  input  logic [63:0]                    ra_i,          // register values read for the slot
  input  logic [63:0]                    rb_i,
  input  logic [63:0]                    pool_i,        // pool[imm32]
  input  logic [nic_pkg::NumSregs*64-1:0] sregs_i,      // special registers of the context
  input  logic [31:0]                    pkt_meta_i,
  input  logic [31:0]                    pkt_end_i,

  output logic [63:0]                    b_o,           // operand B (rb, immediate or pool)
  output logic [63:0]                    now_value_o,   // ALU (not mul/div) or movs result
  output logic                           taken_o,       // branch condition holds
  output logic [63:0]                    addr_o,
  output logic [63:0]                    store_value_o,
  output logic                           fault_o,       // out of bounds (if a memory op)
  output logic                           map_o,
  output logic                           ctx_window_o,
  output logic [63:0]                    ctx_value_o    // the context-window word a load reads
);

  logic [11:0] x12;
  logic [31:0] imm;
  logic [63:0] imm_sext, x12_sext, alu_result, sreg;
  logic        mem_write;

  assign x12      = word_i[43:32];
  assign imm      = word_i[31:0];
  assign imm_sext = {{32{imm[31]}}, imm};
  assign x12_sext = {{52{x12[11]}}, x12};

  always_comb begin
    unique case (nic_pkg::ctl_bsel(ctl_i))
      nic_pkg::BselReg:  b_o = rb_i;
      nic_pkg::BselPool: b_o = pool_i;
      default:           b_o = imm_sext;
    endcase
  end

  nic_alu u_alu (
    .func_i   (nic_pkg::ctl_func(ctl_i)),
    .w32_i    (nic_pkg::ctl_w32(ctl_i)),
    .a_i      (ra_i),
    .b_i      (b_o),
    .result_o (alu_result)
  );

  always_comb begin
    sreg = '0;
    for (int i = 0; i < nic_pkg::NumSregs; i++) begin
      if (imm[3:0] == 4'(i)) begin
        sreg = sregs_i[i*64 +: 64];
      end
    end
  end

  assign now_value_o = (nic_pkg::ctl_op(ctl_i) == nic_pkg::OpMovs) ? sreg : alu_result;

  // Branch: X = ra + sext(imm32), Y = rb (register form) or X = ra, Y = sext(imm32).
  logic [63:0] br_x, br_y;
  assign br_x = (nic_pkg::ctl_bsel(ctl_i) == nic_pkg::BselReg) ? ra_i + imm_sext : ra_i;
  assign br_y = (nic_pkg::ctl_bsel(ctl_i) == nic_pkg::BselReg) ? rb_i : imm_sext;

  nic_branch_compare u_compare (
    .cond_i  (nic_pkg::ctl_cond(ctl_i)),
    .w32_i   (nic_pkg::ctl_w32(ctl_i)),
    .x_i     (br_x),
    .y_i     (br_y),
    .taken_o (taken_o)
  );

  // Address generation: loads ra + rb + sext(x12) or ra + sext(imm32); register stores
  // ra + sext(imm32); immediate and pool stores ra + sext(x12); atomics ra + sext(imm32).
  always_comb begin
    unique case (nic_pkg::ctl_op(ctl_i))
      nic_pkg::OpLoad:  addr_o = nic_pkg::ctl_load_imm(ctl_i) ? ra_i + imm_sext : ra_i + rb_i + x12_sext;
      nic_pkg::OpStore: addr_o = (nic_pkg::ctl_bsel(ctl_i) == nic_pkg::BselReg) ? ra_i + imm_sext :
                                                                   ra_i + x12_sext;
      default:          addr_o = ra_i + imm_sext;
    endcase
  end

  assign mem_write     = nic_pkg::ctl_is_mem(ctl_i) && nic_pkg::ctl_op(ctl_i) != nic_pkg::OpLoad;
  assign store_value_o = (nic_pkg::ctl_bsel(ctl_i) == nic_pkg::BselReg)  ? rb_i :
                         (nic_pkg::ctl_bsel(ctl_i) == nic_pkg::BselPool) ? pool_i : imm_sext;

  logic [4:0] ctx_offset;

  nic_agu u_agu (
    .addr_i       (addr_o),
    .size_i       (nic_pkg::ctl_size(ctl_i)),
    .write_i      (mem_write),
    .pkt_meta_i   (pkt_meta_i),
    .pkt_end_i    (pkt_end_i),
    .fault_o      (fault_o),
    .map_o        (map_o),
    .context_o    (ctx_window_o),
    .ctx_offset_o (ctx_offset)
  );

  // struct xdp_md: data, data_end, data_meta, ingress_ifindex, rx_queue_index, egress_ifindex.
  always_comb begin
    unique case (ctx_offset)
      5'd0:    ctx_value_o = sregs_i[nic_pkg::SregPktData*64 +: 64];
      5'd4:    ctx_value_o = sregs_i[nic_pkg::SregPktEnd*64 +: 64];
      5'd8:    ctx_value_o = sregs_i[nic_pkg::SregPktMeta*64 +: 64];
      5'd12:   ctx_value_o = sregs_i[nic_pkg::SregIngress*64 +: 64];
      5'd16:   ctx_value_o = sregs_i[nic_pkg::SregRxQueue*64 +: 64];
      default: ctx_value_o = '0;
    endcase
  end

endmodule
