// What issue selection needs to know of a slot in a fetch buffer, straight from the opcode byte
// and the register fields: the registers it reads or writes (firmware::registers_read |
// registers_written), whether it is a control operation, an hcall or a division. A narrow
// cousin of nic_slot_decode. The instruction memory keeps these bits beside each bundle
// (nic_top computes them on its write port while the image is loaded, OR-ed over the lanes
// with `uses`), so fetch copies them into the fetch buffer instead of decoding every fetched
// bundle. Functions rather than a module: they are called in the always_ff of that write port,
// which a simulator evaluates only when the port writes.

package nic_slot_uses;


  function automatic logic [nic_pkg::NumOperands-1:0] regs(logic [63:0] word);
    logic [7:0]                      opc;
    logic [nic_pkg::NumOperands-1:0] rd, ra, rb;
    logic [3:0]                      func;
    opc  = word[63:56];
    rd   = nic_pkg::reg_bit(word[55:52]);
    ra   = nic_pkg::reg_bit(word[51:48]);
    rb   = nic_pkg::reg_bit(word[47:44]);
    func = (opc[7:6] == 2'b10) ? opc[5:2] : opc[4:1];
    regs = '0;
    unique casez (opc[7:5])
      3'b000: begin  // MISC
        if (opc[4]) begin  // atomic: rd only when it fetches
          regs = ra | rb | (opc[2] ? rd : '0);
        end else begin
          unique case (opc[3:0])
            4'h1:       regs = rd;                                  // movs
            4'h2:       regs = nic_pkg::reg_bit(4'd0);              // exit imm
            4'h3:       regs = ra | nic_pkg::reg_bit(4'd0);         // exit ra
            4'h4:       regs = nic_pkg::hcall_reads(word[31:0]) | nic_pkg::reg_bit(4'd0);
            4'h7:       regs = ra | rd;                             // ldnf
            4'h8, 4'h9: regs = ra | rb | rd;                        // xchg
            4'ha, 4'hb: regs = ra | rb | rd;                        // cmpxchg
            default:    regs = '0;                                  // nop, callf, ret
          endcase
        end
      end
      3'b001:  regs = ra | ((opc[1:0] == 2'b00) ? rb : '0);         // ST
      3'b011:  regs = ra | (opc[0] ? '0 : rb) | rd;                 // LD
      3'b11?: begin                                                 // BR
        if (opc[5:2] != 4'd0) begin
          regs = ra | (opc[0] ? '0 : rb);
        end
      end
      default: begin                                                // ALU32, ALU64
        regs = ((func == 4'd13) ? '0 : ra) | rd |
               ((opc[7:6] == 2'b10) ? ((opc[1:0] == 2'b00) ? rb : '0) :
                                      (opc[0] ? '0 : rb));
      end
    endcase
  endfunction

  function automatic logic control(logic [63:0] word);
    logic [7:0] opc;
    opc     = word[63:56];
    control = opc[7:6] == 2'b11 ||
              (opc[7:5] == 3'b000 && (opc[4:0] == 5'h02 || opc[4:0] == 5'h03 ||
                                      opc[4:0] == 5'h05 || opc[4:0] == 5'h06));
  endfunction

  function automatic logic hcall(logic [63:0] word);
    hcall = word[63:56] == 8'h04;
  endfunction

  function automatic logic div(logic [63:0] word);
    logic [3:0] func;
    func = (word[63:62] == 2'b10) ? word[61:58] : word[60:57];
    div  = (word[63:61] == 3'b010 || word[63:62] == 2'b10) && func >= 4'd3 && func <= 4'd6;
  endfunction

  // {regs, control, hcall, div}: a bundle's value is the OR of its slots'.
  function automatic logic [nic_pkg::SlotUsesW-1:0] uses(logic [63:0] word);
    uses = {regs(word), control(word), hcall(word), div(word)};
  endfunction

endpackage
