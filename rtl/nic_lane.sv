// One lane of the EX stage: operand selection, the lane's ALU, `movs`, the branch condition and
// the address of a memory operation with its bounds check. Results that land in the issue
// cycle (λ = 1) leave as now_value_o; loads, atomics and multiplications leave through the
// memory ports or the multiplier and the writeback pipeline.
//
// Written as one procedural block with a case on the slot's operation class: the hardware is
// the same as parallel units muxed by the class (the outputs a slot does not use are don't-care
// and read as 0), but a simulator then computes only what the slot uses. Most lanes hold a nop
// in most cycles, and a slot uses at most one of the ALU, the branch compare and the AGU.

module nic_lane (
  input  logic [nic_pkg::SlotCtlBits-1:0] ctl_i,  // nic_pkg::slot_ctl_t
  input  logic [63:0]                    word_i,        // the slot: register fields, x12, imm32
  input  logic [63:0]                    ra_i,          // register values read for the slot
  input  logic [63:0]                    rb_i,
  input  logic [63:0]                    pool_i,        // pool[imm32]

  // The issuing context's state: the special registers of `movs` and the context window.
  input  logic [31:0]                    pkt_data_i,
  input  logic [31:0]                    pkt_end_i,
  input  logic [31:0]                    pkt_meta_i,
  input  logic [31:0]                    ingress_i,
  input  logic [31:0]                    rx_queue_i,
  input  logic [31:0]                    cpu_id_i,
  input  logic [63:0]                    time_ns_i,
  input  logic [63:0]                    context_id_i,
  input  logic [63:0]                    cycle_i,

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

  logic [63:0] imm_sext, x12_sext;
  logic        reg_form;

  always_comb begin
    imm_sext      = {{32{word_i[31]}}, word_i[31:0]};
    x12_sext      = {{52{word_i[43]}}, word_i[43:32]};
    reg_form      = ctl_i[nic_pkg::CtlBsel +: nic_pkg::CtlBselBits] == nic_pkg::BselReg;
    b_o           = '0;
    now_value_o   = '0;
    taken_o       = 1'b0;
    addr_o        = '0;
    store_value_o = '0;
    fault_o       = 1'b0;
    map_o         = 1'b0;
    ctx_window_o  = 1'b0;
    ctx_value_o   = '0;
    unique case (ctl_i[nic_pkg::CtlOp +: nic_pkg::CtlOpBits])
      nic_pkg::OpAlu: begin  // also the operands of mul and the division family
        unique case (ctl_i[nic_pkg::CtlBsel +: nic_pkg::CtlBselBits])
          nic_pkg::BselReg:  b_o = rb_i;
          nic_pkg::BselPool: b_o = pool_i;
          default:           b_o = imm_sext;
        endcase
        now_value_o = nic_alu::result(ctl_i[nic_pkg::CtlFunc +: nic_pkg::CtlFuncBits],
                                      ctl_i[nic_pkg::CtlW32], ra_i, b_o);
      end

      nic_pkg::OpMovs: begin  // section 4.6
        unique case (word_i[3:0])
          nic_pkg::SregPktData:   now_value_o = {32'b0, pkt_data_i};
          nic_pkg::SregPktEnd:    now_value_o = {32'b0, pkt_end_i};
          nic_pkg::SregPktMeta:   now_value_o = {32'b0, pkt_meta_i};
          nic_pkg::SregPktLen:    now_value_o = {32'b0, pkt_end_i - pkt_data_i};
          nic_pkg::SregIngress:   now_value_o = {32'b0, ingress_i};
          nic_pkg::SregRxQueue:   now_value_o = {32'b0, rx_queue_i};
          nic_pkg::SregCpuId:     now_value_o = {32'b0, cpu_id_i};
          nic_pkg::SregTimeNs:    now_value_o = time_ns_i;
          nic_pkg::SregContextId: now_value_o = context_id_i;
          nic_pkg::SregCycle:     now_value_o = cycle_i;
          nic_pkg::SregEgress:    now_value_o = '0;  // egress_ifindex reads as 0
          default:                now_value_o = '0;
        endcase
      end

      // Branch: X = ra + sext(imm32), Y = rb (register form) or X = ra, Y = sext(imm32).
      nic_pkg::OpBranch: begin
        taken_o = nic_branch_compare::taken(ctl_i[nic_pkg::CtlCond +: nic_pkg::CtlCondBits],
                                            ctl_i[nic_pkg::CtlW32],
                                            reg_form ? ra_i + imm_sext : ra_i,
                                            reg_form ? rb_i : imm_sext);
      end

      // Address generation: loads ra + rb + sext(x12) or ra + sext(imm32); register stores
      // ra + sext(imm32); immediate and pool stores ra + sext(x12); atomics ra + sext(imm32).
      nic_pkg::OpLoad, nic_pkg::OpStore, nic_pkg::OpAtomic, nic_pkg::OpXchg,
      nic_pkg::OpCmpxchg: begin
        if (ctl_i[nic_pkg::CtlOp +: nic_pkg::CtlOpBits] == nic_pkg::OpLoad) begin
          addr_o = ctl_i[nic_pkg::CtlLoadImm] ? ra_i + imm_sext : ra_i + rb_i + x12_sext;
        end else if (ctl_i[nic_pkg::CtlOp +: nic_pkg::CtlOpBits] == nic_pkg::OpStore &&
                     !reg_form) begin
          addr_o = ra_i + x12_sext;
        end else begin
          addr_o = ra_i + imm_sext;
        end
        unique case (ctl_i[nic_pkg::CtlBsel +: nic_pkg::CtlBselBits])
          nic_pkg::BselReg:  store_value_o = rb_i;
          nic_pkg::BselPool: store_value_o = pool_i;
          default:           store_value_o = imm_sext;
        endcase
        {fault_o, map_o, ctx_window_o} =
            nic_agu::check(addr_o, ctl_i[nic_pkg::CtlSize +: nic_pkg::CtlSizeBits],
                           ctl_i[nic_pkg::CtlOp +: nic_pkg::CtlOpBits] != nic_pkg::OpLoad,
                           pkt_meta_i, pkt_end_i);
        // struct xdp_md: data, data_end, data_meta, ingress_ifindex, rx_queue_index.
        if (ctx_window_o) begin
          unique case (addr_o[4:0])
            5'd0:    ctx_value_o = {32'b0, pkt_data_i};
            5'd4:    ctx_value_o = {32'b0, pkt_end_i};
            5'd8:    ctx_value_o = {32'b0, pkt_meta_i};
            5'd12:   ctx_value_o = {32'b0, ingress_i};
            5'd16:   ctx_value_o = {32'b0, rx_queue_i};
            default: ctx_value_o = '0;
          endcase
        end
      end

      default: ;  // nop, exit, hcall, callf, ret: the core reads the slot word itself
    endcase
  end

endmodule
