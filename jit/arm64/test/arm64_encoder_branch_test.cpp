// The AArch64 encoders with more than one word at stake, checked against Capstone and an
// independent model: logical immediates against an enumeration of every encodable value (Arm
// ARM DecodeBitMasks), branches and PC-relative addresses to labels, the relaxation of
// conditional branches past +-1 MiB, and constant materialization by running it on Unicorn.

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unicorn/unicorn.h>

#include <cstring>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "jit/arm64/a64_encoder.h"
#include "jit/arm64/test/arm64_encoder_support.h"
#include "jit/common/jit_error.h"

namespace nicsim::jit::a64 {
namespace {

// Every value a logical immediate can encode, enumerated from the definition (Arm ARM
// DecodeBitMasks): an element of 2..64 bits holding a run of 1..size-1 ones, rotated, then
// replicated to 64 bits.
std::set<uint64_t> every_bitmask_immediate() {
  std::set<uint64_t> values;
  for (int size = 2; size <= 64; size *= 2) {
    const uint64_t mask = size == 64 ? ~uint64_t{0} : (uint64_t{1} << size) - 1;
    for (int run = 1; run < size; ++run) {
      const uint64_t ones = (uint64_t{1} << run) - 1;
      for (int rotation = 0; rotation < size; ++rotation) {
        uint64_t element =
            rotation == 0 ? ones : ((ones >> rotation) | (ones << (size - rotation))) & mask;
        uint64_t value = 0;
        for (int i = 0; i < 64; i += size)
          value |= element << i;
        values.insert(value);
      }
    }
  }
  return values;
}

TEST(Arm64Encoder, LogicalImmediateEncodesExactlyTheBitmaskValues) {
  const std::set<uint64_t> valid = every_bitmask_immediate();
  EXPECT_EQ(valid.size(), 5334u);  // the number the Arm ARM's encoding space yields
  for (uint64_t value : valid) {
    ASSERT_TRUE(encode_bitmask_immediate(value, Size::X64).has_value()) << std::hex << value;
    ASSERT_EQ(one([&](A64Encoder& e) {
                e.emit_logical_immediate(LogicalOp::Eor, Size::X64, Reg::x3, Reg::x4, value);
              }),
              fmt::format("eor x3, x4, {}", uimm(value)));
  }
  // 32-bit: the values whose two halves are equal are the W forms' values.
  size_t w_values = 0;
  for (uint64_t value : valid) {
    if ((value >> 32) != (value & 0xffffffff)) continue;
    ++w_values;
    const auto low = static_cast<uint32_t>(value);
    ASSERT_EQ(one([&](A64Encoder& e) {
                e.emit_logical_immediate(LogicalOp::And, Size::W32, Reg::x0, Reg::x1, low);
              }),
              fmt::format("and w0, w1, {}", uimm(low)));
  }
  EXPECT_EQ(w_values, 1302u);
  std::mt19937_64 random(7);
  for (int i = 0; i < 20000; ++i) {
    const uint64_t value = random() >> (random() % 64);
    EXPECT_EQ(encode_bitmask_immediate(value, Size::X64).has_value(), valid.count(value) != 0)
        << std::hex << value;
  }
  for (uint64_t value : {uint64_t{0}, ~uint64_t{0}, uint64_t{0x1234}})
    EXPECT_FALSE(encode_bitmask_immediate(value, Size::X64).has_value()) << value;
  EXPECT_FALSE(encode_bitmask_immediate(0xffffffff, Size::W32).has_value());
  EXPECT_THROW(one([](A64Encoder& e) {
                 e.emit_logical_immediate(LogicalOp::Orr, Size::X64, Reg::x0, Reg::x0, 5);
               }),
               JitError);
  EXPECT_EQ(one([](A64Encoder& e) {
              e.emit_logical_immediate(LogicalOp::Ands, Size::X64, Reg::zr, Reg::x9, 7);
            }),
            "tst x9, #7");
  EXPECT_EQ(one([](A64Encoder& e) {
              e.emit_logical_immediate(LogicalOp::Orr, Size::W32, Reg::x2, Reg::x1, 0xff);
            }),
            "orr w2, w1, #0xff");
}

TEST(Arm64Encoder, PcRelativeAddresses) {
  const auto lines = encode([](A64Encoder& e, CodeBuffer& code) {
    const Label near = code.new_label();
    const Label far = code.new_label();
    e.emit_adr(Reg::x30, near);
    e.emit_adrp(Reg::x3, far);
    e.emit_add_lo12(Reg::x3, Reg::x3, far);
    code.bind(near);
    while (code.size() < 0x1234)
      e.emit_nop();
    code.bind(far);
    e.emit_nop();
  });
  ASSERT_GE(lines.size(), 3u);
  EXPECT_EQ(lines[0], "adr x30, #0xc");
  EXPECT_EQ(lines[1], "adrp x3, #0x1000");  // the page of offset 0x1234
  EXPECT_EQ(lines[2], "add x3, x3, #0x234");
}

TEST(Arm64Encoder, BranchesToLabels) {
  const auto lines = encode([](A64Encoder& e, CodeBuffer& code) {
    const Label start = code.new_label();
    const Label end = code.new_label();
    code.bind(start);
    e.emit_b(end);                           // 0x00
    e.emit_bl(end);                          // 0x04
    e.emit_b_cond(Cond::NE, end);            // 0x08
    e.emit_b_cond(Cond::LO, start);          // 0x0c
    e.emit_cbz(Size::W32, Reg::x9, end);     // 0x10
    e.emit_cbnz(Size::X64, Reg::x9, start);  // 0x14
    code.bind(end);                          // 0x18
    e.emit_br(Reg::x9);
    e.emit_blr(Reg::x16);
    e.emit_ret();
    e.emit_ret(Reg::x5);
    e.emit_brk(3);
    e.emit_nop();
  });
  const std::vector<std::string> expected = {
      "b #0x18", "bl #0x18", "b.ne #0x18", "b.lo #0", "cbz w9, #0x18", "cbnz x9, #0",
      "br x9",   "blr x16",  "ret",        "ret x5",  "brk #0x3",      "nop"};
  EXPECT_EQ(lines, expected);
}

TEST(Arm64Encoder, ConditionalBranchesOutOfRangeAreRelaxed) {
  // A B.cond reaches 1 MiB: a first pass makes every branch short, the relaxer finds the ones
  // that do not fit, and the next pass emits them as B.!cond over a B.
  BranchRelaxer relaxer(kA64Relaxation);
  std::vector<std::string> lines;
  bool converged = false;
  for (int pass = 0; pass < 3 && !converged; ++pass) {
    CodeBuffer code;
    A64Encoder e(code, &relaxer);
    relaxer.begin_pass();
    const Label near = code.new_label();
    const Label far = code.new_label();
    e.emit_b_cond(Cond::EQ, far);
    e.emit_cbz(Size::X64, Reg::x3, far);
    e.emit_b_cond(Cond::GT, near);
    code.bind(near);
    for (int i = 0; i < (1 << 18); ++i)
      e.emit_nop();
    code.bind(far);
    converged = relaxer.end_pass(code);
    if (converged) {
      code.link(0);
      const auto bytes = code.bytes();
      lines = capstone().decode(bytes.subspan(0, 20));
    }
  }
  ASSERT_TRUE(converged);
  EXPECT_EQ(relaxer.passes(), 2);
  EXPECT_EQ(relaxer.short_branches(), 1u);
  EXPECT_EQ(relaxer.long_branches(), 2u);
  // far = 5 instructions of branches + 2^18 nops after the start.
  const uint64_t far = 20 + (uint64_t{1} << 20);
  const std::vector<std::string> expected = {"b.ne #8", fmt::format("b #{:#x}", far),
                                             "cbnz x3, #0x10", fmt::format("b #{:#x}", far),
                                             "b.gt #0x14"};
  EXPECT_EQ(lines, expected);
}

TEST(Arm64Encoder, UnboundOrUnreachableTargetsThrow) {
  CodeBuffer code;
  A64Encoder e(code);
  e.emit_b(code.new_label());
  EXPECT_THROW(code.link(0), JitError);
  CodeBuffer far_code;
  A64Encoder far(far_code);
  const Label target = far_code.new_label();
  far.emit_b_cond(Cond::EQ, target);  // no relaxer: cannot lengthen
  for (int i = 0; i < (1 << 18); ++i)
    far.emit_nop();
  far_code.bind(target);
  EXPECT_THROW(far_code.link(0), JitError);
}

// Runs `code` (ending in ret) under Unicorn and returns x0.
uint64_t run_for_x0(std::span<const uint8_t> code) {
  const size_t page = 4096;
  void* memory = mmap(nullptr, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  std::memcpy(memory, code.data(), code.size());
  uc_engine* uc = nullptr;
  uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &uc);
  const auto base = reinterpret_cast<uint64_t>(memory);
  uc_mem_map_ptr(uc, base, page, UC_PROT_READ | UC_PROT_EXEC, memory);
  uint64_t x0 = 0xdeadbeefdeadbeef;  // a W write must clear the upper half
  uc_reg_write(uc, UC_ARM64_REG_X0, &x0);
  const uc_err error = uc_emu_start(uc, base, base + code.size() - 4, 0, 0);
  EXPECT_EQ(error, UC_ERR_OK) << uc_strerror(error);
  uc_reg_read(uc, UC_ARM64_REG_X0, &x0);
  uc_close(uc);
  munmap(memory, page);
  return x0;
}

TEST(Arm64Encoder, ConstantsAreMaterializedInTheFewestInstructions) {
  struct Case {
    Size size;
    uint64_t value;
    size_t instructions;
  };
  const Case cases[] = {
      {Size::X64, 0, 1},
      {Size::X64, 0x1234, 1},
      {Size::X64, 0x12340000, 1},
      {Size::X64, 0xffffffffffffffff, 1},  // movn
      {Size::X64, 0xffffffffffff1234, 1},  // movn
      {Size::X64, 0xffffffff, 1},          // orr with a bitmask
      {Size::X64, 0x00ff00ff00ff00ff, 1},
      {Size::X64, 0x12345678, 2},
      {Size::X64, 0xffffffff80000000, 1},  // movn #0x7fff, lsl #16
      {Size::X64, 0xffff1234ffff5678, 2},  // movn, movk
      {Size::X64, 0x123456789abcdef0, 4},
      {Size::X64, 0x0000123400005678, 2},
      {Size::W32, 0xffffffff, 1},
      {Size::W32, 0x80000000, 1},
      {Size::W32, 0x12345678, 2},
      {Size::W32, 0xfffe, 1},
      {Size::W32, 0xfffffffe, 1},
  };
  for (const Case& c : cases) {
    CodeBuffer code;
    A64Encoder e(code);
    e.emit_mov_constant(c.size, Reg::x0, c.value);
    EXPECT_EQ(code.size() / 4, c.instructions) << std::hex << c.value;
    e.emit_ret();
    const uint64_t expected = c.size == Size::W32 ? (c.value & 0xffffffff) : c.value;
    EXPECT_EQ(run_for_x0(code.bytes()), expected) << std::hex << c.value;
  }
  std::mt19937_64 random(11);
  for (int i = 0; i < 200; ++i) {
    uint64_t value = random();
    // Mix in halfwords of zeros and ones, the cases the sequences choose between.
    for (int h = 0; h < 4; ++h) {
      const uint64_t choice = random() % 3;
      if (choice == 0) value &= ~(uint64_t{0xffff} << (16 * h));
      if (choice == 1) value |= uint64_t{0xffff} << (16 * h);
    }
    CodeBuffer code;
    A64Encoder e(code);
    e.emit_mov_constant(Size::X64, Reg::x0, value);
    EXPECT_LE(code.size() / 4, 4u);
    e.emit_ret();
    EXPECT_EQ(run_for_x0(code.bytes()), value) << std::hex << value;
  }
}

}  // namespace
}  // namespace nicsim::jit::a64
