// Every typed encoder checked against Capstone: the bytes an encoder writes must decode, as
// exactly one instruction, to the mnemonic and operands the encoder is named after. The
// expected operands are written from the test's parameters, never from the encoder's output.

#include "jit/x86_64/x86_encoder.h"

#include <capstone/capstone.h>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

#include "jit/common/jit_error.h"

namespace nicsim::jit::x86 {
namespace {

constexpr std::array<Reg, 16> kAllRegs = {
    Reg::rax, Reg::rcx, Reg::rdx, Reg::rbx, Reg::rsp, Reg::rbp, Reg::rsi, Reg::rdi,
    Reg::r8,  Reg::r9,  Reg::r10, Reg::r11, Reg::r12, Reg::r13, Reg::r14, Reg::r15};

// Capstone's names for each register at each width, in Reg order.
x86_reg capstone_reg(Reg r, Width w) {
  static constexpr x86_reg k64[] = {X86_REG_RAX, X86_REG_RCX, X86_REG_RDX, X86_REG_RBX,
                                    X86_REG_RSP, X86_REG_RBP, X86_REG_RSI, X86_REG_RDI,
                                    X86_REG_R8,  X86_REG_R9,  X86_REG_R10, X86_REG_R11,
                                    X86_REG_R12, X86_REG_R13, X86_REG_R14, X86_REG_R15};
  static constexpr x86_reg k32[] = {X86_REG_EAX,  X86_REG_ECX,  X86_REG_EDX,  X86_REG_EBX,
                                    X86_REG_ESP,  X86_REG_EBP,  X86_REG_ESI,  X86_REG_EDI,
                                    X86_REG_R8D,  X86_REG_R9D,  X86_REG_R10D, X86_REG_R11D,
                                    X86_REG_R12D, X86_REG_R13D, X86_REG_R14D, X86_REG_R15D};
  static constexpr x86_reg k16[] = {X86_REG_AX,   X86_REG_CX,   X86_REG_DX,   X86_REG_BX,
                                    X86_REG_SP,   X86_REG_BP,   X86_REG_SI,   X86_REG_DI,
                                    X86_REG_R8W,  X86_REG_R9W,  X86_REG_R10W, X86_REG_R11W,
                                    X86_REG_R12W, X86_REG_R13W, X86_REG_R14W, X86_REG_R15W};
  static constexpr x86_reg k8[] = {X86_REG_AL,   X86_REG_CL,   X86_REG_DL,   X86_REG_BL,
                                   X86_REG_SPL,  X86_REG_BPL,  X86_REG_SIL,  X86_REG_DIL,
                                   X86_REG_R8B,  X86_REG_R9B,  X86_REG_R10B, X86_REG_R11B,
                                   X86_REG_R12B, X86_REG_R13B, X86_REG_R14B, X86_REG_R15B};
  const auto i = static_cast<size_t>(r);
  switch (w) {
    case Width::W64:
      return k64[i];
    case Width::W32:
      return k32[i];
    case Width::W16:
      return k16[i];
    case Width::W8:
      return k8[i];
  }
  return X86_REG_INVALID;
}

// An operand as the test expects it.
struct Op {
  enum Kind { Register, Immediate, Memory } kind;
  x86_reg reg = X86_REG_INVALID;
  int64_t imm = 0;
  x86_reg base = X86_REG_INVALID;
  int64_t disp = 0;
  int size = 0;                     // bytes; for immediates compared modulo this size
  x86_reg index = X86_REG_INVALID;  // memory: [base + index * scale + disp]
  int scale = 1;
};

Op R(Reg r, Width w) {
  return Op{Op::Register, capstone_reg(r, w), 0, X86_REG_INVALID, 0, static_cast<int>(w)};
}
Op I(int64_t value, Width w) {
  return Op{Op::Immediate, X86_REG_INVALID, value, X86_REG_INVALID, 0, static_cast<int>(w)};
}
Op M(Mem m, Width w) {
  return Op{Op::Memory, X86_REG_INVALID,    0, capstone_reg(m.base, Width::W64),
            m.disp,     static_cast<int>(w)};
}

Op MI(Reg base, Reg index, int scale, Width w) {
  Op op = M(Mem{base, 0}, w);
  op.index = capstone_reg(index, Width::W64);
  op.scale = scale;
  return op;
}

// Immediates are shown masked to the width of the instruction's first operand (Capstone gives
// an implicit shift count of 1 the register's size, and some immediates sign-extended).
std::string describe(const Op& op, int first_size) {
  switch (op.kind) {
    case Op::Register:
      return fmt::format("reg{}", static_cast<int>(op.reg));
    case Op::Immediate: {
      int64_t value = op.imm;
      if (first_size > 0 && first_size < 8) value &= (int64_t{1} << (8 * first_size)) - 1;
      return fmt::format("imm:{:#x}", value);
    }
    case Op::Memory:
      if (op.index == X86_REG_INVALID)
        return fmt::format("mem{}[reg{}{:+}]", op.size, static_cast<int>(op.base), op.disp);
      return fmt::format("mem{}[reg{}+reg{}*{}{:+}]", op.size, static_cast<int>(op.base),
                         static_cast<int>(op.index), op.scale, op.disp);
  }
  return "?";
}

std::string describe_all(const std::string& mnemonic, const std::vector<Op>& ops) {
  std::string text = mnemonic;
  const int first_size = !ops.empty() && ops[0].kind != Op::Immediate ? ops[0].size : 8;
  for (size_t i = 0; i < ops.size(); ++i)
    text += (i == 0 ? " " : ", ") + describe(ops[i], first_size);
  return text;
}

class Capstone {
 public:
  Capstone() {
    EXPECT_EQ(cs_open(CS_ARCH_X86, CS_MODE_64, &handle_), CS_ERR_OK);
    cs_option(handle_, CS_OPT_DETAIL, CS_OPT_ON);
  }
  ~Capstone() { cs_close(&handle_); }

  // Decodes `bytes` (at `address`) as exactly one instruction and describes it as
  // "mnemonic op, op, ..." in the Op notation; "<error>" when it is not one instruction.
  std::string decode(std::span<const uint8_t> bytes, uint64_t address = 0x1000) {
    cs_insn* insn = nullptr;
    const size_t count = cs_disasm(handle_, bytes.data(), bytes.size(), address, 0, &insn);
    std::string text;
    if (count != 1 || insn[0].size != bytes.size()) {
      text = fmt::format("<{} instructions, first {} of {} bytes>", count, count ? insn[0].size : 0,
                         bytes.size());
    } else {
      const cs_x86& x86 = insn[0].detail->x86;
      std::vector<Op> ops;
      for (int i = 0; i < x86.op_count; ++i) {
        const cs_x86_op& op = x86.operands[i];
        switch (op.type) {
          case X86_OP_REG:
            ops.push_back(Op{Op::Register, op.reg, 0, X86_REG_INVALID, 0, op.size});
            break;
          case X86_OP_IMM:
            ops.push_back(Op{Op::Immediate, X86_REG_INVALID, op.imm, X86_REG_INVALID, 0, op.size});
            break;
          case X86_OP_MEM:
            ops.push_back(Op{Op::Memory, X86_REG_INVALID, 0, op.mem.base, op.mem.disp, op.size,
                             op.mem.index, op.mem.scale});
            break;
          default:
            ADD_FAILURE() << "unexpected operand type";
            break;
        }
      }
      text = describe_all(insn[0].mnemonic, ops);
    }
    cs_free(insn, count);
    return text;
  }

 private:
  csh handle_ = 0;
};

std::string expect(const std::string& mnemonic, std::vector<Op> ops) {
  return describe_all(mnemonic, ops);
}

// Runs `emit` on a fresh encoder and returns the decoded text of what it wrote.
template <typename F>
std::string encode(Capstone& cs, F emit) {
  CodeBuffer code;
  X86Encoder enc(code);
  emit(enc);
  return cs.decode(code.bytes());
}

const std::vector<Mem> kAddressingCases() {
  std::vector<Mem> cases;
  for (Reg base : kAllRegs) {
    for (int32_t disp : {0, 8, -8, 127, 128, -128, -129, 0x12345678, INT32_MIN})
      cases.push_back({base, disp});
  }
  return cases;
}

const char* alu_name(AluOp op) {
  static constexpr const char* kNames[] = {"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"};
  return kNames[static_cast<int>(op)];
}

class X86EncoderTest : public ::testing::Test {
 protected:
  Capstone cs;
};

TEST_F(X86EncoderTest, MovRegReg) {
  for (Width w : {Width::W32, Width::W64})
    for (Reg d : kAllRegs)
      for (Reg s : kAllRegs)
        EXPECT_EQ(encode(cs, [&](X86Encoder& e) { e.mov_reg_reg(w, d, s); }),
                  expect("mov", {R(d, w), R(s, w)}));
}

TEST_F(X86EncoderTest, MovImmediates) {
  for (Reg d : kAllRegs) {
    EXPECT_EQ(encode(cs, [&](X86Encoder& e) { e.mov_reg_imm32(d, 0xdeadbeef); }),
              expect("mov", {R(d, Width::W32), I(0xdeadbeef, Width::W32)}));
    EXPECT_EQ(encode(cs, [&](X86Encoder& e) { e.mov_reg_simm32(d, -5); }),
              expect("mov", {R(d, Width::W64), I(-5, Width::W64)}));
    EXPECT_EQ(encode(cs, [&](X86Encoder& e) { e.movabs_reg_imm64(d, 0x8877665544332211ull); }),
              expect("movabs", {R(d, Width::W64),
                                I(static_cast<int64_t>(0x8877665544332211ull), Width::W64)}));
  }
}

TEST_F(X86EncoderTest, LoadConstantPicksAFormThatYieldsTheValue) {
  struct Case {
    uint64_t value;
    std::string expected;
  };
  for (Reg d : kAllRegs) {
    const Case cases[] = {
        {0, expect("xor", {R(d, Width::W32), R(d, Width::W32)})},
        {0xffffffff, expect("mov", {R(d, Width::W32), I(0xffffffff, Width::W32)})},
        {~uint64_t{0}, expect("mov", {R(d, Width::W64), I(-1, Width::W64)})},
        {0xffffffff80000000ull, expect("mov", {R(d, Width::W64), I(INT32_MIN, Width::W64)})},
        {0x100000000ull, expect("movabs", {R(d, Width::W64), I(0x100000000, Width::W64)})},
        {0x7fffffff80000000ull,
         expect("movabs", {R(d, Width::W64), I(0x7fffffff80000000, Width::W64)})},
    };
    for (const Case& c : cases)
      EXPECT_EQ(encode(cs, [&](X86Encoder& e) { e.load_constant(d, c.value); }), c.expected)
          << std::hex << c.value;
  }
}

TEST_F(X86EncoderTest, LoadsAllWidthsAndAddressingForms) {
  for (Reg d : kAllRegs) {
    for (const Mem& m : kAddressingCases()) {
      EXPECT_EQ(encode(cs, [&](X86Encoder& e) { e.load(Width::W64, d, m); }),
                expect("mov", {R(d, Width::W64), M(m, Width::W64)}));
      EXPECT_EQ(encode(cs, [&](X86Encoder& e) { e.load(Width::W32, d, m); }),
                expect("mov", {R(d, Width::W32), M(m, Width::W32)}));
      EXPECT_EQ(encode(cs, [&](X86Encoder& e) { e.load_zero_extend(Width::W8, d, m); }),
                expect("movzx", {R(d, Width::W32), M(m, Width::W8)}));
      EXPECT_EQ(encode(cs, [&](X86Encoder& e) { e.load_zero_extend(Width::W16, d, m); }),
                expect("movzx", {R(d, Width::W32), M(m, Width::W16)}));
      EXPECT_EQ(encode(cs, [&](X86Encoder& e) { e.load_sign_extend(Width::W8, d, m); }),
                expect("movsx", {R(d, Width::W64), M(m, Width::W8)}));
      EXPECT_EQ(encode(cs, [&](X86Encoder& e) { e.load_sign_extend(Width::W16, d, m); }),
                expect("movsx", {R(d, Width::W64), M(m, Width::W16)}));
      EXPECT_EQ(encode(cs, [&](X86Encoder& e) { e.load_sign_extend(Width::W32, d, m); }),
                expect("movsxd", {R(d, Width::W64), M(m, Width::W32)}));
      EXPECT_EQ(encode(cs, [&](X86Encoder& e) { e.lea(d, m); }),
                expect("lea", {R(d, Width::W64), M(m, Width::W64)}));
    }
  }
}

TEST_F(X86EncoderTest, LeaWithScaledIndex) {
  for (Reg d : kAllRegs) {
    for (Reg base : kAllRegs) {
      for (Reg index : kAllRegs) {
        if (index == Reg::rsp) continue;  // no such index
        for (int scale : {1, 2, 4, 8}) {
          EXPECT_EQ(encode(cs,
                           [&](X86Encoder& e) {
                             e.lea_indexed(d, base, index, static_cast<uint8_t>(scale));
                           }),
                    expect("lea", {R(d, Width::W64), MI(base, index, scale, Width::W64)}));
        }
      }
    }
  }
  EXPECT_THROW(encode(cs, [](X86Encoder& e) { e.lea_indexed(Reg::rax, Reg::rax, Reg::rsp, 1); }),
               JitError);
  EXPECT_THROW(encode(cs, [](X86Encoder& e) { e.lea_indexed(Reg::rax, Reg::rax, Reg::rcx, 3); }),
               JitError);
}

TEST_F(X86EncoderTest, StoresAllWidths) {
  for (Reg s : kAllRegs) {
    for (const Mem& m : kAddressingCases()) {
      for (Width w : {Width::W8, Width::W16, Width::W32, Width::W64}) {
        EXPECT_EQ(encode(cs, [&](X86Encoder& e) { e.store(w, m, s); }),
                  expect("mov", {M(m, w), R(s, w)}));
      }
    }
  }
  for (const Mem& m : kAddressingCases()) {
    EXPECT_EQ(encode(cs, [&](X86Encoder& e) { e.store_imm(Width::W8, m, -2); }),
              expect("mov", {M(m, Width::W8), I(-2, Width::W8)}));
    EXPECT_EQ(encode(cs, [&](X86Encoder& e) { e.store_imm(Width::W16, m, 0x1234); }),
              expect("mov", {M(m, Width::W16), I(0x1234, Width::W16)}));
    EXPECT_EQ(encode(cs, [&](X86Encoder& e) { e.store_imm(Width::W32, m, -0x12345678); }),
              expect("mov", {M(m, Width::W32), I(-0x12345678, Width::W32)}));
    EXPECT_EQ(encode(cs, [&](X86Encoder& e) { e.store_imm(Width::W64, m, -3); }),
              expect("mov", {M(m, Width::W64), I(-3, Width::W64)}));
  }
}

TEST_F(X86EncoderTest, RegisterExtensions) {
  for (Reg d : kAllRegs) {
    for (Reg s : kAllRegs) {
      EXPECT_EQ(encode(cs, [&](X86Encoder& e) { e.movzx_reg(Width::W8, d, s); }),
                expect("movzx", {R(d, Width::W32), R(s, Width::W8)}));
      EXPECT_EQ(encode(cs, [&](X86Encoder& e) { e.movzx_reg(Width::W16, d, s); }),
                expect("movzx", {R(d, Width::W32), R(s, Width::W16)}));
      for (Width to : {Width::W32, Width::W64}) {
        EXPECT_EQ(encode(cs, [&](X86Encoder& e) { e.movsx_reg(Width::W8, to, d, s); }),
                  expect("movsx", {R(d, to), R(s, Width::W8)}));
        EXPECT_EQ(encode(cs, [&](X86Encoder& e) { e.movsx_reg(Width::W16, to, d, s); }),
                  expect("movsx", {R(d, to), R(s, Width::W16)}));
      }
      EXPECT_EQ(encode(cs, [&](X86Encoder& e) { e.movsx_reg(Width::W32, Width::W64, d, s); }),
                expect("movsxd", {R(d, Width::W64), R(s, Width::W32)}));
    }
  }
}

TEST_F(X86EncoderTest, PushPop) {
  for (Reg r : kAllRegs) {
    EXPECT_EQ(encode(cs, [&](X86Encoder& e) { e.push(r); }), expect("push", {R(r, Width::W64)}));
    EXPECT_EQ(encode(cs, [&](X86Encoder& e) { e.pop(r); }), expect("pop", {R(r, Width::W64)}));
  }
}

TEST_F(X86EncoderTest, AluRegRegAndImmediate) {
  for (AluOp op : {AluOp::Add, AluOp::Or, AluOp::Adc, AluOp::Sbb, AluOp::And, AluOp::Sub,
                   AluOp::Xor, AluOp::Cmp}) {
    for (Width w : {Width::W32, Width::W64}) {
      for (Reg d : kAllRegs) {
        for (Reg s : kAllRegs)
          EXPECT_EQ(encode(cs, [&](X86Encoder& e) { e.alu_reg_reg(op, w, d, s); }),
                    expect(alu_name(op), {R(d, w), R(s, w)}));
        for (int32_t imm : {0, 1, -1, 127, -128, 128, -129, 0x7fffffff, INT32_MIN}) {
          EXPECT_EQ(encode(cs, [&](X86Encoder& e) { e.alu_reg_imm(op, w, d, imm); }),
                    expect(alu_name(op), {R(d, w), I(imm, w)}))
              << imm;
        }
      }
      for (const Mem& m : kAddressingCases()) {
        EXPECT_EQ(encode(cs, [&](X86Encoder& e) { e.alu_reg_mem(op, w, Reg::r11, m); }),
                  expect(alu_name(op), {R(Reg::r11, w), M(m, w)}));
        EXPECT_EQ(encode(cs, [&](X86Encoder& e) { e.alu_mem_imm(op, w, m, 300); }),
                  expect(alu_name(op), {M(m, w), I(300, w)}));
        EXPECT_EQ(encode(cs, [&](X86Encoder& e) { e.alu_mem_imm(op, w, m, -3); }),
                  expect(alu_name(op), {M(m, w), I(-3, w)}));
      }
    }
  }
}

TEST_F(X86EncoderTest, LockedAluAndAtomics) {
  for (Width w : {Width::W32, Width::W64}) {
    for (Reg s : kAllRegs) {
      for (const Mem& m : kAddressingCases()) {
        for (AluOp op : {AluOp::Add, AluOp::Or, AluOp::And, AluOp::Xor}) {
          EXPECT_EQ(encode(cs, [&](X86Encoder& e) { e.lock_alu_mem_reg(op, w, m, s); }),
                    expect(std::string("lock ") + alu_name(op), {M(m, w), R(s, w)}));
        }
        EXPECT_EQ(encode(cs, [&](X86Encoder& e) { e.lock_xadd(w, m, s); }),
                  expect("lock xadd", {M(m, w), R(s, w)}));
        EXPECT_EQ(encode(cs, [&](X86Encoder& e) { e.lock_cmpxchg(w, m, s); }),
                  expect("lock cmpxchg", {M(m, w), R(s, w)}));
        EXPECT_EQ(encode(cs, [&](X86Encoder& e) { e.xchg_mem_reg(w, m, s); }),
                  expect("xchg", {M(m, w), R(s, w)}));
      }
    }
  }
}

TEST_F(X86EncoderTest, Shifts) {
  const std::pair<ShiftOp, const char*> ops[] = {{ShiftOp::Rol, "rol"},
                                                 {ShiftOp::Ror, "ror"},
                                                 {ShiftOp::Shl, "shl"},
                                                 {ShiftOp::Shr, "shr"},
                                                 {ShiftOp::Sar, "sar"}};
  for (auto [op, name] : ops) {
    for (Reg r : kAllRegs) {
      for (Width w : {Width::W16, Width::W32, Width::W64}) {
        for (uint8_t count : {2, 8, 31, 63}) {
          EXPECT_EQ(encode(cs, [&](X86Encoder& e) { e.shift_reg_imm(op, w, r, count); }),
                    expect(name, {R(r, w), I(count, Width::W8)}));
        }
        // The by-one form has no immediate byte; Capstone shows the implicit count 1.
        EXPECT_EQ(encode(cs, [&](X86Encoder& e) { e.shift_reg_imm(op, w, r, 1); }),
                  expect(name, {R(r, w), I(1, Width::W8)}));
      }
      for (Width w : {Width::W32, Width::W64}) {
        EXPECT_EQ(encode(cs, [&](X86Encoder& e) { e.shift_reg_cl(op, w, r); }),
                  expect(name, {R(r, w), R(Reg::rcx, Width::W8)}));
      }
    }
  }
}

TEST_F(X86EncoderTest, UnaryMultiplyDivide) {
  const std::pair<UnaryOp, const char*> ops[] = {{UnaryOp::Not, "not"}, {UnaryOp::Neg, "neg"},
                                                 {UnaryOp::Mul, "mul"}, {UnaryOp::Imul, "imul"},
                                                 {UnaryOp::Div, "div"}, {UnaryOp::Idiv, "idiv"}};
  for (Width w : {Width::W32, Width::W64}) {
    for (Reg r : kAllRegs) {
      for (auto [op, name] : ops)
        EXPECT_EQ(encode(cs, [&](X86Encoder& e) { e.unary(op, w, r); }), expect(name, {R(r, w)}));
      for (Reg s : kAllRegs) {
        EXPECT_EQ(encode(cs, [&](X86Encoder& e) { e.imul_reg_reg(w, r, s); }),
                  expect("imul", {R(r, w), R(s, w)}));
        for (int32_t imm : {3, -1, 1000, INT32_MIN})
          EXPECT_EQ(encode(cs, [&](X86Encoder& e) { e.imul_reg_reg_imm(w, r, s, imm); }),
                    expect("imul", {R(r, w), R(s, w), I(imm, w)}));
        EXPECT_EQ(encode(cs, [&](X86Encoder& e) { e.test_reg_reg(w, r, s); }),
                  expect("test", {R(r, w), R(s, w)}));
      }
      EXPECT_EQ(encode(cs, [&](X86Encoder& e) { e.test_reg_imm(w, r, -2); }),
                expect("test", {R(r, w), I(-2, w)}));
      EXPECT_EQ(encode(cs, [&](X86Encoder& e) { e.bswap(w, r); }), expect("bswap", {R(r, w)}));
    }
  }
  EXPECT_EQ(encode(cs, [](X86Encoder& e) { e.cdq(); }), "cdq");
  EXPECT_EQ(encode(cs, [](X86Encoder& e) { e.cqo(); }), "cqo");
}

TEST_F(X86EncoderTest, IndirectControlFlowAndTraps) {
  for (Reg r : kAllRegs) {
    EXPECT_EQ(encode(cs, [&](X86Encoder& e) { e.call_reg(r); }),
              expect("call", {R(r, Width::W64)}));
    EXPECT_EQ(encode(cs, [&](X86Encoder& e) { e.jmp_reg(r); }), expect("jmp", {R(r, Width::W64)}));
  }
  EXPECT_EQ(encode(cs, [](X86Encoder& e) { e.ret(); }), "ret");
  EXPECT_EQ(encode(cs, [](X86Encoder& e) { e.int3(); }), "int3");
  EXPECT_EQ(encode(cs, [](X86Encoder& e) { e.ud2(); }), "ud2");
}

TEST_F(X86EncoderTest, BranchesPickShortOrLongFormsAndReachTheirTargets) {
  const std::pair<Cond, const char*> conds[] = {
      {Cond::O, "jo"}, {Cond::NO, "jno"}, {Cond::B, "jb"},   {Cond::AE, "jae"},
      {Cond::E, "je"}, {Cond::NE, "jne"}, {Cond::BE, "jbe"}, {Cond::A, "ja"},
      {Cond::S, "js"}, {Cond::NS, "jns"}, {Cond::P, "jp"},   {Cond::NP, "jnp"},
      {Cond::L, "jl"}, {Cond::GE, "jge"}, {Cond::LE, "jle"}, {Cond::G, "jg"}};
  struct Shape {
    int filler_before_label;  // backward: label, filler, branch
    int filler_after_branch;  // forward: branch, filler, label
    bool backward;
  };
  // Short forms reach -128..127 from the end of the 2-byte instruction.
  const Shape shapes[] = {{126, 0, true}, {127, 0, true},  {0, 127, false},  {0, 128, false},
                          {0, 0, false},  {5000, 0, true}, {0, 70000, false}};
  for (auto [cond, name] : conds) {
    for (const Shape& shape : shapes) {
      for (int kind = 0; kind < 3; ++kind) {        // 0: jcc, 1: jmp, 2: call
        if (kind > 0 && cond != Cond::O) continue;  // jmp and call do not depend on cond
        BranchRelaxer relaxer;
        std::vector<uint8_t> bytes;
        size_t branch_offset = 0, label_offset = 0;
        for (bool done = false; !done;) {
          CodeBuffer code;
          X86Encoder enc(code, &relaxer);
          relaxer.begin_pass();
          const Label target = code.new_label();
          if (shape.backward) {
            code.bind(target);
            for (int i = 0; i < shape.filler_before_label; ++i)
              code.put8(0x90);
          }
          branch_offset = code.size();
          if (kind == 0) enc.jcc(cond, target);
          if (kind == 1) enc.jmp(target);
          if (kind == 2) enc.call(target);
          if (!shape.backward) {
            for (int i = 0; i < shape.filler_after_branch; ++i)
              code.put8(0x90);
            code.bind(target);
            code.put8(0x90);
          }
          label_offset = code.offset_of(target);
          if (relaxer.end_pass(code)) {
            code.link(0x1000);
            bytes.assign(code.bytes().begin(), code.bytes().end());
            done = true;
          }
        }
        // Decode just the branch: it ends where the filler (0x90) or the label's nop begins.
        size_t length = kind == 2 ? 5 : 0;
        if (kind != 2) {
          const bool is_short =
              bytes[branch_offset] == (kind == 0 ? 0x70 | static_cast<uint8_t>(cond) : 0xeb);
          length = is_short ? 2 : kind == 0 ? 6 : 5;
          const int64_t short_displacement =
              static_cast<int64_t>(label_offset) - static_cast<int64_t>(branch_offset + 2) -
              (shape.backward ? 0 : static_cast<int64_t>(length - 2));
          EXPECT_EQ(is_short, short_displacement >= -128 && short_displacement <= 127)
              << name << " kind " << kind << " before " << shape.filler_before_label << " after "
              << shape.filler_after_branch;
        }
        const std::span<const uint8_t> branch(bytes.data() + branch_offset, length);
        const char* mnemonic = kind == 0 ? name : kind == 1 ? "jmp" : "call";
        EXPECT_EQ(cs.decode(branch, 0x1000 + branch_offset),
                  expect(mnemonic, {I(static_cast<int64_t>(0x1000 + label_offset), Width::W64)}));
      }
    }
  }
}

TEST_F(X86EncoderTest, MovabsOfALabelHoldsItsFinalAddress) {
  CodeBuffer code;
  X86Encoder enc(code);
  const Label target = code.new_label();
  enc.movabs_reg_label(Reg::r11, target);
  code.put8(0x90);
  code.bind(target);
  code.link(0x7f1234560000ull);
  EXPECT_EQ(cs.decode(code.bytes().first(10)),
            expect("movabs", {R(Reg::r11, Width::W64), I(0x7f123456000b, Width::W64)}));
}

TEST_F(X86EncoderTest, RejectsFormsThatDoNotExist) {
  CodeBuffer code;
  X86Encoder enc(code);
  EXPECT_THROW(enc.mov_reg_reg(Width::W8, Reg::rax, Reg::rcx), JitError);
  EXPECT_THROW(enc.load_sign_extend(Width::W64, Reg::rax, {Reg::rcx, 0}), JitError);
  EXPECT_THROW(enc.movsx_reg(Width::W32, Width::W32, Reg::rax, Reg::rcx), JitError);
  EXPECT_THROW(enc.lock_alu_mem_reg(AluOp::Cmp, Width::W64, {Reg::rax, 0}, Reg::rcx), JitError);
  EXPECT_EQ(code.size(), 0u);
}

}  // namespace
}  // namespace nicsim::jit::x86
