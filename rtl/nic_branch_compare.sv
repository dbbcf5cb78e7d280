// The condition of a branch (docs/nic-isa.md section 4.5): X and Y compared as 64-bit values,
// or on their low 32 bits when w32 is set. A function that nic_lane calls for branch slots
// only (see nic_alu for why).

package nic_branch_compare;

  function automatic logic taken(logic [3:0] cond, logic w32, logic [63:0] x_i,
                                 logic [63:0] y_i);
    logic [63:0] x, y;
    logic        eq, ult, slt;
    x   = w32 ? {32'b0, x_i[31:0]} : x_i;
    y   = w32 ? {32'b0, y_i[31:0]} : y_i;
    eq  = x == y;
    ult = x < y;
    slt = w32 ? ($signed(x_i[31:0]) < $signed(y_i[31:0])) : ($signed(x_i) < $signed(y_i));
    unique case (cond)
      nic_pkg::CondAlways: taken = 1'b1;
      nic_pkg::CondEq:     taken = eq;
      nic_pkg::CondNe:     taken = !eq;
      nic_pkg::CondGt:     taken = !ult && !eq;
      nic_pkg::CondGe:     taken = !ult;
      nic_pkg::CondLt:     taken = ult;
      nic_pkg::CondLe:     taken = ult || eq;
      nic_pkg::CondSgt:    taken = !slt && !eq;
      nic_pkg::CondSge:    taken = !slt;
      nic_pkg::CondSlt:    taken = slt;
      nic_pkg::CondSle:    taken = slt || eq;
      nic_pkg::CondSet:    taken = (x & y) != '0;
      nic_pkg::CondNset:   taken = (x & y) == '0;
      default:             taken = 1'b0;
    endcase
  endfunction

endpackage
