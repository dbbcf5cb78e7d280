// What the arm64 JIT offers besides the ISA: the Engine adapter, W^X code, branch relaxation
// past +-1 MiB, constant blinding, verified mode with the verifier's facts, compile errors
// worded as the interpreter's, the disassembly listing, the AArch64 instruction counts of
// emulated runs, and emulator faults ending a run as aborted rather than crashing nicsim.

#include <capstone/capstone.h>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "ebpf/asm/disassembler.h"
#include "ebpf/interp/interpreter.h"
#include "jit/arm64/a64_disassembler.h"
#include "jit/arm64/test/arm64_test_support.h"
#include "jit/common/jit_error.h"

namespace nicsim::jit::test {
namespace {

using namespace ebpf;  // opcode constants

std::string permissions_of(uint64_t address) {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    std::istringstream fields(line);
    std::string range, perms;
    fields >> range >> perms;
    const auto dash = range.find('-');
    if (address >= std::stoull(range.substr(0, dash), nullptr, 16) &&
        address < std::stoull(range.substr(dash + 1), nullptr, 16))
      return perms;
  }
  return "";
}

// Every immediate operand of every instruction of the compiled code, as Capstone decodes it.
std::set<uint64_t> immediates_in(const CompiledProgram& compiled) {
  csh handle = 0;
  cs_open(CS_ARCH_ARM64, CS_MODE_ARM, &handle);
  std::set<uint64_t> values;
  const auto code = compiled.code.code();
  const std::regex immediate("#(-?0x[0-9a-f]+|-?[0-9]+)");
  for (size_t offset = 0; offset + 4 <= code.size(); offset += 4) {
    cs_insn* insn = nullptr;
    const size_t count = cs_disasm(handle, code.data() + offset, 4, offset, 1, &insn);
    if (count == 0) continue;
    const std::string operands = insn[0].op_str;
    for (auto it = std::sregex_iterator(operands.begin(), operands.end(), immediate);
         it != std::sregex_iterator(); ++it)
      values.insert(static_cast<uint64_t>(std::stoll((*it)[1].str(), nullptr, 0)));
    cs_free(insn, count);
  }
  cs_close(&handle);
  return values;
}

TEST(Arm64Features, IsAnEngineCalledLikeTheInterpreter) {
  Arm64Run run("r0 = 2\nexit");
  EXPECT_EQ(run.engine->name(), "jit-arm64");
  ebpf::XdpFrame frame(std::vector<uint8_t>(64, 0));
  const ebpf::ExecutionResult result = run.engine->run_xdp(frame);
  EXPECT_FALSE(result.aborted);
  EXPECT_EQ(ebpf::xdp_action_of(result), ebpf::XdpAction::Pass);
  EXPECT_EQ(result.instructions, 2u);
  EXPECT_EQ(run.backend().execution(),
            arm64_host() ? Arm64Backend::Execution::Native : Arm64Backend::Execution::Emulated);
}

TEST(Arm64Features, CodeIsReadExecuteNeverWritable) {
  Arm64Run run("r0 = 1\nexit");
  const CompiledProgram& compiled = run.engine->entry();
  EXPECT_TRUE(compiled.code.sealed());
  EXPECT_EQ(permissions_of(compiled.code.address()).substr(0, 3), "r-x");
  EXPECT_EQ(compiled.code.address() % 4096, 0u);  // ADRP needs a page-aligned load address
}

TEST(Arm64Features, ConditionalBranchesBeyondOneMegabyteAreRelaxed) {
  // A conditional jump over 30000 hardened additions of a large constant (ten AArch64
  // instructions each: both blinded halves, the key, an EOR, the ADD): about 1.2 MB of code,
  // past the +-1 MiB of B.cond, so the branch becomes B.!cond over a B in a second pass.
  std::string p = "r0 = 0\nr1 = 0\nif r1 == 0 goto near\nr0 += 1\nnear:\nif r1 != 0 goto far\n";
  for (int i = 0; i < 30'000; ++i)
    p += "r0 += 0x12345678\n";
  p += "far:\nif r0 == 0 goto done\nr0 += 1\ndone:\nexit\n";
  const auto insns = assemble(p);
  JitOptions hardened;
  hardened.harden = true;
  const ebpf::ElfObject object = ebpf::make_single_program_object(insns);
  ebpf::Runtime runtime(object);
  const auto engine = make_arm64_engine(object.programs[0], runtime, hardened);
  const CompileStats& stats = engine->entry().stats;
  EXPECT_GT(engine->entry().code.size(), size_t{1} << 20);
  EXPECT_EQ(stats.passes, 2);
  EXPECT_GT(stats.short_branches, 0u);
  EXPECT_GE(stats.long_branches, 1u);
  const ebpf::ExecutionResult result = engine->run_raw({});
  ASSERT_FALSE(result.aborted) << result.diagnostic;
  EXPECT_EQ(result.return_value, 30'000ull * 0x12345678 + 1);
  expect_same(insns, {raw_input()}, hardened);
}

TEST(Arm64Features, ConstantBlindingKeepsImmediatesOutOfTheCode) {
  const char* p = R"(
    r0 = 0x5a5a1234
    r0 += 0x3c3c5678
    w0 ^= 0x71717171
    r2 = 0x1e1e2e2e3e3e4e4e ll
    r0 += r2
    *(u32 *)(r10 - 4) = 0x6d6d1212
    r3 = *(u32 *)(r10 - 4)
    r0 += r3
    if r3 == 0x4b4b0909 goto skip
    r0 *= 0x29292929
    r0 /= 0x17171717
    r0 %= 0x15151515
  skip:
    exit
  )";
  const std::vector<uint32_t> secrets = {0x5a5a1234, 0x3c3c5678, 0x71717171, 0x3e3e4e4e,
                                         0x1e1e2e2e, 0x6d6d1212, 0x4b4b0909, 0x29292929,
                                         0x17171717, 0x15151515};
  // The 16-bit halves a MOVZ/MOVK sequence would carry.
  auto halves_present = [](const std::set<uint64_t>& immediates, uint32_t secret) {
    return immediates.count(secret & 0xffff) != 0 && immediates.count(secret >> 16) != 0;
  };
  Arm64Run plain(p);
  const std::set<uint64_t> plain_immediates = immediates_in(plain.engine->entry());
  for (uint32_t secret : secrets)
    EXPECT_TRUE(halves_present(plain_immediates, secret)) << std::hex << secret;
  JitOptions hardened;
  hardened.harden = true;
  hardened.blinding_seed = 0x1234567;
  Arm64Run blinded(p, hardened);
  const std::set<uint64_t> blinded_immediates = immediates_in(blinded.engine->entry());
  for (uint32_t secret : secrets) {
    EXPECT_FALSE(halves_present(blinded_immediates, secret)) << std::hex << secret;
    EXPECT_EQ(blinded_immediates.count(secret), 0u) << std::hex << secret;
  }
  expect_same(p, {raw_input()}, hardened);
  EXPECT_EQ(plain.raw().return_value, blinded.raw().return_value);
}

TEST(Arm64Features, VerifiedModeUsesTheFactsAndTranslatesContextLoadsStatically) {
  const auto insns = assemble(R"(
    r2 = *(u32 *)(r1 + 0)
    r3 = *(u32 *)(r1 + 4)
    r4 = *(u32 *)(r1 + 12)
    r5 = r2
    r5 += 2
    r0 = 1
    if r5 > r3 goto out
    r0 = *(u16 *)(r2 + 0)
    r0 += r4
    *(u8 *)(r2 + 1) = 9
    *(u64 *)(r10 - 8) = 3
    r6 = *(u64 *)(r10 - 8)
    r0 += r6
  out:
    exit
  )");
  ProgramFacts facts;
  facts.insns.resize(insns.size());
  for (size_t i : {0, 1, 2})
    facts.insns[i] = {true, PointerKind::Context, true};
  facts.insns[7] = {true, PointerKind::Packet, true};
  facts.insns[9] = {true, PointerKind::Packet, true};
  facts.insns[10] = {true, PointerKind::Stack, true};
  facts.insns[11] = {true, PointerKind::Stack, true};

  const ebpf::ElfObject object = ebpf::make_single_program_object(insns, ProgramType::Xdp);
  JitOptions verified;
  verified.mode = SafetyMode::Verified;
  DifferentialOptions compare;
  compare.compare_instruction_counts = false;  // verified code does not count instructions
  const DifferentialReport report = compare_engines(
      object, 0, std::vector<DifferentialInput>{xdp_input({1, 2, 3, 4}), xdp_input({7})},
      interpreter_factory(), arm64_factory(verified, &facts), compare);
  EXPECT_TRUE(report.equal) << report.difference;

  // No check stubs: verified code is smaller than checked code and calls nothing.
  ebpf::Runtime runtime(object);
  const auto checked = make_arm64_engine(object.programs[0], runtime);
  const auto direct = make_arm64_engine(object.programs[0], runtime, verified, &facts);
  EXPECT_LT(direct->entry().code.size(), checked->entry().code.size());
  EXPECT_EQ(disassemble_arm64(direct->entry()).find("cold paths and stubs"), std::string::npos);
  EXPECT_EQ(disassemble_arm64(direct->entry()).find("blr"), std::string::npos);
}

// An emulated fault (here: verified code trusting a false fact) ends the run as aborted with
// a diagnostic naming the instruction; it never takes nicsim down.
TEST(Arm64Features, EmulatorFaultsAbortTheRun) {
  if (arm64_host()) GTEST_SKIP() << "native runs fault for real; only the emulator recovers";
  struct Case {
    const char* program;
    size_t faulting_insn;
  };
  const Case cases[] = {
      {"r2 = 0\nr0 = *(u64 *)(r2 + 0)\nexit", 1},
      {"r2 = 0x1000 ll\n*(u32 *)(r2 + 8) = 5\nr0 = 0\nexit", 2},
      {"r2 = r10\nr2 += -700000\nr3 = *(u64 *)(r10 - 8)\nr0 = *(u8 *)(r2 + 0)\nexit", 3},
  };
  for (const Case& c : cases) {
    const char* p = c.program;
    SCOPED_TRACE(p);
    const auto insns = assemble(p);
    ProgramFacts facts;
    facts.insns.resize(insns.size());
    for (auto& fact : facts.insns)
      fact = {true, PointerKind::Packet, true};  // a lie: the accesses are anything but safe
    JitOptions verified;
    verified.mode = SafetyMode::Verified;
    const ebpf::ElfObject object = ebpf::make_single_program_object(insns);
    ebpf::Runtime runtime(object);
    const auto engine = make_arm64_engine(object.programs[0], runtime, verified, &facts);
    for (int i = 0; i < 2; ++i) {  // and again: the engine survives its faults
      const ebpf::ExecutionResult result = engine->run_raw({});
      EXPECT_TRUE(result.aborted);
      EXPECT_NE(result.diagnostic.find("arm64 emulation: invalid"), std::string::npos)
          << result.diagnostic;
      EXPECT_EQ(result.diagnostic.rfind(fmt::format("insn {}:", c.faulting_insn), 0), 0u)
          << result.diagnostic;
    }
  }
}

TEST(Arm64Features, DisassemblyListsEachInstructionAboveItsMachineCode) {
  const auto insns = assemble("r0 = 7\nr1 = *(u32 *)(r1 + 0)\nexit");
  Arm64Run run(insns);
  const std::string listing = disassemble_arm64(run.engine->entry());
  size_t position = 0;
  for (size_t i = 0; i < insns.size(); ++i) {
    const std::string text = ebpf::disassemble_instruction(insns, i);
    const size_t found = listing.find(text, position);
    ASSERT_NE(found, std::string::npos) << text << "\n" << listing;
    position = found;
  }
  // r0 is x7; the load goes through a check stub (bl), exit pops the return address.
  EXPECT_NE(listing.find("movz x7, #0x7"), std::string::npos) << listing;
  EXPECT_NE(listing.find("ldr x30, [sp], #0x10"), std::string::npos) << listing;
  EXPECT_NE(listing.find("prologue"), std::string::npos) << listing;
  const std::string bare = disassemble_arm64(run.engine->entry(), {true, false});
  EXPECT_EQ(bare.find("prologue"), std::string::npos);
  EXPECT_NE(bare.find("d65f03c0"), std::string::npos) << bare;  // ret, with its encoding
}

TEST(Arm64Features, EmulatedRunsCountAArch64Instructions) {
  if (arm64_host()) GTEST_SKIP() << "native runs are not counted";
  // Each `r0 += 1` is one ADD: ten more of them cost exactly ten more instructions. A loop's
  // cost grows linearly with its trip count.
  auto count = [](const std::string& program) {
    Arm64Run run(program);
    EXPECT_FALSE(run.raw().aborted);
    const uint64_t first = run.backend().last_run_instructions();
    EXPECT_FALSE(run.raw().aborted);
    EXPECT_EQ(run.backend().last_run_instructions(), first);  // deterministic
    EXPECT_EQ(run.backend().runs(), 2u);
    EXPECT_EQ(run.backend().total_instructions(), 2 * first);
    return first;
  };
  std::string ten;
  for (int i = 0; i < 10; ++i)
    ten += "r0 += 1\n";
  const uint64_t base = count("r0 = 0\nexit");
  EXPECT_GT(base, 20u);  // the trampoline
  EXPECT_EQ(count("r0 = 0\n" + ten + "exit"), base + 10);
  auto loop = [&](int n) {
    return count(
        fmt::format("r0 = 0\nr1 = {}\ntop:\nr0 += 3\nr1 -= 1\nif r1 != 0 goto top\nexit", n));
  };
  const uint64_t per_iteration = loop(11) - loop(10);
  EXPECT_GT(per_iteration, 3u);
  EXPECT_EQ(loop(20) - loop(10), 10 * per_iteration);
}

}  // namespace
}  // namespace nicsim::jit::test
