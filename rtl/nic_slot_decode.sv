// Decodes one 64-bit slot (docs/nic-isa.md section 4). Every field sits at a fixed position, so
// decoding is the case on the opcode byte below; the register masks are the scoreboard's view
// of the slot and equal firmware::registers_read / registers_written.

module nic_slot_decode (
  input  logic [63:0]                       word_i,
  output logic [nic_pkg::SlotCtlBits-1:0]   ctl_o,  // nic_pkg::slot_ctl_t
  output logic [nic_pkg::NumOperands-1:0]   reads_o,
  output logic [nic_pkg::NumOperands-1:0]   writes_o
);

  logic [7:0]  opc;
  logic [3:0]  rd, ra, rb;
  logic [31:0] imm;

  assign opc = word_i[63:56];
  assign rd  = word_i[55:52];
  assign ra  = word_i[51:48];
  assign rb  = word_i[47:44];
  assign imm = word_i[31:0];

  // Everything but ldnf's size depends on the opcode byte alone: a function of 8 bits, which a
  // simulator can turn into a table lookup.
  nic_pkg::slot_ctl_t by_opc, s;

  always_comb begin
    by_opc           = '0;
    by_opc.op        = nic_pkg::OpNop;
    by_opc.func      = nic_pkg::AluAdd;
    by_opc.bsel      = nic_pkg::BselReg;
    by_opc.cond      = nic_pkg::CondAlways;
    by_opc.atomic_op = nic_pkg::AtomicAdd;

    unique casez (opc[7:5])
      3'b000: begin  // MISC
        if (opc[4]) begin
          by_opc.op        = nic_pkg::OpAtomic;
          by_opc.w32       = opc[3];
          by_opc.fetch     = opc[2];
          by_opc.atomic_op = opc[1:0];
        end else begin
          unique case (opc[3:0])
            4'h1: by_opc.op = nic_pkg::OpMovs;
            4'h2: by_opc.op = nic_pkg::OpExitImm;
            4'h3: by_opc.op = nic_pkg::OpExitReg;
            4'h4: by_opc.op = nic_pkg::OpHcall;
            4'h5: by_opc.op = nic_pkg::OpCallf;
            4'h6: by_opc.op = nic_pkg::OpRet;
            4'h7: begin  // ldnf: zero-extending, ra + sext(imm32), size in x12 (below)
              by_opc.op       = nic_pkg::OpLoad;
              by_opc.no_fault = 1'b1;
              by_opc.load_imm = 1'b1;
            end
            4'h8, 4'h9: begin
              by_opc.op  = nic_pkg::OpXchg;
              by_opc.w32 = opc[0];
            end
            4'ha, 4'hb: begin
              by_opc.op  = nic_pkg::OpCmpxchg;
              by_opc.w32 = opc[0];
            end
            default: by_opc.op = nic_pkg::OpNop;
          endcase
        end
      end
      3'b001: begin  // ST
        by_opc.op   = nic_pkg::OpStore;
        by_opc.size = {1'b0, opc[4:2]} + 4'd1;
        by_opc.bsel = opc[1:0];
      end
      3'b010: begin  // ALU32
        by_opc.op   = nic_pkg::OpAlu;
        by_opc.w32  = 1'b1;
        by_opc.func = opc[4:1];
        by_opc.bsel = {1'b0, opc[0]};
      end
      3'b011: begin  // LD
        by_opc.op       = nic_pkg::OpLoad;
        by_opc.sign_ext = opc[4];
        by_opc.size     = {1'b0, opc[3:1]} + 4'd1;
        by_opc.load_imm = opc[0];
      end
      3'b10?: begin  // ALU64
        by_opc.op   = nic_pkg::OpAlu;
        by_opc.func = opc[5:2];
        by_opc.bsel = opc[1:0];
      end
      default: begin  // BR
        by_opc.op   = nic_pkg::OpBranch;
        by_opc.cond = opc[5:2];
        by_opc.w32  = opc[1];
        by_opc.bsel = {1'b0, opc[0]};
      end
    endcase

    if (by_opc.op == nic_pkg::OpAtomic || by_opc.op == nic_pkg::OpXchg ||
        by_opc.op == nic_pkg::OpCmpxchg) begin
      by_opc.size = by_opc.w32 ? 4'd4 : 4'd8;
    end
    by_opc.is_mem = by_opc.op == nic_pkg::OpLoad || by_opc.op == nic_pkg::OpStore ||
                    by_opc.op == nic_pkg::OpAtomic || by_opc.op == nic_pkg::OpXchg ||
                    by_opc.op == nic_pkg::OpCmpxchg;
    by_opc.is_control = by_opc.op == nic_pkg::OpBranch || by_opc.op == nic_pkg::OpCallf ||
                        by_opc.op == nic_pkg::OpRet || by_opc.op == nic_pkg::OpExitImm ||
                        by_opc.op == nic_pkg::OpExitReg;
    by_opc.uses_mul = by_opc.op == nic_pkg::OpAlu && by_opc.func == nic_pkg::AluMul;
    by_opc.uses_div = by_opc.op == nic_pkg::OpAlu &&
                      (by_opc.func == nic_pkg::AluDiv || by_opc.func == nic_pkg::AluSdiv ||
                       by_opc.func == nic_pkg::AluMod || by_opc.func == nic_pkg::AluSmod);
    by_opc.writes_now  = by_opc.op == nic_pkg::OpMovs ||
                         (by_opc.op == nic_pkg::OpAlu && !by_opc.uses_mul && !by_opc.uses_div);
    by_opc.writes_late = by_opc.uses_mul || by_opc.op == nic_pkg::OpLoad ||
                         by_opc.op == nic_pkg::OpXchg || by_opc.op == nic_pkg::OpCmpxchg ||
                         (by_opc.op == nic_pkg::OpAtomic && by_opc.fetch);
  end

  always_comb begin
    s = by_opc;
    if (opc == 8'h07) begin
      s.size = word_i[35:32];
    end
  end

  assign ctl_o = s;

  always_comb begin
    unique case (s.op)
      nic_pkg::OpExitReg: reads_o = nic_pkg::reg_bit(ra);
      nic_pkg::OpHcall:   reads_o = nic_pkg::hcall_reads(imm);
      nic_pkg::OpXchg, nic_pkg::OpAtomic: reads_o = nic_pkg::reg_bit(ra) | nic_pkg::reg_bit(rb);
      nic_pkg::OpCmpxchg: reads_o = nic_pkg::reg_bit(ra) | nic_pkg::reg_bit(rb) |
                                    nic_pkg::reg_bit(rd);
      nic_pkg::OpStore:   reads_o = nic_pkg::reg_bit(ra) |
                                    ((s.bsel == nic_pkg::BselReg) ? nic_pkg::reg_bit(rb) : '0);
      nic_pkg::OpAlu:     reads_o = ((s.func == nic_pkg::AluMov) ? '0 : nic_pkg::reg_bit(ra)) |
                                    ((s.bsel == nic_pkg::BselReg) ? nic_pkg::reg_bit(rb) : '0);
      nic_pkg::OpLoad:    reads_o = nic_pkg::reg_bit(ra) |
                                    (s.load_imm ? '0 : nic_pkg::reg_bit(rb));
      nic_pkg::OpBranch:  reads_o = (s.cond == nic_pkg::CondAlways) ? '0 :
                                    (nic_pkg::reg_bit(ra) |
                                     ((s.bsel == nic_pkg::BselReg) ? nic_pkg::reg_bit(rb) : '0));
      default:            reads_o = '0;
    endcase
  end

  always_comb begin
    unique case (s.op)
      nic_pkg::OpMovs, nic_pkg::OpAlu, nic_pkg::OpLoad, nic_pkg::OpXchg, nic_pkg::OpCmpxchg:
        writes_o = nic_pkg::reg_bit(rd);
      nic_pkg::OpAtomic: writes_o = s.fetch ? nic_pkg::reg_bit(rd) : '0;
      nic_pkg::OpExitImm, nic_pkg::OpExitReg, nic_pkg::OpHcall: writes_o = nic_pkg::reg_bit(4'd0);
      default: writes_o = '0;
    endcase
  end

endmodule
