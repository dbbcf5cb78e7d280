// Decodes one 64-bit slot (docs/nic-isa.md section 4) into its control bits (nic_pkg::slot_ctl_t,
// carried as a plain vector). Every field sits at a fixed position, so decoding is the case on
// the opcode byte below, and ldnf's size from its x12 field. The instruction memory keeps the
// result beside each slot: nic_top calls `ctl` in the always_ff of its write port while the image
// is loaded, and the fetch buffer holds it with the words, so that the bundle issuing in a cycle
// is not decoded again (a simulator evaluates a function called there only when the port writes,
// and the synthesis tool reads no struct members of a function's locals: fields are locals).

package nic_slot_decode;

  function automatic logic [nic_pkg::SlotCtlBits-1:0] ctl(logic [63:0] word);
    logic [7:0] opc;
    logic [3:0] op, func, size, cond;
    logic [1:0] bsel, atomic_op;
    logic       w32, sign_ext, no_fault, load_imm, fetch;
    logic       is_mem, is_control, uses_mul, uses_div, writes_now, writes_late;

    opc       = word[63:56];
    op        = nic_pkg::OpNop;
    func      = nic_pkg::AluAdd;
    bsel      = nic_pkg::BselReg;
    cond      = nic_pkg::CondAlways;
    atomic_op = nic_pkg::AtomicAdd;
    size      = '0;
    w32       = 1'b0;
    sign_ext  = 1'b0;
    no_fault  = 1'b0;
    load_imm  = 1'b0;
    fetch     = 1'b0;

    unique casez (opc[7:5])
      3'b000: begin  // MISC
        if (opc[4]) begin
          op        = nic_pkg::OpAtomic;
          w32       = opc[3];
          fetch     = opc[2];
          atomic_op = opc[1:0];
        end else begin
          unique case (opc[3:0])
            4'h1: op = nic_pkg::OpMovs;
            4'h2: op = nic_pkg::OpExitImm;
            4'h3: op = nic_pkg::OpExitReg;
            4'h4: op = nic_pkg::OpHcall;
            4'h5: op = nic_pkg::OpCallf;
            4'h6: op = nic_pkg::OpRet;
            4'h7: begin  // ldnf: zero-extending, ra + sext(imm32), size in x12
              op       = nic_pkg::OpLoad;
              no_fault = 1'b1;
              load_imm = 1'b1;
              size     = word[35:32];
            end
            4'h8, 4'h9: begin
              op  = nic_pkg::OpXchg;
              w32 = opc[0];
            end
            4'ha, 4'hb: begin
              op  = nic_pkg::OpCmpxchg;
              w32 = opc[0];
            end
            default: op = nic_pkg::OpNop;
          endcase
        end
      end
      3'b001: begin  // ST
        op   = nic_pkg::OpStore;
        size = {1'b0, opc[4:2]} + 4'd1;
        bsel = opc[1:0];
      end
      3'b010: begin  // ALU32
        op   = nic_pkg::OpAlu;
        w32  = 1'b1;
        func = opc[4:1];
        bsel = {1'b0, opc[0]};
      end
      3'b011: begin  // LD
        op       = nic_pkg::OpLoad;
        sign_ext = opc[4];
        size     = {1'b0, opc[3:1]} + 4'd1;
        load_imm = opc[0];
      end
      3'b10?: begin  // ALU64
        op   = nic_pkg::OpAlu;
        func = opc[5:2];
        bsel = opc[1:0];
      end
      default: begin  // BR
        op   = nic_pkg::OpBranch;
        cond = opc[5:2];
        w32  = opc[1];
        bsel = {1'b0, opc[0]};
      end
    endcase

    if (op == nic_pkg::OpAtomic || op == nic_pkg::OpXchg || op == nic_pkg::OpCmpxchg) begin
      size = w32 ? 4'd4 : 4'd8;
    end
    is_mem = op == nic_pkg::OpLoad || op == nic_pkg::OpStore || op == nic_pkg::OpAtomic ||
             op == nic_pkg::OpXchg || op == nic_pkg::OpCmpxchg;
    is_control = op == nic_pkg::OpBranch || op == nic_pkg::OpCallf || op == nic_pkg::OpRet ||
                 op == nic_pkg::OpExitImm || op == nic_pkg::OpExitReg;
    uses_mul = op == nic_pkg::OpAlu && func == nic_pkg::AluMul;
    uses_div = op == nic_pkg::OpAlu &&
               (func == nic_pkg::AluDiv || func == nic_pkg::AluSdiv ||
                func == nic_pkg::AluMod || func == nic_pkg::AluSmod);
    writes_now  = op == nic_pkg::OpMovs || (op == nic_pkg::OpAlu && !uses_mul && !uses_div);
    writes_late = uses_mul || op == nic_pkg::OpLoad || op == nic_pkg::OpXchg ||
                  op == nic_pkg::OpCmpxchg || (op == nic_pkg::OpAtomic && fetch);

    // The field order of nic_pkg::slot_ctl_t (the first field at the top).
    ctl = {1'b0, op, w32, func, bsel, size, sign_ext, no_fault, load_imm, cond, atomic_op, fetch,
           is_mem, is_control, uses_mul, uses_div, writes_now, writes_late};
  endfunction

endpackage
