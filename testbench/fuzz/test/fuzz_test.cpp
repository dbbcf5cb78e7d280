// The generator's coverage and acceptance rate, the minimiser on an engine made to disagree,
// and a bounded seeded run of the whole fuzzer over every engine of the build.

#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "ebpf/interp/interpreter.h"
#include "ebpf/isa/opcodes.h"
#include "testbench/fuzz/fuzz_runner.h"
#include "verifier/verifier.h"

namespace nicsim::fuzz {
namespace {

using namespace ebpf;

bool same_program(const ElfObject& a, const ElfObject& b) {
  const auto& x = a.programs[0].insns;
  const auto& y = b.programs[0].insns;
  if (x.size() != y.size()) return false;
  for (size_t i = 0; i < x.size(); ++i) {
    if (x[i].opcode != y[i].opcode || x[i].regs != y[i].regs || x[i].offset != y[i].offset ||
        x[i].imm != y[i].imm)
      return false;
  }
  return true;
}

TEST(FuzzGenerator, ASeedIsAProgram) {
  EXPECT_TRUE(same_program(generate_program(7), generate_program(7)));
  EXPECT_FALSE(same_program(generate_program(7), generate_program(8)));
  EXPECT_EQ(generate_packets(7, 4), generate_packets(7, 4));
}

// What the issue asks the generator to cover, seen in 300 programs.
TEST(FuzzGenerator, CoversEveryInstructionClass) {
  std::set<std::string> seen;
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    const ElfObject object = generate_program(seed);
    const auto& insns = object.programs[0].insns;
    for (size_t i = 0; i < insns.size(); ++i) {
      const Instruction& insn = insns[i];
      if (i > 0 && insns[i - 1].is_lddw()) continue;
      const uint8_t cls = insn.cls();
      if (insn.is_alu()) {
        seen.insert((cls == kClassAlu64 ? "alu64 " : "alu ") + std::to_string(insn.op() >> 4));
        if ((insn.op() == kAluDiv || insn.op() == kAluMod) && insn.offset == 1)
          seen.insert("signed " + std::to_string(insn.op() >> 4));
        if (insn.op() == kAluMov && insn.offset != 0) seen.insert("movsx");
        if (insn.op() == kAluEnd && cls == kClassAlu64) seen.insert("bswap");
      } else if (insn.is_jmp()) {
        if (insn.is_helper_call()) seen.insert("helper " + std::to_string(insn.imm));
        if (insn.is_local_call()) seen.insert("local call");
        if (insn.is_branch() && insn.op() != kJmpJa) {
          seen.insert(cls == kClassJmp32 ? "jmp32" : "jmp");
          if (insn.offset < 0) seen.insert("loop");
        }
      } else if (cls == kClassStx && insn.mode() == kModeAtomic) {
        seen.insert(insn.dst() == 10 ? "atomic stack" : "atomic map value");
        if (insn.imm == kAtomicCmpxchg) seen.insert("cmpxchg");
      } else if ((cls == kClassStx || cls == kClassSt || cls == kClassLdx) && insn.dst() == 10) {
        seen.insert("stack store " + std::to_string(access_bytes(insn.size())));
      } else if (cls == kClassLdx && insn.src() == 10) {
        seen.insert("stack load " + std::to_string(access_bytes(insn.size())));
      } else if (cls == kClassLdx && insn.src() == 8 && insn.offset < 0) {
        seen.insert("packet load");
      }
    }
  }
  std::vector<std::string> expected = {
      "movsx", "bswap", "signed 3",     "signed 9",         "local call", "jmp",
      "jmp32", "loop",  "atomic stack", "atomic map value", "cmpxchg",    "packet load"};
  for (int op = 0; op <= 13; ++op) {
    expected.push_back("alu " + std::to_string(op));
    expected.push_back("alu64 " + std::to_string(op));
  }
  for (int helper : {1, 2, 5, 7, 8, 28})
    expected.push_back("helper " + std::to_string(helper));
  for (int bytes : {1, 2, 4, 8}) {
    expected.push_back("stack store " + std::to_string(bytes));
    expected.push_back("stack load " + std::to_string(bytes));
  }
  for (const std::string& what : expected)
    EXPECT_TRUE(seen.count(what)) << "never generated: " << what;
}

// Built to be safe by construction: the verifier should accept nearly all of them.
TEST(FuzzGenerator, MostProgramsVerify) {
  int accepted = 0;
  std::string first_refusal;
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    const ElfObject object = generate_program(seed);
    const auto result = verifier::verify(object, object.programs[0]);
    accepted += result.accepted ? 1 : 0;
    if (!result.accepted && first_refusal.empty())
      first_refusal = "seed " + std::to_string(seed) + ": " + result.error->to_string();
  }
  EXPECT_GE(accepted, 180) << first_refusal;
}

// An engine that returns r0 + 1 whenever the program holds a multiplication: the minimiser
// must shrink the program to little more than that and still show a disagreement.
class OffByOne : public Engine {
 public:
  OffByOne(const Program& program, Runtime& runtime)
      : inner_(program, runtime), multiplies_(false) {
    for (const Instruction& insn : program.insns)
      multiplies_ = multiplies_ || (insn.is_alu() && insn.op() == kAluMul);
  }
  std::string_view name() const override { return "off-by-one"; }
  ExecutionResult run_xdp(XdpFrame& frame) override { return adjust(inner_.run_xdp(frame)); }
  ExecutionResult run_raw(std::span<uint8_t> memory) override {
    return adjust(inner_.run_raw(memory));
  }

 private:
  ExecutionResult adjust(ExecutionResult result) const {
    if (multiplies_) ++result.return_value;
    return result;
  }
  Interpreter inner_;
  bool multiplies_;
};

TEST(FuzzRunner, MismatchesAreMinimisedAndPrinted) {
  FuzzEngine broken{"off-by-one",
                    [](const verifier::VerifiedProgram&, Runtime& runtime) {
                      return std::unique_ptr<Engine>(
                          std::make_unique<OffByOne>(runtime.object().programs.at(0), runtime));
                    },
                    false, false};
  FuzzOptions options;
  options.seed = 1;
  options.count = 30;
  options.packets = 2;
  options.max_reported = 1;
  const FuzzStatistics statistics = run_fuzzer(options, {broken});
  ASSERT_FALSE(statistics.mismatches.empty());
  const Mismatch& first = statistics.mismatches.front();
  EXPECT_NE(first.difference.find("r0"), std::string::npos) << first.difference;
  EXPECT_NE(first.report.find("*="), std::string::npos) << first.report;  // the multiplication
  EXPECT_NE(first.report.find("packet 0"), std::string::npos) << first.report;
  // Minimised: the multiplication, an exit and whatever the verifier needs around them.
  const auto lines = std::count(first.report.begin(), first.report.end(), '\n');
  EXPECT_LE(lines, 12) << first.report;
}

// The bounded CTest run: a fixed set of seeds on every engine of the build.
class FuzzDifferential : public ::testing::TestWithParam<std::string> {};

TEST_P(FuzzDifferential, EveryAcceptedProgramAgreesWithTheInterpreter) {
  const std::vector<FuzzEngine> engines = parse_engines(GetParam());
  ASSERT_EQ(engines.size(), 1u);
  FuzzOptions options;
  options.seed = 1;
  options.count = engines[0].name.rfind("arm64", 0) == 0 || engines[0].name == "nic" ? 400 : 1000;
  options.packets = 6;
  std::ostringstream log;
  const FuzzStatistics statistics = run_fuzzer(options, engines, &log);
  print_statistics(statistics, log);
  EXPECT_TRUE(statistics.mismatches.empty()) << log.str();
  EXPECT_EQ(statistics.reference_aborts, 0u) << log.str();
  EXPECT_GE(statistics.accepted, options.count * 9 / 10) << log.str();
  const EngineTally& tally = statistics.engines.at(engines[0].name);
  EXPECT_EQ(tally.programs + tally.refused, statistics.accepted);
  if (!engines[0].may_refuse) {
    EXPECT_EQ(tally.refused, 0u) << log.str();
  }
  std::cout << log.str();
}

INSTANTIATE_TEST_SUITE_P(Engines, FuzzDifferential, ::testing::ValuesIn([] {
                           std::vector<std::string> names = available_engines();
                           names.erase(names.begin());  // the interpreter is the reference
                           return names;
                         }()),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name)
                             if (c == '-') c = '_';
                           return name;
                         });

}  // namespace
}  // namespace nicsim::fuzz
