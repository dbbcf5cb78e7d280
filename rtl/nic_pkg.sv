// Types and constants of the NIC eBPF core (docs/nic-isa.md). The slot encoding, the address
// map and the helper table are the ones firmware/ defines in C++; this package restates them
// for the hardware and nothing else. The RTL sticks to the SystemVerilog subset that both the
// simulator and the synthesis tool (Yosys 0.23) read: package-qualified names, no packed arrays
// of more than one dimension (flat vectors at ports, unpacked arrays inside), functions
// without `return`.

package nic_pkg;

  // r0..r10 are the eBPF registers (r10 the constant frame pointer); r11..r13 are read-only
  // operands holding pkt_data, pkt_end and pkt_meta of the context (section 2).
  localparam int unsigned NumStored   = 10;  // r0..r9 have storage
  localparam int unsigned NumOperands = 14;
  // A bundle's predecoded bits for issue selection (nic_slot_uses): {registers, control,
  // hcall, division}.
  localparam int unsigned SlotUsesW = NumOperands + 3;

  typedef enum logic [3:0] {
    OpNop     = 4'd0,
    OpMovs    = 4'd1,
    OpExitImm = 4'd2,
    OpExitReg = 4'd3,
    OpHcall   = 4'd4,
    OpCallf   = 4'd5,
    OpRet     = 4'd6,
    OpXchg    = 4'd7,
    OpCmpxchg = 4'd8,
    OpAtomic  = 4'd9,
    OpStore   = 4'd10,
    OpAlu     = 4'd11,
    OpLoad    = 4'd12,
    OpBranch  = 4'd13
  } op_class_e;

  typedef enum logic [3:0] {
    AluAdd  = 4'd0,
    AluSub  = 4'd1,
    AluMul  = 4'd2,
    AluDiv  = 4'd3,
    AluSdiv = 4'd4,
    AluMod  = 4'd5,
    AluSmod = 4'd6,
    AluOr   = 4'd7,
    AluAnd  = 4'd8,
    AluXor  = 4'd9,
    AluLsh  = 4'd10,
    AluRsh  = 4'd11,
    AluArsh = 4'd12,
    AluMov  = 4'd13,
    AluRsub = 4'd14,
    AluExt  = 4'd15
  } alu_func_e;

  typedef enum logic [1:0] {
    BselReg  = 2'd0,
    BselImm  = 2'd1,
    BselPool = 2'd2
  } bsel_e;

  typedef enum logic [3:0] {
    CondAlways = 4'd0,
    CondEq     = 4'd1,
    CondNe     = 4'd2,
    CondGt     = 4'd3,
    CondGe     = 4'd4,
    CondLt     = 4'd5,
    CondLe     = 4'd6,
    CondSgt    = 4'd7,
    CondSge    = 4'd8,
    CondSlt    = 4'd9,
    CondSle    = 4'd10,
    CondSet    = 4'd11,
    CondNset   = 4'd12
  } cond_e;

  typedef enum logic [1:0] {
    AtomicAdd = 2'd0,
    AtomicOr  = 2'd1,
    AtomicAnd = 2'd2,
    AtomicXor = 2'd3
  } atomic_op_e;

  // What a slot does, decoded from its opcode byte; the register numbers and immediates are
  // read from the slot word itself (fixed positions, section 4). Kept under 64 bits so that
  // simulation handles it as one word. Images are validated by firmware/'s reader before they
  // are loaded, so the decoder trusts every encoding it sees.
  typedef struct packed {
    logic       spare;       // always 0: pads the bits to a whole 32-bit word
    op_class_e  op;
    logic       w32;         // ALU32, 32-bit compare, 4-byte atomic
    logic [3:0] func;        // alu_func_e
    logic [1:0] bsel;        // bsel_e: ALU and branch operand B; store value select
    logic [3:0] size;        // load/store/atomic bytes, 1..8
    logic       sign_ext;    // load
    logic       no_fault;    // ldnf: a load that would fault yields 0
    logic       load_imm;    // load addressing: ra + sext(imm32) (else ra + rb + sext(x12))
    logic [3:0] cond;        // cond_e
    logic [1:0] atomic_op;   // atomic_op_e
    logic       fetch;       // atomic returns the old value
    logic       is_mem;      // uses a memory port
    logic       is_control;  // branch, callf, ret, exit
    logic       uses_mul;
    logic       uses_div;
    logic       writes_now;  // ALU (not mul/div) or movs: the result lands in the issue cycle
    logic       writes_late; // load, xchg, cmpxchg, fetching atomic, mul: through writeback
  } slot_ctl_t;
  // $bits(slot_ctl_t). A whole word: a bundle's slots' control bits side by side are then one
  // 32-bit word each, from which a simulator reads a lane's fields without crossing words and
  // takes its control bits without masking.
  localparam int unsigned SlotCtlBits = 32;

  // Fields of a slot_ctl_t carried as a plain vector (the synthesis tool reads struct members
  // only of module-level variables): the packed layout puts the first field at the top. Read
  // as part-selects `c[CtlOp +: CtlOpBits]` at the use sites rather than through accessor
  // functions: Verilator 5.006 gives every inlined call a pair of member temporaries that the
  // generated code stores every evaluation (about 100 host instructions per cycle for these
  // fields, bench/RESULTS.md rtlspeed12). `fetch` and `is_control` are not read by the core.
  localparam int unsigned CtlOp = 27, CtlOpBits = 4;
  localparam int unsigned CtlW32 = 26;
  localparam int unsigned CtlFunc = 22, CtlFuncBits = 4;
  localparam int unsigned CtlBsel = 20, CtlBselBits = 2;
  localparam int unsigned CtlSize = 16, CtlSizeBits = 4;
  localparam int unsigned CtlSignExt = 15;
  localparam int unsigned CtlNoFault = 14;
  localparam int unsigned CtlLoadImm = 13;
  localparam int unsigned CtlCond = 9, CtlCondBits = 4;
  localparam int unsigned CtlAtomicOp = 7, CtlAtomicOpBits = 2;
  localparam int unsigned CtlIsMem = 5;
  localparam int unsigned CtlUsesMul = 3;
  localparam int unsigned CtlUsesDiv = 2;
  localparam int unsigned CtlWritesNow = 1;
  localparam int unsigned CtlWritesLate = 0;

  // Fields of a slot word (section 4) as bit offsets: rd [55:52], ra [51:48], rb [47:44],
  // x12 [43:32], imm32 [31:0]. For part-selects of a bundle's slots side by side (slot l at
  // l * 64), which a simulator reads in place where an array of slot words would be a copy.
  localparam int unsigned SlotRd = 52, SlotRa = 48, SlotRb = 44, SlotX12 = 32;

  // ---- architectural constants (sections 2 and 3) ----
  localparam logic [63:0] FramePointer   = 64'h0000_0000_2000_0200;
  localparam logic [11:0] ExitVectorBase = 12'hff8;

  localparam logic [3:0] RegionPacket   = 4'h1;
  localparam logic [3:0] RegionStack    = 4'h2;
  localparam logic [3:0] RegionContext  = 4'h3;
  localparam logic [3:0] RegionMapLo    = 4'h4;
  localparam logic [3:0] RegionMapHi    = 4'h5;
  localparam logic [3:0] RegionFirmware = 4'h7;

  localparam logic [32:0] StackEnd    = 33'h0_2000_0200;
  localparam logic [32:0] FirmwareEnd = 33'h0_7000_0040;
  localparam logic [31:0] ContextBase = 32'h3000_0000;

  // Special registers of `movs` (section 4.6).
  localparam logic [3:0] SregPktData   = 4'd0;
  localparam logic [3:0] SregPktEnd    = 4'd1;
  localparam logic [3:0] SregPktMeta   = 4'd2;
  localparam logic [3:0] SregPktLen    = 4'd3;
  localparam logic [3:0] SregIngress   = 4'd4;
  localparam logic [3:0] SregRxQueue   = 4'd5;
  localparam logic [3:0] SregEgress    = 4'd6;
  localparam logic [3:0] SregCpuId     = 4'd7;
  localparam logic [3:0] SregTimeNs    = 4'd8;
  localparam logic [3:0] SregContextId = 4'd9;
  localparam logic [3:0] SregCycle     = 4'd10;

  // Stall causes (section 12), in attribution priority order.
  typedef enum logic [2:0] {
    StallHelper = 3'd0,
    StallUnit   = 3'd1,
    StallData   = 3'd2,
    StallBranch = 3'd3,
    StallFetch  = 3'd4,
    StallIssue  = 3'd5,
    StallNone   = 3'd7   // issued, or not running
  } stall_e;

  // r1..rn read by `hcall id`: n is the helper's argument count (5 for an unknown id).
  function automatic logic [NumOperands-1:0] hcall_reads(logic [31:0] id);
    unique case (id)
      32'd1, 32'd3, 32'd23, 32'd44, 32'd54, 32'd65: hcall_reads = 14'b00_0000_0000_0110;
      32'd2:  hcall_reads = 14'b00_0000_0001_1110;
      32'd51: hcall_reads = 14'b00_0000_0000_1110;
      default: hcall_reads = 14'b00_0000_0011_1110;
    endcase
  endfunction

  function automatic logic [NumOperands-1:0] reg_bit(logic [3:0] r);
    reg_bit = 14'd1 << r;
  endfunction

  // The bytes of an access of `size` bytes (1..8) in a 64-bit word.
  function automatic logic [63:0] size_mask(logic [3:0] size);
    size_mask = (size >= 4'd8) ? '1 : (64'd1 << {size[2:0], 3'b000}) - 64'd1;
  endfunction

  // What a slot's memory operation writes (docs/nic-isa.md section 7): a store its value, a
  // read-modify-write what it computes from `old` (the old value of the access's size); a load
  // nothing.
  function automatic logic [63:0] mem_write_data(logic [SlotCtlBits-1:0] c, logic [63:0] old,
                                                 logic [63:0] b, logic [63:0] expected,
                                                 logic [63:0] store_value);
    logic [63:0] mask;
    mask = nic_pkg::size_mask(c[nic_pkg::CtlSize +: nic_pkg::CtlSizeBits]);
    unique case (c[nic_pkg::CtlOp +: nic_pkg::CtlOpBits])
      nic_pkg::OpAtomic: begin
        unique case (c[nic_pkg::CtlAtomicOp +: nic_pkg::CtlAtomicOpBits])
          nic_pkg::AtomicAdd: mem_write_data = (old + b) & mask;
          nic_pkg::AtomicOr:  mem_write_data = (old | b) & mask;
          nic_pkg::AtomicAnd: mem_write_data = (old & b) & mask;
          default:            mem_write_data = (old ^ b) & mask;
        endcase
      end
      nic_pkg::OpXchg:    mem_write_data = b & mask;
      nic_pkg::OpCmpxchg: mem_write_data = (((expected & mask) == old) ? b : old) & mask;
      nic_pkg::OpStore:   mem_write_data = store_value & mask;
      default:            mem_write_data = '0;
    endcase
  endfunction

  function automatic logic [63:0] sign_extend(logic [63:0] v, logic [3:0] size);
    unique case (size)
      4'd1:    sign_extend = {{56{v[7]}}, v[7:0]};
      4'd2:    sign_extend = {{48{v[15]}}, v[15:0]};
      4'd3:    sign_extend = {{40{v[23]}}, v[23:0]};
      4'd4:    sign_extend = {{32{v[31]}}, v[31:0]};
      4'd5:    sign_extend = {{24{v[39]}}, v[39:0]};
      4'd6:    sign_extend = {{16{v[47]}}, v[47:0]};
      4'd7:    sign_extend = {{8{v[55]}}, v[55:0]};
      default: sign_extend = v;
    endcase
  endfunction

  // What a slot that writes through its lane's writeback pipeline produces in its issue cycle:
  // a product (the low 32 bits for a 32-bit multiply), or the value its memory operation read
  // (from the context window or from memory, `mem_data` 0 where the access did not take
  // place), sign-extended by a sign-extending load.
  function automatic logic [63:0] late_value(logic [SlotCtlBits-1:0] c, logic [63:0] product,
                                             logic ctx_window, logic [63:0] ctx_value,
                                             logic [63:0] mem_data);
    // Package names qualified: Yosys 0.23 resolves them in the calling module otherwise.
    logic [63:0] loaded;
    if (c[nic_pkg::CtlUsesMul]) begin
      late_value = c[nic_pkg::CtlW32] ? {32'b0, product[31:0]} : product;
    end else begin
      loaded     = ctx_window ? ctx_value : mem_data;
      late_value = (c[nic_pkg::CtlOp +: nic_pkg::CtlOpBits] == nic_pkg::OpLoad &&
                    c[nic_pkg::CtlSignExt]) ?
                   nic_pkg::sign_extend(loaded, c[nic_pkg::CtlSize +: nic_pkg::CtlSizeBits]) :
                   loaded;
    end
  endfunction

endpackage
