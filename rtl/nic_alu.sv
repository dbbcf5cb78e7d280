// The ALU of one lane (docs/nic-isa.md section 4.2): every function except mul (the core's
// multiplier) and the division family (the divider). ALU32 works on the low halves and
// zero-extends its result.

module nic_alu (
  input  logic [3:0]  func_i,  // nic_pkg::alu_func_e
  input  logic        w32_i,
  input  logic [63:0] a_i,
  input  logic [63:0] b_i,
  output logic [63:0] result_o
);

  function automatic logic [63:0] bswap64(logic [63:0] v);
    bswap64 = {v[7:0], v[15:8], v[23:16], v[31:24], v[39:32], v[47:40], v[55:48], v[63:56]};
  endfunction

  logic [63:0] r64;
  logic [31:0] r32;
  logic [63:0] ext_r;
  logic [31:0] a32, b32;

  assign a32 = a_i[31:0];
  assign b32 = b_i[31:0];

  // `ext` selects its conversion with imm32 (operand B, bsel = 1).
  always_comb begin
    unique case (b_i[2:0])
      3'd0:    ext_r = {48'b0, a_i[7:0], a_i[15:8]};
      3'd1:    ext_r = {32'b0, a_i[7:0], a_i[15:8], a_i[23:16], a_i[31:24]};
      3'd2:    ext_r = bswap64(a_i);
      3'd3:    ext_r = {{56{a_i[7]}}, a_i[7:0]};
      3'd4:    ext_r = {{48{a_i[15]}}, a_i[15:0]};
      default: ext_r = {{32{a_i[31]}}, a_i[31:0]};
    endcase
  end

  always_comb begin
    unique case (func_i)
      nic_pkg::AluAdd:  r64 = a_i + b_i;
      nic_pkg::AluSub:  r64 = a_i - b_i;
      nic_pkg::AluOr:   r64 = a_i | b_i;
      nic_pkg::AluAnd:  r64 = a_i & b_i;
      nic_pkg::AluXor:  r64 = a_i ^ b_i;
      nic_pkg::AluLsh:  r64 = a_i << b_i[5:0];
      nic_pkg::AluRsh:  r64 = a_i >> b_i[5:0];
      nic_pkg::AluArsh: r64 = $signed(a_i) >>> b_i[5:0];
      nic_pkg::AluMov:  r64 = b_i;
      nic_pkg::AluRsub: r64 = b_i - a_i;
      nic_pkg::AluExt:  r64 = ext_r;
      default: r64 = '0;  // mul and division are computed by their units
    endcase
  end

  always_comb begin
    unique case (func_i)
      nic_pkg::AluAdd:  r32 = a32 + b32;
      nic_pkg::AluSub:  r32 = a32 - b32;
      nic_pkg::AluOr:   r32 = a32 | b32;
      nic_pkg::AluAnd:  r32 = a32 & b32;
      nic_pkg::AluXor:  r32 = a32 ^ b32;
      nic_pkg::AluLsh:  r32 = a32 << b32[4:0];
      nic_pkg::AluRsh:  r32 = a32 >> b32[4:0];
      nic_pkg::AluArsh: r32 = $signed(a32) >>> b32[4:0];
      nic_pkg::AluMov:  r32 = b32;
      nic_pkg::AluRsub: r32 = b32 - a32;
      nic_pkg::AluExt:  r32 = ext_r[31:0];
      default: r32 = '0;
    endcase
  end

  assign result_o = w32_i ? {32'b0, r32} : r64;

endmodule
