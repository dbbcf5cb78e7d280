// What the x86-64 JIT offers besides the ISA: the Engine adapter, W^X code, branch
// relaxation, constant blinding, verified mode with the verifier's facts, compile errors
// worded as the interpreter's, and the disassembly listing.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ebpf/asm/disassembler.h"
#include "ebpf/interp/interpreter.h"
#include "ebpf/runtime/helpers.h"
#include "jit/common/jit_error.h"
#include "jit/x86_64/test/jit_test_support.h"
#include "jit/x86_64/test/program_builder.h"
#include "jit/x86_64/x86_disassembler.h"

namespace nicsim::jit::test {
namespace {

class X86Features : public ::testing::Test {
 protected:
  void SetUp() override { NICSIM_REQUIRE_X86_64_HOST(); }
};

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

bool contains_bytes(std::span<const uint8_t> code, uint32_t value) {
  uint8_t needle[4];
  std::memcpy(needle, &value, 4);
  return std::search(code.begin(), code.end(), needle, needle + 4) != code.end();
}

TEST_F(X86Features, IsAnEngineCalledLikeTheInterpreter) {
  JitRun run(ProgramBuilder().mov64(0, 2).exit().build());
  EXPECT_EQ(run.engine->name(), "jit-x86_64");
  ebpf::XdpFrame frame(std::vector<uint8_t>(64, 0));
  const ebpf::ExecutionResult result = run.engine->run_xdp(frame);
  EXPECT_FALSE(result.aborted);
  EXPECT_EQ(ebpf::xdp_action_of(result), ebpf::XdpAction::Pass);
  EXPECT_EQ(result.instructions, 2u);
}

TEST_F(X86Features, CodeIsReadExecuteNeverWritable) {
  JitRun run(ProgramBuilder().mov64(0, 1).exit().build());
  const CompiledProgram& compiled = run.engine->entry();
  EXPECT_TRUE(compiled.code.sealed());
  EXPECT_EQ(permissions_of(compiled.code.address()).substr(0, 3), "r-x");
}

TEST_F(X86Features, BranchesAreShortWhereTheyFitAndLongElsewhere) {
  ProgramBuilder p;
  p.mov64(0, 0).mov64(1, 0);
  p.jmp(kJmpJeq, 1, 0, "near");
  p.alu64(kAluAdd, 0, 1);
  p.label("near").jmp(kJmpJne, 1, 0, "far");
  for (int i = 0; i < 300; ++i)
    p.alu64(kAluAdd, 0, 1);  // ~1.2 KB of code
  p.label("far").jmp(kJmpJeq, 0, 300, "done").mov64(0, -1);
  p.label("done").exit();
  const auto results = expect_same(p.build(), {raw_input()});
  EXPECT_EQ(results.at(0).return_value, 300u);
  JitRun run(p.build());
  const CompileStats& stats = run.engine->entry().stats;
  EXPECT_GE(stats.passes, 2);
  EXPECT_GT(stats.short_branches, 0u);
  EXPECT_GT(stats.long_branches, 0u);
}

TEST_F(X86Features, ConstantBlindingKeepsImmediatesOutOfTheCode) {
  ProgramBuilder p;
  p.mov64(0, 0x5a5a1234).alu64(kAluAdd, 0, 0x3c3c5678).alu32(kAluXor, 0, 0x71717171);
  p.lddw(2, 0x1e1e2e2e3e3e4e4eull).alu64r(kAluAdd, 0, 2);
  p.st(kSizeW, 10, -4, 0x6d6d1212).ldx(kSizeW, 3, 10, -4).alu64r(kAluAdd, 0, 3);
  p.jmp(kJmpJeq, 3, 0x4b4b0909, "skip").alu64(kAluMul, 0, 0x29292929);
  p.alu64(kAluDiv, 0, 0x17171717).alu64(kAluMod, 0, 0x15151515);
  p.label("skip").exit();
  const std::vector<uint32_t> secrets = {0x5a5a1234, 0x3c3c5678, 0x71717171, 0x3e3e4e4e,
                                         0x1e1e2e2e, 0x6d6d1212, 0x4b4b0909, 0x29292929,
                                         0x17171717, 0x15151515};
  JitRun plain(p.build());
  for (uint32_t secret : secrets)
    EXPECT_TRUE(contains_bytes(plain.engine->entry().code.code(), secret)) << std::hex << secret;
  JitOptions hardened;
  hardened.harden = true;
  JitRun blinded(p.build(), hardened);
  for (uint32_t secret : secrets)
    EXPECT_FALSE(contains_bytes(blinded.engine->entry().code.code(), secret)) << std::hex << secret;
  expect_same(p.build(), {raw_input()}, hardened);
  EXPECT_EQ(plain.raw().return_value, blinded.raw().return_value);
}

TEST_F(X86Features, VerifiedModeUsesTheFactsAndTranslatesContextLoadsStatically) {
  ProgramBuilder p;
  p.ldx(kSizeW, 2, 1, ebpf::kXdpMdData).ldx(kSizeW, 3, 1, ebpf::kXdpMdDataEnd);
  p.ldx(kSizeW, 4, 1, ebpf::kXdpMdIngressIfindex);
  p.mov64r(5, 2).alu64(kAluAdd, 5, 2).mov64(0, 1);
  p.jmpr(kJmpJgt, 5, 3, "out");
  p.ldx(kSizeH, 0, 2, 0).alu64r(kAluAdd, 0, 4).st(kSizeB, 2, 1, 9);
  p.st(kSizeDw, 10, -8, 3).ldx(kSizeDw, 6, 10, -8).alu64r(kAluAdd, 0, 6);
  p.label("out").exit();
  const auto insns = p.build();
  ProgramFacts facts;
  facts.insns.resize(insns.size());
  for (size_t i : {0, 1, 2})
    facts.insns[i] = {true, PointerKind::Context, true};
  facts.insns[7] = {true, PointerKind::Packet, true};
  facts.insns[9] = {true, PointerKind::Packet, true};
  facts.insns[10] = {true, PointerKind::Stack, true};
  facts.insns[11] = {true, PointerKind::Stack, true};

  const ebpf::ElfObject object = ebpf::make_single_program_object(insns, ebpf::ProgramType::Xdp);
  JitOptions verified;
  verified.mode = SafetyMode::Verified;
  DifferentialOptions compare;
  compare.compare_instruction_counts = false;  // verified code does not count instructions
  const DifferentialReport report = compare_engines(
      object, 0, std::vector<DifferentialInput>{xdp_input({1, 2, 3, 4}), xdp_input({7})},
      interpreter_factory(), x86_factory(verified, &facts), compare);
  EXPECT_TRUE(report.equal) << report.difference;

  // No check stubs: verified code is smaller than checked code and calls nothing.
  ebpf::Runtime runtime(object);
  const auto checked = make_x86_64_engine(object.programs[0], runtime);
  const auto direct = make_x86_64_engine(object.programs[0], runtime, verified, &facts);
  EXPECT_LT(direct->entry().code.size(), checked->entry().code.size());
  EXPECT_EQ(disassemble_x86_64(direct->entry()).find("cold paths and stubs"), std::string::npos);
}

TEST_F(X86Features, DisassemblyListsEachInstructionAboveItsMachineCode) {
  const auto insns = ProgramBuilder().mov64(0, 7).ldx(kSizeW, 1, 1, 0).exit().build();
  JitRun run(insns);
  const std::string listing = disassemble_x86_64(run.engine->entry());
  size_t position = 0;
  for (size_t i = 0; i < insns.size(); ++i) {
    const std::string text = ebpf::disassemble_instruction(insns, i);
    const size_t found = listing.find(text, position);
    ASSERT_NE(found, std::string::npos) << text << "\n" << listing;
    position = found;
  }
  EXPECT_NE(listing.find("mov eax, 7"), std::string::npos) << listing;
  EXPECT_NE(listing.find("ret"), std::string::npos) << listing;
  EXPECT_NE(listing.find("prologue"), std::string::npos) << listing;
  EXPECT_EQ(disassemble_x86_64(run.engine->entry(), {false, false}).find("prologue"),
            std::string::npos);
}

}  // namespace
}  // namespace nicsim::jit::test
