// Differential fuzzing of the NIC (compiler + model) against the interpreter: random programs
// (every ALU operation in both widths, loads, stores and atomics on the memory and the stack,
// forward branches, firmware-routine calls) on random memory, compared with the jit/common
// differential harness (r0, abort, memory, maps). Programs keep their accesses in bounds and
// never read what they did not define, as verified programs do. Deterministic: each case is a
// seed.

#include <gtest/gtest.h>

#include <random>

#include "ebpf/interp/interpreter.h"
#include "jit/common/differential.h"
#include "jit/nic/compiler.h"
#include "model/engine/model_engine.h"

namespace nicsim::model {
namespace {

using ebpf::Instruction;
using ebpf::make_insn;

constexpr int kMemorySize = 64;
constexpr uint8_t kBase = 6;  // the memory pointer, kept across calls
constexpr int kStackBytes = 64;

class ProgramGenerator {
 public:
  explicit ProgramGenerator(uint64_t seed) : random_(seed) {}

  std::vector<Instruction> generate() {
    insns_.clear();
    emit(make_insn(ebpf::kClassAlu64 | ebpf::kAluMov | ebpf::kSrcX, kBase, 1, 0, 0));
    for (int off = 8; off <= kStackBytes; off += 8)  // defined stack: the program zeroes it
      emit(make_insn(ebpf::kClassSt | ebpf::kModeMem | ebpf::kSizeDw, 10, 0,
                     static_cast<int16_t>(-off), 0));
    for (uint8_t r : {0, 1, 2, 3, 4, 5, 7, 8, 9})
      emit_constant(r);
    const int body = pick(15, 60);
    // Forward branches to a later body operation (or the exit), patched once all exist.
    std::vector<std::pair<size_t, int>> branches;  // (instruction, target operation)
    std::vector<size_t> operation_start;
    for (int i = 0; i < body; ++i) {
      operation_start.push_back(insns_.size());
      switch (pick(0, 9)) {
        case 0:
        case 1:
        case 2:
        case 3:
          emit_alu();
          break;
        case 4:
          emit_load();
          break;
        case 5:
          emit_store();
          break;
        case 6:
          emit_atomic();
          break;
        case 7:
          branches.emplace_back(insns_.size(), pick(i + 1, body));
          emit_branch();
          break;
        case 8:
          emit_stack();
          break;
        default:
          if (pick(0, 3) == 0)
            emit_call();
          else
            emit_alu();
          break;
      }
    }
    operation_start.push_back(insns_.size());
    emit(make_insn(ebpf::kClassJmp | ebpf::kJmpExit, 0, 0, 0, 0));
    for (const auto& [at, target] : branches)
      insns_[at].offset =
          static_cast<int16_t>(operation_start[static_cast<size_t>(target)] - at - 1);
    return insns_;
  }

 private:
  int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(random_); }
  uint8_t any_register() {
    static constexpr uint8_t kRegs[] = {0, 1, 2, 3, 4, 5, 7, 8, 9};
    return kRegs[pick(0, 8)];
  }
  int32_t any_immediate() {
    switch (pick(0, 4)) {
      case 0:
        return pick(-4, 4);
      case 1:
        return pick(0, 64);
      case 2:
        return static_cast<int32_t>(random_());
      case 3:
        return pick(-70000, 70000);
      default:
        return 1 << pick(0, 31);
    }
  }
  void emit(Instruction insn) { insns_.push_back(insn); }
  void emit_constant(uint8_t r) {
    if (pick(0, 2) == 0) {
      const uint64_t v = random_();
      emit(make_insn(ebpf::kClassLd | ebpf::kModeImm | ebpf::kSizeDw, r, 0, 0,
                     static_cast<int32_t>(v)));
      emit(make_insn(0, 0, 0, 0, static_cast<int32_t>(v >> 32)));
    } else {
      emit(make_insn(ebpf::kClassAlu64 | ebpf::kAluMov | ebpf::kSrcK, r, 0, 0, any_immediate()));
    }
  }
  void emit_alu() {
    static constexpr uint8_t kOps[] = {ebpf::kAluAdd,  ebpf::kAluSub, ebpf::kAluMul, ebpf::kAluDiv,
                                       ebpf::kAluOr,   ebpf::kAluAnd, ebpf::kAluLsh, ebpf::kAluRsh,
                                       ebpf::kAluNeg,  ebpf::kAluMod, ebpf::kAluXor, ebpf::kAluMov,
                                       ebpf::kAluArsh, ebpf::kAluEnd};
    const uint8_t op = kOps[pick(0, 13)];
    const bool w64 = pick(0, 1) == 1;
    const uint8_t cls = w64 ? ebpf::kClassAlu64 : ebpf::kClassAlu;
    const uint8_t dst = any_register();
    int16_t offset = 0;
    if ((op == ebpf::kAluDiv || op == ebpf::kAluMod) && pick(0, 1)) offset = 1;  // signed
    if (op == ebpf::kAluEnd) {
      static constexpr int32_t kWidths[] = {16, 32, 64};
      const int32_t width = kWidths[pick(w64 ? 0 : 0, w64 ? 2 : 2)];
      const uint8_t source = w64 ? ebpf::kSrcK : (pick(0, 1) ? ebpf::kSrcX : ebpf::kSrcK);
      emit(make_insn(cls | op | source, dst, 0, 0, width));
      return;
    }
    if (op == ebpf::kAluNeg) {
      emit(make_insn(cls | op, dst, 0, 0, 0));
      return;
    }
    if (op == ebpf::kAluMov && pick(0, 3) == 0) {  // movsx
      static constexpr int16_t kFrom[] = {8, 16, 32};
      emit(make_insn(cls | op | ebpf::kSrcX, dst, any_register(), kFrom[pick(0, w64 ? 2 : 1)], 0));
      return;
    }
    if (pick(0, 1)) {
      int32_t imm = any_immediate();
      if (op == ebpf::kAluLsh || op == ebpf::kAluRsh || op == ebpf::kAluArsh)
        imm = pick(0, w64 ? 63 : 31);
      emit(make_insn(cls | op | ebpf::kSrcK, dst, 0, offset, imm));
    } else {
      emit(make_insn(cls | op | ebpf::kSrcX, dst, any_register(), offset, 0));
    }
  }
  uint8_t any_size(int& bytes) {
    static constexpr uint8_t kSizes[] = {ebpf::kSizeB, ebpf::kSizeH, ebpf::kSizeW, ebpf::kSizeDw};
    const uint8_t size = kSizes[pick(0, 3)];
    bytes = ebpf::access_bytes(size);
    return size;
  }
  void emit_load() {
    int bytes;
    const uint8_t size = any_size(bytes);
    const uint8_t mode = pick(0, 3) == 0 && bytes < 8 ? ebpf::kModeMemsx : ebpf::kModeMem;
    emit(make_insn(ebpf::kClassLdx | mode | size, any_register(), kBase,
                   static_cast<int16_t>(pick(0, kMemorySize - bytes)), 0));
  }
  void emit_store() {
    int bytes;
    const uint8_t size = any_size(bytes);
    const auto off = static_cast<int16_t>(pick(0, kMemorySize - bytes));
    if (pick(0, 1))
      emit(make_insn(ebpf::kClassStx | ebpf::kModeMem | size, kBase, any_register(), off, 0));
    else
      emit(make_insn(ebpf::kClassSt | ebpf::kModeMem | size, kBase, 0, off, any_immediate()));
  }
  void emit_stack() {
    int bytes;
    const uint8_t size = any_size(bytes);
    const auto off = static_cast<int16_t>(-pick(bytes, kStackBytes));
    if (pick(0, 1))
      emit(make_insn(ebpf::kClassLdx | ebpf::kModeMem | size, any_register(), 10, off, 0));
    else
      emit(make_insn(ebpf::kClassStx | ebpf::kModeMem | size, 10, any_register(), off, 0));
  }
  void emit_atomic() {
    static constexpr int32_t kOps[] = {ebpf::kAtomicAdd,
                                       ebpf::kAtomicOr,
                                       ebpf::kAtomicAnd,
                                       ebpf::kAtomicXor,
                                       ebpf::kAtomicAdd | ebpf::kAtomicFetch,
                                       ebpf::kAtomicXor | ebpf::kAtomicFetch,
                                       ebpf::kAtomicXchg,
                                       ebpf::kAtomicCmpxchg};
    const bool w64 = pick(0, 1);
    const int bytes = w64 ? 8 : 4;
    const auto off = static_cast<int16_t>(bytes * pick(0, kMemorySize / bytes - 1));
    emit(make_insn(ebpf::kClassStx | ebpf::kModeAtomic | (w64 ? ebpf::kSizeDw : ebpf::kSizeW),
                   kBase, any_register(), off, kOps[pick(0, 7)]));
  }
  void emit_branch() {
    static constexpr uint8_t kConds[] = {ebpf::kJmpJeq,  ebpf::kJmpJne,  ebpf::kJmpJgt,
                                         ebpf::kJmpJge,  ebpf::kJmpJlt,  ebpf::kJmpJle,
                                         ebpf::kJmpJsgt, ebpf::kJmpJsge, ebpf::kJmpJslt,
                                         ebpf::kJmpJsle, ebpf::kJmpJset};
    const uint8_t cls = pick(0, 1) ? ebpf::kClassJmp : ebpf::kClassJmp32;
    if (pick(0, 1))
      emit(
          make_insn(cls | kConds[pick(0, 10)] | ebpf::kSrcX, any_register(), any_register(), 0, 0));
    else
      emit(make_insn(cls | kConds[pick(0, 10)] | ebpf::kSrcK, any_register(), 0, 0,
                     any_immediate()));
  }
  void emit_call() {
    static constexpr int32_t kHelpers[] = {5, 7, 8};  // firmware routines
    emit(make_insn(ebpf::kClassJmp | ebpf::kJmpCall, 0, 0, 0, kHelpers[pick(0, 2)]));
    for (uint8_t r = 1; r <= 5; ++r)
      emit_constant(r);  // r1-r5 are undefined after a call
  }

  std::mt19937_64 random_;
  std::vector<Instruction> insns_;
};

jit::EngineFactory interpreter() {
  return [](const ebpf::Program& p, ebpf::Runtime& r) -> std::unique_ptr<ebpf::Engine> {
    return std::make_unique<ebpf::Interpreter>(p, r);
  };
}

jit::EngineFactory nic(jit::nic::CompileOptions options) {
  return [options](const ebpf::Program& p, ebpf::Runtime& r) -> std::unique_ptr<ebpf::Engine> {
    return std::make_unique<ModelEngine>(jit::nic::compile(p, r.object(), options).image, r);
  };
}

class FuzzDifferential : public ::testing::TestWithParam<int> {};

TEST_P(FuzzDifferential, RandomProgramsAgreeWithTheInterpreter) {
  jit::nic::CompileOptions narrow = jit::nic::CompileOptions::unoptimised();
  narrow.lanes = 1;
  narrow.memory_ports = 1;
  jit::nic::CompileOptions wide;
  wide.lanes = 8;
  wide.memory_ports = 4;
  const std::vector<jit::nic::CompileOptions> configurations = {{}, narrow, wide};
  std::mt19937_64 inputs_random(static_cast<uint64_t>(GetParam()) * 7919);
  int runs = 0, completed = 0;
  for (int n = 0; n < 20; ++n) {
    const uint64_t seed = static_cast<uint64_t>(GetParam()) * 1000 + static_cast<uint64_t>(n);
    ProgramGenerator generator(seed);
    const ebpf::ElfObject object =
        ebpf::make_single_program_object(generator.generate(), ebpf::ProgramType::Unspec);
    std::vector<jit::DifferentialInput> inputs(3);
    for (auto& input : inputs) {
      input.bytes.resize(kMemorySize);
      for (auto& b : input.bytes)
        b = static_cast<uint8_t>(inputs_random());
    }
    jit::DifferentialOptions options;
    options.compare_instruction_counts = false;  // the NIC counts what it keeps of the program
    options.compare_diagnostics = false;
    for (size_t c = 0; c < configurations.size(); ++c) {
      const jit::DifferentialReport report =
          jit::compare_engines(object, 0, inputs, interpreter(), nic(configurations[c]), options);
      for (const auto& result : report.reference_results) {
        ++runs;
        completed += !result.aborted;
      }
      EXPECT_TRUE(report.equal) << "seed " << seed << " configuration " << c << ": "
                                << report.difference;
      if (!report.equal) return;
    }
  }
  // The generator writes programs that run to their exit: a comparison of aborts proves little.
  EXPECT_EQ(completed, runs);
}

INSTANTIATE_TEST_SUITE_P(Seeds, FuzzDifferential, ::testing::Range(1, 41));

}  // namespace
}  // namespace nicsim::model
