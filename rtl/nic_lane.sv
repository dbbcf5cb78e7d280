// One lane of the EX stage: operand selection, the lane's ALU, `movs`, the branch condition and
// the address of a memory operation with its bounds check. Results that land in the issue
// cycle (λ = 1) leave as now_value_o; loads, atomics and multiplications leave through the
// memory ports or the multiplier and the writeback pipeline.
//
// Written as one procedural block with a case on the slot's operation class: the hardware is
// the same as parallel units muxed by the class (the outputs a slot does not use are don't-care
// and read as 0), but a simulator then computes only what the slot uses. Most lanes hold a nop
// in most cycles, and a slot uses at most one of the ALU, the branch compare and the AGU.
//
// The units are written out in their arms with variables of the module, not as function calls:
// for an inlined call, the C++ that Verilator 5.006 generates keeps the arguments and locals in
// members of the model and stores them on every call, where the block's variables become locals
// of the generated function (bench/RESULTS.md, rtlspeed13).

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
  output logic [31:0]                    addr_o,        // in range only if not fault_o
  output logic [63:0]                    store_value_o,
  output logic                           fault_o,       // out of bounds (if a memory op)
  output logic                           fault_ends_o,  // ... and the bundle ends (not ldnf)
  output logic                           map_o,
  output logic                           ctx_window_o,
  output logic [63:0]                    ctx_value_o    // the context-window word a load reads
);

  logic [3:0]  op, size;
  logic        w32;
  logic [63:0] imm_sext, x12_sext;
  logic        reg_form;
  logic [63:0] alu;             // the ALU's 64-bit result (its low half for ALU32)
  logic [63:0] x, y;            // the branch's comparands
  logic        eq, ult, slt;
  logic [32:0] last;            // one past the last byte a memory access touches
  logic [27:0] offset;          // its offset within the region
  logic        ctx_field;       // a load of a whole field of the context window
  logic [63:0] ea;              // the effective address

  // The fields and immediates are extracted in the arms that use them, not for every slot (a
  // simulator computes what the block assigns; most lanes hold a nop).
  always_comb begin
    op            = ctl_i[nic_pkg::CtlOp +: nic_pkg::CtlOpBits];
    size          = '0;
    w32           = 1'b0;
    imm_sext      = '0;
    x12_sext      = '0;
    reg_form      = 1'b0;
    alu           = '0;
    x             = '0;
    y             = '0;
    eq            = 1'b0;
    ult           = 1'b0;
    slt           = 1'b0;
    last          = '0;
    offset        = '0;
    ctx_field     = 1'b0;
    b_o           = '0;
    now_value_o   = '0;
    taken_o       = 1'b0;
    ea            = '0;
    addr_o        = '0;
    store_value_o = '0;
    fault_o       = 1'b0;
    fault_ends_o  = 1'b0;
    map_o         = 1'b0;
    ctx_window_o  = 1'b0;
    ctx_value_o   = '0;
    unique case (op)
      // The ALU (docs/nic-isa.md section 4.2): every function but mul (the core's multiplier)
      // and the division family (the divider), whose operands a and b are read here too. ALU32
      // works on the low halves and zero-extends its result; only its right shifts differ
      // from the low half of the 64-bit operation.
      nic_pkg::OpAlu: begin
        w32      = ctl_i[nic_pkg::CtlW32];
        imm_sext = {{32{word_i[31]}}, word_i[31:0]};
        unique case (ctl_i[nic_pkg::CtlBsel +: nic_pkg::CtlBselBits])
          nic_pkg::BselReg:  b_o = rb_i;
          nic_pkg::BselPool: b_o = pool_i;
          default:           b_o = imm_sext;
        endcase
        unique case (ctl_i[nic_pkg::CtlFunc +: nic_pkg::CtlFuncBits])
          nic_pkg::AluAdd:  alu = ra_i + b_o;
          nic_pkg::AluSub:  alu = ra_i - b_o;
          nic_pkg::AluOr:   alu = ra_i | b_o;
          nic_pkg::AluAnd:  alu = ra_i & b_o;
          nic_pkg::AluXor:  alu = ra_i ^ b_o;
          nic_pkg::AluLsh:  alu = ra_i << {b_o[5] && !w32, b_o[4:0]};
          nic_pkg::AluRsh:  alu = w32 ? {32'b0, ra_i[31:0] >> b_o[4:0]} : ra_i >> b_o[5:0];
          nic_pkg::AluArsh: begin  // two statements: in one ?: the 64-bit shift were unsigned
            if (w32) begin
              alu = {32'b0, $signed(ra_i[31:0]) >>> b_o[4:0]};
            end else begin
              alu = $signed(ra_i) >>> b_o[5:0];
            end
          end
          nic_pkg::AluMov:  alu = b_o;
          nic_pkg::AluRsub: alu = b_o - ra_i;
          nic_pkg::AluExt: begin  // the conversion is imm32's
            unique case (b_o[2:0])
              3'd0:    alu = {48'b0, ra_i[7:0], ra_i[15:8]};
              3'd1:    alu = {32'b0, ra_i[7:0], ra_i[15:8], ra_i[23:16], ra_i[31:24]};
              3'd2:    alu = {ra_i[7:0], ra_i[15:8], ra_i[23:16], ra_i[31:24], ra_i[39:32],
                              ra_i[47:40], ra_i[55:48], ra_i[63:56]};
              3'd3:    alu = {{56{ra_i[7]}}, ra_i[7:0]};
              3'd4:    alu = {{48{ra_i[15]}}, ra_i[15:0]};
              default: alu = {{32{ra_i[31]}}, ra_i[31:0]};
            endcase
          end
          default: alu = '0;  // mul and division are computed by their units
        endcase
        now_value_o = w32 ? {32'b0, alu[31:0]} : alu;
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

      // The branch condition (section 4.5): X = ra + sext(imm32), Y = rb (register form) or
      // X = ra, Y = sext(imm32), compared as 64-bit values or on their low halves (w32).
      nic_pkg::OpBranch: begin
        w32      = ctl_i[nic_pkg::CtlW32];
        imm_sext = {{32{word_i[31]}}, word_i[31:0]};
        reg_form = ctl_i[nic_pkg::CtlBsel +: nic_pkg::CtlBselBits] == nic_pkg::BselReg;
        x = reg_form ? ra_i + imm_sext : ra_i;
        y = reg_form ? rb_i : imm_sext;
        if (w32) begin
          slt = $signed(x[31:0]) < $signed(y[31:0]);
          x   = {32'b0, x[31:0]};
          y   = {32'b0, y[31:0]};
        end else begin
          slt = $signed(x) < $signed(y);
        end
        eq  = x == y;
        ult = x < y;
        unique case (ctl_i[nic_pkg::CtlCond +: nic_pkg::CtlCondBits])
          nic_pkg::CondAlways: taken_o = 1'b1;
          nic_pkg::CondEq:     taken_o = eq;
          nic_pkg::CondNe:     taken_o = !eq;
          nic_pkg::CondGt:     taken_o = !ult && !eq;
          nic_pkg::CondGe:     taken_o = !ult;
          nic_pkg::CondLt:     taken_o = ult;
          nic_pkg::CondLe:     taken_o = ult || eq;
          nic_pkg::CondSgt:    taken_o = !slt && !eq;
          nic_pkg::CondSge:    taken_o = !slt;
          nic_pkg::CondSlt:    taken_o = slt;
          nic_pkg::CondSle:    taken_o = slt || eq;
          nic_pkg::CondSet:    taken_o = (x & y) != '0;
          nic_pkg::CondNset:   taken_o = (x & y) == '0;
          default:             taken_o = 1'b0;
        endcase
      end

      // Address generation: loads ra + rb + sext(x12) or ra + sext(imm32); register stores
      // ra + sext(imm32); immediate and pool stores ra + sext(x12); atomics ra + sext(imm32).
      nic_pkg::OpLoad, nic_pkg::OpStore, nic_pkg::OpAtomic, nic_pkg::OpXchg,
      nic_pkg::OpCmpxchg: begin
        size     = ctl_i[nic_pkg::CtlSize +: nic_pkg::CtlSizeBits];
        imm_sext = {{32{word_i[31]}}, word_i[31:0]};
        x12_sext = {{52{word_i[43]}}, word_i[43:32]};
        reg_form = ctl_i[nic_pkg::CtlBsel +: nic_pkg::CtlBselBits] == nic_pkg::BselReg;
        if (op == nic_pkg::OpLoad) begin
          ea = ctl_i[nic_pkg::CtlLoadImm] ? ra_i + imm_sext : ra_i + rb_i + x12_sext;
        end else if (op == nic_pkg::OpStore && !reg_form) begin
          ea = ra_i + x12_sext;
        end else begin
          ea = ra_i + imm_sext;
        end
        unique case (ctl_i[nic_pkg::CtlBsel +: nic_pkg::CtlBselBits])
          nic_pkg::BselReg:  store_value_o = rb_i;
          nic_pkg::BselPool: store_value_o = pool_i;
          default:           store_value_o = imm_sext;
        endcase
        // The region decode and bounds check (section 3). The core decides every fault but
        // inside the map window, where only the map engine knows which values are live: that
        // access goes to the memory port (map_o), which answers the fault.
        addr_o    = ea[31:0];
        last      = {1'b0, ea[31:0]} + {29'b0, size};
        offset    = ea[27:0];
        ctx_field = op == nic_pkg::OpLoad &&
                    ((size == 4'd4 && (offset == 28'd0 || offset == 28'd4 || offset == 28'd8 ||
                                       offset == 28'd12 || offset == 28'd16 ||
                                       offset == 28'd20)) ||
                     (size == 4'd8 && (offset == 28'd0 || offset == 28'd4 || offset == 28'd8)));
        fault_o = 1'b1;
        if (ea[63:32] == '0) begin
          unique case (ea[31:28])
            nic_pkg::RegionPacket:
              fault_o = (ea[31:0] < pkt_meta_i) || (last > {1'b0, pkt_end_i});
            nic_pkg::RegionStack:    fault_o = last > nic_pkg::StackEnd;
            nic_pkg::RegionContext: begin  // a load from the context window, answered here
              fault_o      = !ctx_field;
              ctx_window_o = ctx_field;
            end
            nic_pkg::RegionMapLo, nic_pkg::RegionMapHi: begin
              fault_o = 1'b0;
              map_o   = 1'b1;
            end
            nic_pkg::RegionFirmware: fault_o = last > nic_pkg::FirmwareEnd;
            default:                 fault_o = 1'b1;
          endcase
        end
        // struct xdp_md: data, data_end, data_meta, ingress_ifindex, rx_queue_index.
        if (ctx_window_o) begin
          unique case (ea[4:0])
            5'd0:    ctx_value_o = {32'b0, pkt_data_i};
            5'd4:    ctx_value_o = {32'b0, pkt_end_i};
            5'd8:    ctx_value_o = {32'b0, pkt_meta_i};
            5'd12:   ctx_value_o = {32'b0, ingress_i};
            5'd16:   ctx_value_o = {32'b0, rx_queue_i};
            default: ctx_value_o = '0;
          endcase
        end
        fault_ends_o = fault_o && !ctl_i[nic_pkg::CtlNoFault];
      end

      default: ;  // nop, exit, hcall, callf, ret: the core reads the slot word itself
    endcase
  end

endmodule
