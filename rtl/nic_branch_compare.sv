// The condition of a branch (docs/nic-isa.md section 4.5): X and Y compared as 64-bit values,
// or on their low 32 bits when w32 is set.

module nic_branch_compare (
  input  logic [3:0]  cond_i,  // nic_pkg::cond_e
  input  logic        w32_i,
  input  logic [63:0] x_i,
  input  logic [63:0] y_i,
  output logic        taken_o
);

  logic [63:0] x, y;
  logic        eq, ult, slt;

  assign x   = w32_i ? {32'b0, x_i[31:0]} : x_i;
  assign y   = w32_i ? {32'b0, y_i[31:0]} : y_i;
  assign eq  = x == y;
  assign ult = x < y;
  assign slt = w32_i ? ($signed(x_i[31:0]) < $signed(y_i[31:0])) : ($signed(x_i) < $signed(y_i));

  always_comb begin
    unique case (cond_i)
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
      default:    taken_o = 1'b0;
    endcase
  end

endmodule
