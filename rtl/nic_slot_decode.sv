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

  nic_pkg::slot_ctl_t s;

  always_comb begin
    s           = '0;
    s.op        = nic_pkg::OpNop;
    s.func      = nic_pkg::AluAdd;
    s.bsel      = nic_pkg::BselReg;
    s.cond      = nic_pkg::CondAlways;
    s.atomic_op = nic_pkg::AtomicAdd;

    unique casez (opc[7:5])
      3'b000: begin  // MISC
        if (opc[4]) begin
          s.op        = nic_pkg::OpAtomic;
          s.w32       = opc[3];
          s.fetch     = opc[2];
          s.atomic_op = opc[1:0];
        end else begin
          unique case (opc[3:0])
            4'h1: s.op = nic_pkg::OpMovs;
            4'h2: s.op = nic_pkg::OpExitImm;
            4'h3: s.op = nic_pkg::OpExitReg;
            4'h4: s.op = nic_pkg::OpHcall;
            4'h5: s.op = nic_pkg::OpCallf;
            4'h6: s.op = nic_pkg::OpRet;
            4'h7: begin  // ldnf: zero-extending, ra + sext(imm32), size in x12
              s.op       = nic_pkg::OpLoad;
              s.no_fault = 1'b1;
              s.load_imm = 1'b1;
              s.size     = word_i[35:32];
            end
            4'h8, 4'h9: begin
              s.op  = nic_pkg::OpXchg;
              s.w32 = opc[0];
            end
            4'ha, 4'hb: begin
              s.op  = nic_pkg::OpCmpxchg;
              s.w32 = opc[0];
            end
            default: s.op = nic_pkg::OpNop;
          endcase
        end
      end
      3'b001: begin  // ST
        s.op   = nic_pkg::OpStore;
        s.size = {1'b0, opc[4:2]} + 4'd1;
        s.bsel = opc[1:0];
      end
      3'b010: begin  // ALU32
        s.op   = nic_pkg::OpAlu;
        s.w32  = 1'b1;
        s.func = opc[4:1];
        s.bsel = {1'b0, opc[0]};
      end
      3'b011: begin  // LD
        s.op       = nic_pkg::OpLoad;
        s.sign_ext = opc[4];
        s.size     = {1'b0, opc[3:1]} + 4'd1;
        s.load_imm = opc[0];
      end
      3'b10?: begin  // ALU64
        s.op   = nic_pkg::OpAlu;
        s.func = opc[5:2];
        s.bsel = opc[1:0];
      end
      default: begin  // BR
        s.op   = nic_pkg::OpBranch;
        s.cond = opc[5:2];
        s.w32  = opc[1];
        s.bsel = {1'b0, opc[0]};
      end
    endcase

    if (s.op == nic_pkg::OpAtomic || s.op == nic_pkg::OpXchg || s.op == nic_pkg::OpCmpxchg) begin
      s.size = s.w32 ? 4'd4 : 4'd8;
    end
    s.is_mem = s.op == nic_pkg::OpLoad || s.op == nic_pkg::OpStore ||
               s.op == nic_pkg::OpAtomic || s.op == nic_pkg::OpXchg ||
               s.op == nic_pkg::OpCmpxchg;
    s.is_control = s.op == nic_pkg::OpBranch || s.op == nic_pkg::OpCallf ||
                   s.op == nic_pkg::OpRet || s.op == nic_pkg::OpExitImm ||
                   s.op == nic_pkg::OpExitReg;
    s.uses_mul = s.op == nic_pkg::OpAlu && s.func == nic_pkg::AluMul;
    s.uses_div = s.op == nic_pkg::OpAlu &&
                 (s.func == nic_pkg::AluDiv || s.func == nic_pkg::AluSdiv ||
                  s.func == nic_pkg::AluMod || s.func == nic_pkg::AluSmod);
    s.writes_now  = s.op == nic_pkg::OpMovs ||
                    (s.op == nic_pkg::OpAlu && !s.uses_mul && !s.uses_div);
    s.writes_late = s.uses_mul || s.op == nic_pkg::OpLoad || s.op == nic_pkg::OpXchg ||
                    s.op == nic_pkg::OpCmpxchg || (s.op == nic_pkg::OpAtomic && s.fetch);
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
