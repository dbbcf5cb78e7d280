// The ALU of one lane (docs/nic-isa.md section 4.2): every function except mul (the core's
// multiplier) and the division family (the divider). ALU32 works on the low halves and
// zero-extends its result.
//
// A function rather than a module: nic_lane calls it only for a slot that is an ALU operation,
// and only the width the slot asks for, so that a simulator computes nothing for the other
// slots. The hardware is the same either way (an ALU per lane, its result selected by the slot).

package nic_alu;

  function automatic logic [63:0] bswap64(logic [63:0] v);
    bswap64 = {v[7:0], v[15:8], v[23:16], v[31:24], v[39:32], v[47:40], v[55:48], v[63:56]};
  endfunction

  // `ext` selects its conversion with imm32 (operand B, bsel = 1).
  function automatic logic [63:0] extend(logic [63:0] a, logic [2:0] kind);
    unique case (kind)
      3'd0:    extend = {48'b0, a[7:0], a[15:8]};
      3'd1:    extend = {32'b0, a[7:0], a[15:8], a[23:16], a[31:24]};
      3'd2:    extend = bswap64(a);
      3'd3:    extend = {{56{a[7]}}, a[7:0]};
      3'd4:    extend = {{48{a[15]}}, a[15:0]};
      default: extend = {{32{a[31]}}, a[31:0]};
    endcase
  endfunction

  function automatic logic [63:0] result64(logic [3:0] func, logic [63:0] a, logic [63:0] b);
    unique case (func)
      nic_pkg::AluAdd:  result64 = a + b;
      nic_pkg::AluSub:  result64 = a - b;
      nic_pkg::AluOr:   result64 = a | b;
      nic_pkg::AluAnd:  result64 = a & b;
      nic_pkg::AluXor:  result64 = a ^ b;
      nic_pkg::AluLsh:  result64 = a << b[5:0];
      nic_pkg::AluRsh:  result64 = a >> b[5:0];
      nic_pkg::AluArsh: result64 = $signed(a) >>> b[5:0];
      nic_pkg::AluMov:  result64 = b;
      nic_pkg::AluRsub: result64 = b - a;
      nic_pkg::AluExt:  result64 = extend(a, b[2:0]);
      default:          result64 = '0;  // mul and division are computed by their units
    endcase
  endfunction

  function automatic logic [31:0] result32(logic [3:0] func, logic [63:0] a64, logic [31:0] b);
    logic [31:0] a;
    a = a64[31:0];
    unique case (func)
      nic_pkg::AluAdd:  result32 = a + b;
      nic_pkg::AluSub:  result32 = a - b;
      nic_pkg::AluOr:   result32 = a | b;
      nic_pkg::AluAnd:  result32 = a & b;
      nic_pkg::AluXor:  result32 = a ^ b;
      nic_pkg::AluLsh:  result32 = a << b[4:0];
      nic_pkg::AluRsh:  result32 = a >> b[4:0];
      nic_pkg::AluArsh: result32 = $signed(a) >>> b[4:0];
      nic_pkg::AluMov:  result32 = b;
      nic_pkg::AluRsub: result32 = b - a;
      nic_pkg::AluExt:  result32 = 32'(extend(a64, b[2:0]));
      default:          result32 = '0;
    endcase
  endfunction

  function automatic logic [63:0] result(logic [3:0] func, logic w32, logic [63:0] a,
                                         logic [63:0] b);
    if (w32) begin
      result = {32'b0, result32(func, a, b[31:0])};
    end else begin
      result = result64(func, a, b);
    end
  endfunction

endpackage
