// What issue selection needs to know of a slot in a fetch buffer, straight from the opcode byte
// and the register fields: the registers it reads or writes (firmware::registers_read |
// registers_written), whether it is a control operation, an hcall or a division. A narrow
// cousin of nic_slot_decode, instantiated once per buffered slot.

module nic_slot_uses (
  input  logic [63:0]                     word_i,
  output logic [nic_pkg::NumOperands-1:0] regs_o,
  output logic                            control_o,
  output logic                            hcall_o,
  output logic                            div_o
);

  logic [7:0]                      opc;
  logic [nic_pkg::NumOperands-1:0] rd, ra, rb;
  logic                            alu, misc;
  logic [3:0]                      func;

  assign opc  = word_i[63:56];
  assign rd   = nic_pkg::reg_bit(word_i[55:52]);
  assign ra   = nic_pkg::reg_bit(word_i[51:48]);
  assign rb   = nic_pkg::reg_bit(word_i[47:44]);
  assign misc = opc[7:5] == 3'b000;
  assign alu  = opc[7:5] == 3'b010 || opc[7:6] == 2'b10;
  assign func = (opc[7:6] == 2'b10) ? opc[5:2] : opc[4:1];

  always_comb begin
    regs_o = '0;
    unique casez (opc[7:5])
      3'b000: begin  // MISC
        if (opc[4]) begin  // atomic: rd only when it fetches
          regs_o = ra | rb | (opc[2] ? rd : '0);
        end else begin
          unique case (opc[3:0])
            4'h1:       regs_o = rd;                                  // movs
            4'h2:       regs_o = nic_pkg::reg_bit(4'd0);              // exit imm
            4'h3:       regs_o = ra | nic_pkg::reg_bit(4'd0);         // exit ra
            4'h4:       regs_o = nic_pkg::hcall_reads(word_i[31:0]) | nic_pkg::reg_bit(4'd0);
            4'h7:       regs_o = ra | rd;                             // ldnf
            4'h8, 4'h9: regs_o = ra | rb | rd;                        // xchg
            4'ha, 4'hb: regs_o = ra | rb | rd;                        // cmpxchg
            default:    regs_o = '0;                                  // nop, callf, ret
          endcase
        end
      end
      3'b001:  regs_o = ra | ((opc[1:0] == 2'b00) ? rb : '0);         // ST
      3'b011:  regs_o = ra | (opc[0] ? '0 : rb) | rd;                 // LD
      3'b11?: begin                                                   // BR
        if (opc[5:2] != 4'd0) begin
          regs_o = ra | (opc[0] ? '0 : rb);
        end
      end
      default: begin                                                  // ALU32, ALU64
        regs_o = ((func == 4'd13) ? '0 : ra) | rd |
                 ((opc[7:6] == 2'b10) ? ((opc[1:0] == 2'b00) ? rb : '0) :
                                        (opc[0] ? '0 : rb));
      end
    endcase
  end

  assign control_o = opc[7:6] == 2'b11 ||
                     (misc && (opc[4:0] == 5'h02 || opc[4:0] == 5'h03 || opc[4:0] == 5'h05 ||
                               opc[4:0] == 5'h06));
  assign hcall_o   = opc == 8'h04;
  assign div_o     = alu && func >= 4'd3 && func <= 4'd6;

endmodule
