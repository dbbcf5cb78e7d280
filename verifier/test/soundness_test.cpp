// Soundness check: every program the verifier accepts — among the bpf_conformance tests and
// the corpus's XDP programs — runs in the reference interpreter on generated inputs without
// a memory-safety diagnostic. (The interpreter checks every access against the regions the
// program may touch; a fault after acceptance would be a verifier bug.)

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include "ebpf/asm/assembler.h"
#include "ebpf/conformance/test_file.h"
#include "ebpf/elf/elf_loader.h"
#include "ebpf/interp/interpreter.h"
#include "ebpf/runtime/runtime.h"
#include "verifier/analysis/run.h"
#include "verifier/test/generated_packets.h"
#include "verifier/verifier.h"

namespace nicsim::verifier {
namespace {

const std::string kData = NICSIM_TESTDATA_DIR;

// Aborts that say nothing about memory safety: resource limits and features the
// interpreter does not run.
bool is_safety_fault(const std::string& diagnostic) {
  for (const char* benign : {"instruction budget", "which nicsim does not implement",
                             "nicsim cannot run", "call depth exceeded"}) {
    if (diagnostic.find(benign) != std::string::npos) return false;
  }
  return true;
}

// The bpf_conformance contract: R1 points to the test's memory (readable and writable),
// R2 holds its size; no context, every helper with a prototype.
class ConformanceType : public ProgramTypeRules {
 public:
  ProgramType type() const override { return ProgramType::Unspec; }
  std::string_view name() const override { return "conformance"; }
  uint32_t context_size() const override { return 0; }
  std::optional<CtxAccess> context_access(int64_t, int, bool, bool) const override {
    return std::nullopt;
  }
  bool helper_allowed(int32_t id) const override { return linux_platform().helper(id) != nullptr; }
  bool packet_readable() const override { return false; }
  bool packet_writable() const override { return false; }
  bool legacy_packet_loads() const override { return false; }
  std::optional<std::pair<int64_t, int64_t>> return_range() const override { return std::nullopt; }
};

VerifierState conformance_entry(size_t memory_size) {
  VerifierState s;
  s.frames.emplace_back();
  Frame& f = s.frame();
  f.regs[kFramePointer] = RegisterState::pointer(RegType::Stack);
  if (memory_size > 0) {
    f.regs[1] = RegisterState::pointer(RegType::Mem);
    f.regs[1].mem_size = static_cast<uint32_t>(memory_size);
  } else {
    f.regs[1] = RegisterState::constant(0);
  }
  f.regs[2] = RegisterState::constant(memory_size);
  return s;
}

TEST(Soundness, AcceptedConformanceProgramsRunWithoutMemoryFaults) {
  const auto files = ebpf::conformance::find_conformance_tests(kData + "/bpf-conformance/tests");
  ASSERT_GT(files.size(), 300U);
  static const ConformanceType type;
  const std::vector<ebpf::MapDefinition> no_maps;
  size_t accepted = 0;
  size_t ran = 0;
  for (const auto& path : files) {
    const auto test = ebpf::conformance::load_conformance_test(path);
    std::vector<ebpf::Instruction> insns = test.raw;
    if (insns.empty()) {
      try {
        insns = ebpf::assemble(test.assembly, ebpf::AsmSyntax::Conformance);
      } catch (const Error&) {
        continue;  // malformed on purpose ("-- error" tests the assembler refuses)
      }
    }
    const std::vector<std::pair<size_t, std::string>> functions = {{0, test.name}};
    RunInput input;
    input.insns = insns;
    input.maps = &no_maps;
    input.functions = &functions;
    input.type = &type;
    input.platform = &linux_platform();
    input.entry = [&] { return conformance_entry(test.memory.size()); };
    const VerificationResult r = run_verifier(input, VerifierOptions{});
    if (!r.accepted) continue;
    ++accepted;
    const ebpf::ElfObject object = ebpf::make_single_program_object(insns);
    ebpf::Runtime runtime(object);
    std::unique_ptr<ebpf::Interpreter> interpreter;
    try {
      interpreter = std::make_unique<ebpf::Interpreter>(object.programs.front(), runtime);
    } catch (const Error&) {
      continue;
    }
    std::vector<uint8_t> memory = test.memory;
    const ebpf::ExecutionResult result = interpreter->run_raw(memory);
    ++ran;
    if (result.aborted) {
      EXPECT_FALSE(is_safety_fault(result.diagnostic))
          << test.name << " was accepted but faults: " << result.diagnostic;
    }
  }
  RecordProperty("accepted", std::to_string(accepted));
  // Most of the suite is safe; a verifier refusing it all would make this test vacuous.
  EXPECT_GT(ran, 250U) << "accepted " << accepted << " of " << files.size();
}

// Mutants of the conformance programs whose memory accesses are moved: the verifier must
// refuse those that would fault, and the ones it accepts must still run cleanly.
TEST(Soundness, MutatedConformanceProgramsStaySound) {
  const auto files = ebpf::conformance::find_conformance_tests(kData + "/bpf-conformance/tests");
  static const ConformanceType type;
  const std::vector<ebpf::MapDefinition> no_maps;
  size_t mutants = 0;
  size_t refused = 0;
  size_t ran = 0;
  for (const auto& path : files) {
    const auto test = ebpf::conformance::load_conformance_test(path);
    std::vector<ebpf::Instruction> original = test.raw;
    if (original.empty()) original = ebpf::assemble(test.assembly, ebpf::AsmSyntax::Conformance);
    for (size_t i = 0; i < original.size(); ++i) {
      const ebpf::Instruction& insn = original[i];
      const bool memory = insn.cls() == ebpf::kClassLdx || insn.cls() == ebpf::kClassSt ||
                          insn.cls() == ebpf::kClassStx;
      if (!memory) continue;
      for (int16_t delta : {int16_t{4}, int16_t{64}, int16_t{-8}, int16_t{512}}) {
        std::vector<ebpf::Instruction> insns = original;
        insns[i].offset = static_cast<int16_t>(insns[i].offset + delta);
        ++mutants;
        const std::vector<std::pair<size_t, std::string>> functions = {{0, test.name}};
        RunInput input;
        input.insns = insns;
        input.maps = &no_maps;
        input.functions = &functions;
        input.type = &type;
        input.platform = &linux_platform();
        input.entry = [&] { return conformance_entry(test.memory.size()); };
        if (!run_verifier(input, VerifierOptions{}).accepted) {
          ++refused;
          continue;
        }
        const ebpf::ElfObject object = ebpf::make_single_program_object(insns);
        ebpf::Runtime runtime(object);
        ebpf::Interpreter interpreter(object.programs.front(), runtime);
        std::vector<uint8_t> memory = test.memory;
        const ebpf::ExecutionResult result = interpreter.run_raw(memory);
        ++ran;
        if (result.aborted) {
          EXPECT_FALSE(is_safety_fault(result.diagnostic))
              << test.name << " with insn " << i << " offset moved by " << delta
              << " was accepted but faults: " << result.diagnostic;
        }
      }
    }
  }
  RecordProperty("mutants", std::to_string(mutants));
  RecordProperty("refused", std::to_string(refused));
  EXPECT_GT(refused, mutants / 4) << "the mutations should make many programs unsafe";
  EXPECT_GT(ran, 50U);
}

struct CorpusProgram {
  std::string object;
  std::string section;
};

std::vector<CorpusProgram> accepted_corpus_programs() {
  std::vector<CorpusProgram> out;
  std::ifstream in(kData + "/ebpf-samples/expectations_prevail_2025-04.tsv");
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string field;
    while (std::getline(ss, field, '\t'))
      f.push_back(field);
    if (f.size() < 7 || f[6] != "True" || !f[5].starts_with("accept")) continue;
    out.push_back({f[0] + "/" + f[1], f[2]});
  }
  return out;
}

TEST(Soundness, AcceptedXdpCorpusProgramsRunWithoutMemoryFaults) {
  const auto packets = testing::generated_packets();
  std::map<std::string, std::unique_ptr<ebpf::ElfObject>> objects;
  size_t programs_run = 0;
  size_t runs = 0;
  for (const CorpusProgram& cp : accepted_corpus_programs()) {
    auto& object = objects[cp.object];
    if (!object) {
      object = std::make_unique<ebpf::ElfObject>(
          ebpf::load_elf_file(kData + "/ebpf-samples/" + cp.object));
    }
    for (const ebpf::Program& program : object->programs) {
      if (program.section != cp.section) continue;
      const VerificationResult r = verify(*object, program);
      if (!r.accepted || r.program_type != ProgramType::Xdp) continue;
      std::unique_ptr<ebpf::Runtime> runtime;
      std::unique_ptr<ebpf::Interpreter> interpreter;
      try {
        runtime = std::make_unique<ebpf::Runtime>(*object);
        interpreter = std::make_unique<ebpf::Interpreter>(program, *runtime);
      } catch (const Error&) {
        continue;  // a map type or feature the runtime does not provide
      }
      ++programs_run;
      for (const auto& packet : packets) {
        ebpf::XdpFrame frame(packet);
        const ebpf::ExecutionResult result = interpreter->run_xdp(frame);
        ++runs;
        if (result.aborted) {
          EXPECT_FALSE(is_safety_fault(result.diagnostic))
              << cp.object << " " << program.display_name() << " on a " << packet.size()
              << "-byte packet: " << result.diagnostic;
        }
      }
    }
  }
  RecordProperty("programs", std::to_string(programs_run));
  RecordProperty("runs", std::to_string(runs));
  EXPECT_GT(programs_run, 40U);
}

}  // namespace
}  // namespace nicsim::verifier
