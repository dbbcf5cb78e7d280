// Calls on the JIT against the interpreter: helpers (and their faults), bpf-to-bpf calls with
// their own frames and the depth limit, callx (code addresses and helper ids), tail calls and
// their limit, and the instruction budget.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ebpf/runtime/helpers.h"
#include "jit/x86_64/test/jit_test_support.h"
#include "jit/x86_64/test/program_builder.h"

namespace nicsim::jit::test {
namespace {

class X86Calls : public ::testing::Test {
 protected:
  void SetUp() override { NICSIM_REQUIRE_X86_64_HOST(); }
};

TEST_F(X86Calls, HelpersSeeArgumentsAndPreserveR1ToR5) {
  ProgramBuilder p;
  p.mov64(6, 0);
  p.call(ebpf::kHelperKtimeGetNs).alu64r(kAluAdd, 6, 0);
  p.call(ebpf::kHelperGetPrandomU32).alu64r(kAluXor, 6, 0);
  p.call(ebpf::kHelperGetSmpProcessorId).alu64r(kAluAdd, 6, 0);
  // The interpreter leaves r1..r5 alone across helper calls; so does checked JIT code.
  p.mov64(1, 11).mov64(2, 22).mov64(3, 33).mov64(4, 44).mov64(5, 55);
  p.call(ebpf::kHelperGetPrandomU32);
  p.alu64r(kAluAdd, 6, 1).alu64r(kAluAdd, 6, 2).alu64r(kAluAdd, 6, 3).alu64r(kAluAdd, 6, 4);
  p.alu64r(kAluAdd, 6, 5).mov64r(0, 6).exit();
  expect_same(p.build(), {raw_input(), raw_input(), raw_input()});
}

TEST_F(X86Calls, HelperFaultAbortsWithTheHelpersMessage) {
  ebpf::ElfObject object = ebpf::make_single_program_object(ProgramBuilder()
                                                                .lddw_map(1, 0)
                                                                .mov64(2, 12345)
                                                                .call(ebpf::kHelperMapLookupElem)
                                                                .exit()
                                                                .build());
  ebpf::MapDefinition map;
  map.name = "m";
  map.type = ebpf::MapType::Hash;
  map.key_size = map.value_size = 8;
  map.max_entries = 4;
  object.maps.push_back(map);
  const auto results = expect_same(object, {raw_input()});
  EXPECT_TRUE(results.at(0).aborted);
  EXPECT_NE(results[0].diagnostic.find("insn 3:"), std::string::npos) << results[0].diagnostic;
}

TEST_F(X86Calls, LocalCallsHaveTheirOwnFramesAndKeepR6ToR9) {
  ProgramBuilder p;
  p.mov64(6, 6).mov64(7, 7).mov64(8, 8).mov64(9, 9);
  p.st(kSizeDw, 10, -8, 1000);
  p.mov64r(1, 10).alu64(kAluAdd, 1, -8).mov64(2, 3);
  p.call_local("f");
  p.ldx(kSizeDw, 2, 10, -8);  // the callee wrote through the pointer into our frame
  p.alu64r(kAluAdd, 0, 2).alu64r(kAluAdd, 0, 6).alu64r(kAluAdd, 0, 7).alu64r(kAluAdd, 0, 8);
  p.alu64r(kAluAdd, 0, 9).exit();
  // f(ptr, n): *ptr += n; recursion n times, each frame using its own fp-8.
  p.label("f");
  p.mov64(6, 60).mov64(7, 70).mov64(8, 80).mov64(9, 90);
  p.st(kSizeDw, 10, -8, 5);
  p.ldx(kSizeDw, 3, 1, 0).alu64r(kAluAdd, 3, 2).stx(kSizeDw, 1, 3, 0);
  p.mov64(0, 0);
  p.jmp(kJmpJeq, 2, 0, "ret");
  p.alu64(kAluSub, 2, 1).call_local("f");
  p.label("ret").ldx(kSizeDw, 4, 10, -8).alu64r(kAluAdd, 0, 4).exit();
  expect_same(p.build(), {raw_input()});
}

TEST_F(X86Calls, CallDepthLimitAborts) {
  for (int depth : {6, 7, 8, 9}) {
    ProgramBuilder p;
    p.mov64(1, depth).call_local("f").exit();
    p.label("f").mov64(0, 1).jmp(kJmpJeq, 1, 0, "ret");
    p.alu64(kAluSub, 1, 1).call_local("f").alu64(kAluAdd, 0, 1);
    p.label("ret").exit();
    SCOPED_TRACE(fmt::format("recursion depth {}", depth));
    const auto results = expect_same(p.build(), {raw_input()});
    EXPECT_EQ(results.at(0).aborted, depth >= 7) << results[0].diagnostic;
  }
}

TEST_F(X86Calls, ReturnedFramesAreNoLongerAccessible) {
  ProgramBuilder p;
  p.call_local("f").ldx(kSizeDw, 0, 0, 0).exit();
  p.label("f").mov64r(0, 10).alu64(kAluAdd, 0, -8).st(kSizeDw, 0, 0, 1).exit();
  const auto results = expect_same(p.build(), {raw_input()});
  EXPECT_TRUE(results.at(0).aborted);
}

TEST_F(X86Calls, CallxToFunctionAddressesAndHelperIds) {
  ProgramBuilder p;
  p.lddw_func(6, "double").mov64(1, 21).callx(6).mov64r(7, 0);
  p.mov64(8, ebpf::kHelperGetSmpProcessorId).callx(8).alu64r(kAluAdd, 7, 0);
  p.mov64r(0, 7).exit();
  p.label("double").mov64r(0, 1).alu64r(kAluAdd, 0, 1).exit();
  expect_same(p.build(), {raw_input()});

  // Bad targets abort with the interpreter's diagnostics: an unknown helper id, a helper the
  // kernel has and nicsim does not, an address that is no function, -1.
  int32_t unimplemented = 1;
  while (ebpf::helper_name(unimplemented).empty() || ebpf::find_helper(unimplemented) != nullptr)
    ++unimplemented;
  for (uint64_t target : {uint64_t{9999}, static_cast<uint64_t>(unimplemented),
                          uint64_t{0x7f0000001234}, ~uint64_t{0}}) {
    SCOPED_TRACE(fmt::format("callx {:#x}", target));
    const auto results =
        expect_same(ProgramBuilder().lddw(2, target).callx(2).exit().build(), {raw_input()});
    EXPECT_TRUE(results.at(0).aborted);
  }
}

// prog 0 tail-calls through slot r6 of the prog_array (map 0); prog 1 adds 100 and exits; prog
// 2 tail-calls itself forever (until the limit makes the call fall through).
ebpf::ElfObject tail_call_object() {
  ebpf::ElfObject object;
  object.path = "tail";
  ebpf::MapDefinition jump_table;
  jump_table.name = "jump_table";
  jump_table.type = ebpf::MapType::ProgArray;
  jump_table.key_size = jump_table.value_size = 4;
  jump_table.max_entries = 4;
  jump_table.initial_slots = {{1, "one"}, {2, "loop"}};
  object.maps.push_back(jump_table);
  auto add = [&](const std::string& name, std::vector<ebpf::Instruction> insns) {
    ebpf::Program program;
    program.section = "xdp";
    program.function = name;
    program.type = ebpf::ProgramType::Xdp;
    program.insns = std::move(insns);
    program.functions = {{0, name}};
    object.programs.push_back(std::move(program));
  };
  ProgramBuilder entry;
  entry.ldx(kSizeW, 6, 1, 0).ldx(kSizeW, 7, 1, 4).mov64r(8, 7).alu64r(kAluSub, 8, 6);  // length
  entry.mov64r(9, 6).mov64(6, 0).jmp(kJmpJlt, 8, 1, "go").ldx(kSizeB, 6, 9, 0);  // slot = byte 0
  entry.label("go").mov64(0, 7).lddw_map(2, 0).mov64r(3, 6).call(ebpf::kHelperTailCall);
  entry.alu64(kAluAdd, 0, 1000).exit();  // only when the tail call failed (r0 = -errno)
  add("entry", entry.build());
  add("one", ProgramBuilder().alu64(kAluAdd, 0, 100).exit().build());
  ProgramBuilder loop;
  loop.alu64(kAluAdd, 0, 1).lddw_map(2, 0).mov64(3, 2).call(ebpf::kHelperTailCall);
  loop.mov64r(6, 0).alu64(kAluLsh, 6, 8).exit();
  add("loop", loop.build());
  return object;
}

TEST_F(X86Calls, TailCallsJumpFallThroughAndStopAtTheLimit) {
  const ebpf::ElfObject object = tail_call_object();
  std::vector<DifferentialInput> inputs;
  for (uint8_t slot : {0, 1, 2, 3, 4, 200})
    inputs.push_back(xdp_input({slot, 1, 2, 3, 4, 5}));
  const auto results = expect_same(object, inputs);
  ASSERT_EQ(results.size(), inputs.size());
  EXPECT_EQ(results[1].tail_calls, 1u);
  EXPECT_EQ(results[1].return_value, 107u);  // 7 + 100
  EXPECT_EQ(results[2].tail_calls, 33u);     // the kernel's limit
}

TEST_F(X86Calls, TailCallThroughSomethingElseAborts) {
  ebpf::ElfObject object = tail_call_object();
  object.programs[1].insns =
      ProgramBuilder().mov64(2, 5).mov64(3, 0).call(ebpf::kHelperTailCall).exit().build();
  const auto results = expect_same(object, {xdp_input({1, 0, 0, 0})});
  EXPECT_TRUE(results.at(0).aborted);
  EXPECT_NE(results[0].diagnostic.find("of 'xdp/one'"), std::string::npos) << results[0].diagnostic;
}

TEST_F(X86Calls, CallxWithTheTailCallHelperId) {
  ebpf::ElfObject object = tail_call_object();
  ProgramBuilder entry;
  entry.mov64(0, 1).lddw_map(2, 0).mov64(3, 1).mov64(4, ebpf::kHelperTailCall).callx(4).exit();
  object.programs[0].insns = entry.build();
  const auto results = expect_same(object, {xdp_input({0, 0})});
  EXPECT_EQ(results.at(0).return_value, 101u);
}

TEST_F(X86Calls, InstructionBudgetStopsEndlessLoops) {
  ProgramBuilder forever;
  forever.mov64(0, 0).label("top").alu64(kAluAdd, 0, 1).st(kSizeDw, 10, -8, 0).ja("top");
  const auto results = expect_same(forever.build(), {raw_input()});
  EXPECT_TRUE(results.at(0).aborted);
  EXPECT_EQ(results[0].instructions, 1'000'000u);

  // A loop that finishes inside the budget counts exactly as the interpreter does.
  ProgramBuilder counted;
  counted.mov64(0, 0).mov64(1, 5000).label("top").alu64(kAluAdd, 0, 3).alu64(kAluSub, 1, 1);
  counted.jmp(kJmpJne, 1, 0, "top").call_local("f").exit();
  counted.label("f")
      .mov64(2, 10)
      .label("again")
      .alu64(kAluSub, 2, 1)
      .jmp(kJmpJsgt, 2, 0, "again")
      .exit();
  expect_same(counted.build(), {raw_input()});
}

TEST_F(X86Calls, RecursionWithoutEndHitsTheDepthLimitNotTheNativeStack) {
  ProgramBuilder p;
  p.label("f").call_local("f").exit();
  const auto results = expect_same(p.build(), {raw_input()});
  EXPECT_TRUE(results.at(0).aborted);
}

}  // namespace
}  // namespace nicsim::jit::test
