// Random programs on the interpreter and each JIT backend, compared after every run: ALU
// operations of every kind on random and edge values, loads, stores and atomics (aligned or
// not) that sometimes leave their region (both engines must abort alike), forward branches,
// helper and local calls, legacy loads. Programs terminate by construction (branches only go
// forward) and keep host addresses out of their results: r9 holds the memory pointer and is
// only ever a base register, and r10 is never copied.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "ebpf/asm/disassembler.h"
#include "ebpf/runtime/helpers.h"
#include "jit/test/jit_test_support.h"

namespace nicsim::jit::test {
namespace {

using namespace ebpf;  // opcode constants

constexpr int kMemorySize = 200;  // 128 bytes the program plays with, 72 for the register dump

class RandomProgram {
 public:
  explicit RandomProgram(uint64_t seed) : random_(seed) {}

  std::vector<Instruction> generate() {
    const int units = 5 + static_cast<int>(pick(40));
    insns_.clear();
    emit(make_insn(kClassAlu64 | kSrcX | kAluMov, 9, 1, 0, 0));
    for (int r = 0; r <= 8; ++r)
      lddw(r, value());
    std::vector<std::pair<size_t, int>> jumps;  // (jump slot, target unit)
    std::vector<size_t> unit_start;
    for (int u = 0; u < units; ++u) {
      unit_start.push_back(insns_.size());
      if (pick(6) == 0) {
        jumps.emplace_back(insns_.size(), u + 1 + static_cast<int>(pick(4)));
        jump();
      } else {
        unit();
      }
    }
    unit_start.push_back(insns_.size());
    for (int r = 0; r <= 8; ++r)
      emit(make_insn(kClassStx | kModeMem | kSizeDw, 9, static_cast<uint8_t>(r),
                     static_cast<int16_t>(128 + 8 * r), 0));
    emit(make_insn(kClassJmp | kJmpExit, 0, 0, 0, 0));
    for (const auto& [slot, target] : jumps) {
      const size_t to = unit_start[static_cast<size_t>(std::min(target, units))];
      insns_[slot].offset = static_cast<int16_t>(to - slot - 1);
    }
    // f(r1, r2, r3): mixes its arguments, uses its own frame and r6..r9 (the caller's are
    // kept by the call).
    const auto f = static_cast<int32_t>(insns_.size());
    for (size_t i = 0; i < insns_.size(); ++i) {
      if (insns_[i].is_local_call()) insns_[i].imm = f - static_cast<int32_t>(i) - 1;
    }
    emit(make_insn(kClassAlu64 | kSrcX | kAluMov, 0, 1, 0, 0));
    emit(make_insn(kClassAlu64 | kSrcX | kAluXor, 0, 2, 0, 0));
    emit(make_insn(kClassAlu64 | kSrcX | kAluAdd, 0, 3, 0, 0));
    emit(make_insn(kClassStx | kModeMem | kSizeDw, 10, 0, -8, 0));
    emit(make_insn(kClassAlu64 | kSrcK | kAluMov, 6, 0, 0, 1));
    emit(make_insn(kClassAlu64 | kSrcK | kAluMov, 9, 0, 0, 2));
    emit(make_insn(kClassLdx | kModeMem | kSizeW, 7, 10, -4, 0));
    emit(make_insn(kClassAlu64 | kSrcX | kAluAdd, 0, 7, 0, 0));
    emit(make_insn(kClassJmp | kJmpExit, 0, 0, 0, 0));
    return insns_;
  }

 private:
  uint64_t pick(uint64_t n) { return random_() % n; }
  uint8_t reg() { return static_cast<uint8_t>(pick(9)); }  // r0..r8

  uint64_t value() {
    static constexpr uint64_t kInteresting[] = {0,
                                                1,
                                                2,
                                                7,
                                                31,
                                                32,
                                                63,
                                                64,
                                                0x7f,
                                                0x80,
                                                0xffff,
                                                0x7fffffff,
                                                0x80000000,
                                                0xffffffff,
                                                0x8000000000000000,
                                                0xffffffffffffffff,
                                                0xfff,
                                                0x1000,
                                                0xffffff000};
    return pick(3) == 0 ? kInteresting[pick(std::size(kInteresting))] : random_();
  }
  int32_t imm() {
    // Small immediates take AArch64's 12-bit and logical-immediate forms.
    if (pick(3) == 0) return static_cast<int32_t>(pick(8192)) - 4096;
    return static_cast<int32_t>(static_cast<uint32_t>(value()));
  }

  void emit(Instruction insn) { insns_.push_back(insn); }
  void lddw(int dst, uint64_t v) {
    emit(make_insn(kClassLd | kModeImm | kSizeDw, static_cast<uint8_t>(dst), 0, 0,
                   static_cast<int32_t>(static_cast<uint32_t>(v))));
    emit(make_insn(0, 0, 0, 0, static_cast<int32_t>(static_cast<uint32_t>(v >> 32))));
  }

  // A base register and an offset near (sometimes past) its region.
  std::pair<uint8_t, int16_t> address(int size) {
    if (pick(2) == 0) return {9, static_cast<int16_t>(static_cast<int>(pick(136)) - 4 - size / 2)};
    return {10, static_cast<int16_t>(-static_cast<int>(pick(520)) + 4 - size / 2)};
  }

  void jump() {
    static constexpr uint8_t kOps[] = {kJmpJa,   kJmpJeq,  kJmpJgt, kJmpJge, kJmpJset, kJmpJne,
                                       kJmpJsgt, kJmpJsge, kJmpJlt, kJmpJle, kJmpJslt, kJmpJsle};
    const uint8_t op = kOps[pick(std::size(kOps))];
    const uint8_t cls = pick(2) == 0 ? kClassJmp : kClassJmp32;
    if (op == kJmpJa) {
      emit(make_insn(kClassJmp | kJmpJa, 0, 0, 0, 0));
      return;
    }
    if (pick(2) == 0) {
      emit(make_insn(static_cast<uint8_t>(cls | kSrcX | op), reg(), reg(), 0, 0));
    } else {
      emit(make_insn(static_cast<uint8_t>(cls | kSrcK | op), reg(), 0, 0, imm()));
    }
  }

  void unit() {
    switch (pick(12)) {
      case 0:
      case 1:
      case 2:
      case 3:
        alu();
        return;
      case 4: {  // load
        static constexpr uint8_t kSizes[] = {kSizeB, kSizeH, kSizeW, kSizeDw};
        const uint8_t size = kSizes[pick(4)];
        const bool sign = size != kSizeDw && pick(3) == 0;
        const auto [base, offset] = address(access_bytes(size));
        emit(make_insn(static_cast<uint8_t>(kClassLdx | (sign ? kModeMemsx : kModeMem) | size),
                       reg(), base, offset, 0));
        return;
      }
      case 5: {  // store
        static constexpr uint8_t kSizes[] = {kSizeB, kSizeH, kSizeW, kSizeDw};
        const uint8_t size = kSizes[pick(4)];
        const auto [base, offset] = address(access_bytes(size));
        if (pick(2) == 0) {
          emit(
              make_insn(static_cast<uint8_t>(kClassStx | kModeMem | size), base, reg(), offset, 0));
        } else {
          emit(make_insn(static_cast<uint8_t>(kClassSt | kModeMem | size), base, 0, offset, imm()));
        }
        return;
      }
      case 6: {  // atomic, aligned or not
        const uint8_t size = pick(2) == 0 ? kSizeW : kSizeDw;
        auto [base, offset] = address(access_bytes(size));
        if (pick(3) != 0) offset = static_cast<int16_t>(offset & ~(access_bytes(size) - 1));
        emit(make_insn(static_cast<uint8_t>(kClassStx | kModeAtomic | size), base, reg(), offset,
                       kAtomicOperations[pick(std::size(kAtomicOperations))]));
        return;
      }
      case 7: {  // a helper, with r1..r5 set to data
        static constexpr int32_t kHelpers[] = {kHelperGetPrandomU32, kHelperKtimeGetNs,
                                               kHelperGetSmpProcessorId};
        emit(make_insn(kClassJmp | kJmpCall, 0, kCallHelper, 0, kHelpers[pick(3)]));
        return;
      }
      case 8:  // a local call
        emit(make_insn(kClassJmp | kJmpCall, 0, kCallLocal, 0, 0));
        return;
      case 9: {  // a legacy packet load (raw memory stands for the packet)
        static constexpr uint8_t kSizes[] = {kSizeB, kSizeH, kSizeW};
        const uint8_t size = kSizes[pick(3)];
        if (pick(2) == 0) {
          emit(make_insn(static_cast<uint8_t>(kClassLd | kModeAbs | size), 0, 0, 0,
                         static_cast<int32_t>(pick(210)) - 2));
        } else {
          emit(make_insn(static_cast<uint8_t>(kClassLd | kModeInd | size), 0, reg(), 0,
                         static_cast<int32_t>(pick(64))));
        }
        return;
      }
      case 10: {  // byte swaps and negation
        const uint8_t dst = reg();
        static constexpr int32_t kBits[] = {16, 32, 64};
        switch (pick(4)) {
          case 0:
            emit(make_insn(kClassAlu | kAluEnd | kSrcK, dst, 0, 0, kBits[pick(3)]));
            return;
          case 1:
            emit(make_insn(kClassAlu | kAluEnd | kSrcX, dst, 0, 0, kBits[pick(3)]));
            return;
          case 2:
            emit(make_insn(kClassAlu64 | kAluEnd, dst, 0, 0, kBits[pick(3)]));
            return;
          default:
            emit(make_insn(static_cast<uint8_t>((pick(2) ? kClassAlu : kClassAlu64) | kAluNeg), dst,
                           0, 0, 0));
            return;
        }
      }
      default:  // a fresh value
        lddw(reg(), value());
        return;
    }
  }

  void alu() {
    static constexpr uint8_t kOps[] = {kAluAdd, kAluSub, kAluMul, kAluDiv, kAluOr,  kAluAnd,
                                       kAluLsh, kAluRsh, kAluMod, kAluXor, kAluMov, kAluArsh};
    const uint8_t op = kOps[pick(std::size(kOps))];
    const uint8_t cls = pick(2) == 0 ? kClassAlu : kClassAlu64;
    int16_t offset = 0;
    if ((op == kAluDiv || op == kAluMod) && pick(2) == 0) offset = 1;  // signed
    const bool reg_source = pick(2) == 0;
    if (op == kAluMov && reg_source && pick(3) == 0) {  // movsx
      static constexpr int16_t kBits[] = {8, 16, 32};
      offset = kBits[pick(cls == kClassAlu64 ? 3 : 2)];
    }
    if (reg_source) {
      emit(make_insn(static_cast<uint8_t>(cls | kSrcX | op), reg(), reg(), offset, 0));
    } else {
      int32_t k = imm();
      if (op == kAluLsh || op == kAluRsh || op == kAluArsh)
        k &= cls == kClassAlu64 ? 63 : 31;  // the validator refuses out-of-range counts
      emit(make_insn(static_cast<uint8_t>(cls | kSrcK | op), reg(), 0, offset, k));
    }
  }

  std::mt19937_64 random_;
  std::vector<Instruction> insns_;
};

std::vector<DifferentialInput> inputs(uint64_t seed) {
  std::mt19937_64 random(seed);
  std::vector<DifferentialInput> result;
  for (int i = 0; i < 3; ++i) {
    std::vector<uint8_t> memory(kMemorySize);
    for (auto& byte : memory)
      byte = static_cast<uint8_t>(random());
    result.push_back(raw_input(std::move(memory)));
  }
  return result;
}

// Unverified programs (they may fault): checked code, a quarter of them hardened. x86-64 runs
// 8 x 250 programs, arm64 (emulated here, slower) 8 x 100.
using Param = std::tuple<std::string, int>;  // target, batch

class JitRandom : public ::testing::TestWithParam<Param> {};

TEST_P(JitRandom, ProgramsAgreeWithTheInterpreter) {
  const JitTarget& target = jit_target(std::get<0>(GetParam()));
  NICSIM_REQUIRE_RUNNABLE(target);
  const int programs = target.name == "x86_64" ? 250 : 100;
  const int batch = std::get<1>(GetParam());
  for (int n = 0; n < programs; ++n) {
    const int i = batch * programs + n;
    RandomProgram generator(1000 + static_cast<uint64_t>(i));
    const std::vector<Instruction> insns = generator.generate();
    JitOptions options;
    options.harden = i % 4 == 3;
    SCOPED_TRACE(fmt::format("program {}{}:\n{}", i, options.harden ? " (hardened)" : "",
                             ebpf::disassemble(insns)));
    const ebpf::ElfObject object = ebpf::make_single_program_object(insns);
    const DifferentialReport report =
        compare_engines(object, 0, inputs(static_cast<uint64_t>(i)), interpreter_factory(),
                        jit_factory(target, options));
    EXPECT_TRUE(report.equal) << report.difference;
    if (::testing::Test::HasFailure()) break;
  }
}

// Runs that fault and runs that complete must both be well represented among the programs
// the batches use, or the comparisons above would not test much.
TEST(JitRandomPrograms, BothFaultingAndCompletingRuns) {
  int aborted = 0;
  constexpr int kPrograms = 2000;
  for (int i = 0; i < kPrograms; ++i) {
    RandomProgram generator(1000 + static_cast<uint64_t>(i));
    const ebpf::ElfObject object = ebpf::make_single_program_object(generator.generate());
    ebpf::Runtime runtime(object);
    ebpf::Interpreter interpreter(object.programs[0], runtime);
    std::vector<uint8_t> memory = inputs(static_cast<uint64_t>(i))[0].bytes;
    aborted += interpreter.run_raw(memory).aborted ? 1 : 0;
  }
  EXPECT_GT(aborted, kPrograms / 10);
  EXPECT_LT(aborted, kPrograms * 9 / 10);
}

INSTANTIATE_TEST_SUITE_P(Batches, JitRandom,
                         ::testing::Combine(::testing::ValuesIn(target_names()),
                                            ::testing::Range(0, 8)),
                         [](const ::testing::TestParamInfo<Param>& info) {
                           return std::get<0>(info.param) + "_" +
                                  std::to_string(std::get<1>(info.param));
                         });

}  // namespace
}  // namespace nicsim::jit::test
