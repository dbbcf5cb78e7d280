// ALU and ALU64 on each JIT backend against the interpreter, for every operation, both widths,
// both operand sources and every combination of destination and source register (the
// translator uses scratch registers and W forms whose mistakes would show as a disturbed
// neighbour or a stale upper half), edge values, and the ISA-defined results checked
// independently of the interpreter. A program reads its operands from memory, so that one
// compilation serves many inputs (Unicorn makes arm64 compilations the expensive part).

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstring>
#include <ostream>
#include <string>
#include <tuple>
#include <vector>

#include "ebpf/asm/assembler.h"
#include "jit/test/jit_test_support.h"

namespace nicsim::jit::test {
namespace {

constexpr uint64_t kEdgeValues[] = {0,
                                    1,
                                    2,
                                    3,
                                    0x7f,
                                    0x80,
                                    0xff,
                                    0x7fff,
                                    0x8000,
                                    0xffff,
                                    0x7fffffff,
                                    0x80000000,
                                    0xffffffff,
                                    0x100000000,
                                    0x7fffffffffffffff,
                                    0x8000000000000000,
                                    0xffffffffffffffff,
                                    0xfffffffffffffffe,
                                    0xffffffff80000000,
                                    0x123456789abcdef0,
                                    31,
                                    32,
                                    63,
                                    64,
                                    65,
                                    0xfedcba9876543210,
                                    0x00000000fffffffe,
                                    0xffffffff00000001};

// Sets every register r0..r9 to a distinct value, then dst = a and src = b (read from the
// input's first 16 bytes), runs `op`, and writes all ten registers after them (80 bytes).
std::string register_file_program(const std::string& op, int dst, int src) {
  std::string p = "*(u64 *)(r10 - 8) = r1\n";
  p += "r2 = *(u64 *)(r1 + 0)\n*(u64 *)(r10 - 16) = r2\n";
  p += "r2 = *(u64 *)(r1 + 8)\n*(u64 *)(r10 - 24) = r2\n";
  for (int r = 0; r <= 9; ++r)
    p += fmt::format("r{} = {:#x} ll\n", r,
                     0x0101010101010101ull * static_cast<uint64_t>(r + 1) + 0x10);
  p += fmt::format("r{} = *(u64 *)(r10 - 24)\n", src);
  p += fmt::format("r{} = *(u64 *)(r10 - 16)\n", dst);  // dst wins when dst == src
  p += op + "\n";
  for (int r = 0; r <= 9; ++r)
    p += fmt::format("*(u64 *)(r10 - {}) = r{}\n", 32 + 8 * r, r);
  p += "r1 = *(u64 *)(r10 - 8)\n";
  for (int r = 0; r <= 9; ++r)
    p += fmt::format("r2 = *(u64 *)(r10 - {})\n*(u64 *)(r1 + {}) = r2\n", 32 + 8 * r, 16 + 8 * r);
  return p + "r0 = 0\nexit\n";
}

// The interpreter and the target agree on every input.
void expect_same(const JitTarget& target, const std::string& source,
                 const std::vector<DifferentialInput>& inputs, JitOptions options = {}) {
  const ebpf::ElfObject object = ebpf::make_single_program_object(ebpf::assemble(source));
  const DifferentialReport report =
      compare_engines(object, 0, inputs, interpreter_factory(), jit_factory(target, options));
  EXPECT_TRUE(report.equal) << target.name << ": " << report.difference;
}

DifferentialInput operands(uint64_t a, uint64_t b) {
  std::vector<uint8_t> memory(96, 0);
  std::memcpy(memory.data(), &a, 8);
  std::memcpy(memory.data() + 8, &b, 8);
  return raw_input(std::move(memory));
}

struct AluCase {
  const char* name;
  const char* op64;  // pseudo-C with {d} (dst number) and {s} (source operand)
  const char* op32;
};

constexpr AluCase kBinaryOps[] = {
    {"add", "r{d} += {s}", "w{d} += {s}"},      {"sub", "r{d} -= {s}", "w{d} -= {s}"},
    {"mul", "r{d} *= {s}", "w{d} *= {s}"},      {"div", "r{d} /= {s}", "w{d} /= {s}"},
    {"sdiv", "r{d} s/= {s}", "w{d} s/= {s}"},   {"mod", "r{d} %= {s}", "w{d} %= {s}"},
    {"smod", "r{d} s%= {s}", "w{d} s%= {s}"},   {"or", "r{d} |= {s}", "w{d} |= {s}"},
    {"and", "r{d} &= {s}", "w{d} &= {s}"},      {"xor", "r{d} ^= {s}", "w{d} ^= {s}"},
    {"lsh", "r{d} <<= {s}", "w{d} <<= {s}"},    {"rsh", "r{d} >>= {s}", "w{d} >>= {s}"},
    {"arsh", "r{d} s>>= {s}", "w{d} s>>= {s}"}, {"mov", "r{d} = {s}", "w{d} = {s}"},
};

void PrintTo(const AluCase& c, std::ostream* out) {
  *out << c.name;
}

std::string instantiate(const char* pattern, int dst, const std::string& src) {
  return fmt::format(fmt::runtime(pattern), fmt::arg("d", dst), fmt::arg("s", src));
}

using AluParam = std::tuple<std::string, AluCase>;  // target, operation

class JitAlu : public ::testing::TestWithParam<AluParam> {
 protected:
  void SetUp() override { NICSIM_REQUIRE_RUNNABLE(target()); }
  const JitTarget& target() const { return jit_target(std::get<0>(GetParam())); }
  const AluCase& operation() const { return std::get<1>(GetParam()); }
};

class JitAluUnary : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { NICSIM_REQUIRE_RUNNABLE(target()); }
  const JitTarget& target() const { return jit_target(GetParam()); }
};

TEST_P(JitAlu, RegisterSourceEveryRegisterPair) {
  const AluCase& c = operation();
  std::vector<DifferentialInput> inputs;
  // Divisors and shift counts that exercise the special cases.
  for (uint64_t b : {uint64_t{0}, ~uint64_t{0}, uint64_t{7}, uint64_t{0x41}})
    inputs.push_back(operands(0x8000000000000000ull | 0x80000000ull, b));
  for (bool is64 : {false, true}) {
    for (int dst = 0; dst <= 9; ++dst) {
      for (int src = 0; src <= 9; ++src) {
        const std::string op =
            instantiate(is64 ? c.op64 : c.op32, dst, fmt::format("{}{}", is64 ? 'r' : 'w', src));
        SCOPED_TRACE(op);
        expect_same(target(), register_file_program(op, dst, src), inputs);
      }
    }
  }
}

TEST_P(JitAlu, RegisterSourceEdgeValues) {
  const AluCase& c = operation();
  std::vector<DifferentialInput> inputs;
  for (uint64_t a : kEdgeValues)
    for (uint64_t b : kEdgeValues)
      inputs.push_back(operands(a, b));
  for (bool is64 : {false, true}) {
    const std::string op = instantiate(is64 ? c.op64 : c.op32, 3, is64 ? "r4" : "w4");
    SCOPED_TRACE(op);
    expect_same(target(), register_file_program(op, 3, 4), inputs);
  }
}

TEST_P(JitAlu, ImmediateSourceEdgeValues) {
  const AluCase& c = operation();
  // Immediates that fit AArch64's 12-bit and logical forms, and ones that need a register.
  const int64_t immediates[] = {0,         1,          -1,          2,    7,          31,
                                32,        63,         64,          127,  -128,       0xfff,
                                -0xfff,    0x1000,     0x7fff000,   0xff, 0xffff,     0x7fffffff,
                                INT32_MIN, 0x12345678, -0x12345678, 100,  0x55555555, -4096};
  std::vector<DifferentialInput> inputs;
  for (uint64_t a : {uint64_t{0}, uint64_t{0x8000000000000000}, uint64_t{0xffffffff80000000},
                     uint64_t{0x123456789abcdef0}, ~uint64_t{0}, uint64_t{5}})
    inputs.push_back(operands(a, 0));
  for (bool harden : {false, true}) {
    JitOptions options;
    options.harden = harden;
    for (bool is64 : {false, true}) {
      for (int dst : {0, 3, 6}) {
        for (int64_t imm : immediates) {
          const std::string op = instantiate(is64 ? c.op64 : c.op32, dst, std::to_string(imm));
          SCOPED_TRACE(fmt::format("{}{}", op, harden ? " (hardened)" : ""));
          expect_same(target(), register_file_program(op, dst, dst == 0 ? 1 : 0), inputs, options);
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Ops, JitAlu,
                         ::testing::Combine(::testing::ValuesIn(target_names()),
                                            ::testing::ValuesIn(kBinaryOps)),
                         [](const auto& info) {
                           return std::get<0>(info.param) + "_" + std::get<1>(info.param).name;
                         });

TEST_P(JitAluUnary, NegAndByteSwapsOnEveryRegister) {
  std::vector<DifferentialInput> inputs;
  for (uint64_t a : kEdgeValues)
    inputs.push_back(operands(a, a));
  for (int dst = 0; dst <= 9; ++dst) {
    std::vector<std::string> ops = {fmt::format("r{0} = -r{0}", dst),
                                    fmt::format("w{0} = -w{0}", dst)};
    for (int bits : {16, 32, 64}) {
      ops.push_back(fmt::format("r{0} = le{1} r{0}", dst, bits));
      ops.push_back(fmt::format("r{0} = be{1} r{0}", dst, bits));
      ops.push_back(fmt::format("r{0} = bswap{1} r{0}", dst, bits));
    }
    for (const std::string& op : ops) {
      SCOPED_TRACE(op);
      expect_same(target(), register_file_program(op, dst, dst), inputs);
    }
  }
}

TEST_P(JitAluUnary, MovsxEveryRegisterPair) {
  std::vector<DifferentialInput> inputs;
  for (uint64_t b : {uint64_t{0x80}, uint64_t{0x7f}, uint64_t{0xffff8000}, uint64_t{0x80000000},
                     uint64_t{0x1234567880818283}})
    inputs.push_back(operands(~uint64_t{0}, b));
  for (int dst = 0; dst <= 9; ++dst) {
    for (int src = 0; src <= 9; ++src) {
      for (int bits : {8, 16, 32}) {
        const std::string op64 = fmt::format("r{} = (s{})r{}", dst, bits, src);
        SCOPED_TRACE(op64);
        expect_same(target(), register_file_program(op64, dst, src), inputs);
        if (bits == 32) continue;
        const std::string op32 = fmt::format("w{} = (s{})w{}", dst, bits, src);
        SCOPED_TRACE(op32);
        expect_same(target(), register_file_program(op32, dst, src), inputs);
      }
    }
  }
}

// Independent of the interpreter: the ISA's defined results for division by zero, signed
// overflow, masked shift counts and byte swaps (RFC 9669 4.1-4.2).
TEST_P(JitAluUnary, SpecialCasesFollowTheIsa) {
  struct Case {
    const char* program;
    uint64_t expected;
  };
  const Case cases[] = {
      {"r0 = 1234 ll\nr1 = 0\nr0 /= r1\nexit", 0},
      {"r0 = 1234 ll\nr1 = 0\nr0 %= r1\nexit", 1234},
      {"r0 = 0xffffffff00001234 ll\nr1 = 0\nw0 %= w1\nexit", 0x1234},
      {"r0 = 0x8000000000000000 ll\nr1 = -1\nr0 s/= r1\nexit", 0x8000000000000000},
      {"r0 = 0x8000000000000000 ll\nr1 = -1\nr0 s%= r1\nexit", 0},
      {"r0 = 0x80000000 ll\nw0 s/= -1\nexit", 0x80000000},
      {"r0 = 0x80000000 ll\nw0 s%= -1\nexit", 0},
      {"r0 = 0x8000000000000000 ll\nr0 s/= 0\nexit", 0},
      {"r0 = -1 ll\nr0 /= -1\nexit", 1},  // unsigned: the immediate sign-extends
      {"r0 = -7\nr0 s%= 2\nexit", ~uint64_t{0}},
      {"r0 = -7\nr0 s/= 2\nexit", static_cast<uint64_t>(-3)},
      {"r0 = 1\nr4 = 65\nr0 <<= r4\nexit", 2},
      {"r0 = 0xffffffff00000001 ll\nr3 = 32\nw0 <<= w3\nexit", 1},
      {"r0 = 0x8000000000000000 ll\nr0 s>>= 63\nexit", ~uint64_t{0}},
      {"r0 = 0x123456789abcdef0 ll\nr0 = be16 r0\nexit", 0xf0de},
      {"r0 = 0x123456789abcdef0 ll\nr0 = be32 r0\nexit", 0xf0debc9a},
      {"r0 = 0x123456789abcdef0 ll\nr0 = bswap64 r0\nexit", 0xf0debc9a78563412},
      {"r0 = 0x123456789abcdef0 ll\nr0 = le16 r0\nexit", 0xdef0},
      {"r0 = 0x123456789abcdef0 ll\nw0 += 0\nexit", 0x9abcdef0},
      {"r0 = 0xffffffff ll\nw0 = -w0\nexit", 1},
  };
  for (const Case& c : cases) {
    const ebpf::ElfObject object = ebpf::make_single_program_object(ebpf::assemble(c.program));
    ebpf::Runtime runtime(object);
    const auto engine = target().make(object.programs[0], runtime, {}, nullptr);
    const ebpf::ExecutionResult result = engine->run_raw({});
    ASSERT_FALSE(result.aborted) << result.diagnostic;
    EXPECT_EQ(result.return_value, c.expected) << c.program;
  }
}

INSTANTIATE_TEST_SUITE_P(Targets, JitAluUnary, ::testing::ValuesIn(target_names()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace nicsim::jit::test
