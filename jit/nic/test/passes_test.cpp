// Each optimisation pass on programs made to need it: the rewrite happens with the pass and
// not without it, and the program still computes what the interpreter computes.
#include <gtest/gtest.h>

#include <optional>

#include "jit/nic/test/test_support.h"

namespace nicsim::jit::nic::test {
namespace {

using firmware::AluFunc;
using firmware::OpClass;
using firmware::OperandB;
using firmware::Slot;

bool is_alu(const Slot& s, AluFunc f) {
  return s.op == OpClass::Alu && s.func == f;
}
bool conditional(const Slot& s) {
  return s.op == OpClass::Branch && s.cond != firmware::Cond::Always;
}

// Passes other than `pass` and access merging (whose store forwarding sees through the stack
// that these tests use to hide values from the other passes).
CompileOptions without_forwarding(std::optional<Pass> pass = std::nullopt) {
  CompileOptions o;
  o.no_access_merge = true;
  if (pass) o.set_enabled(*pass, false);
  return o;
}

const std::vector<std::vector<uint8_t>> kFrames = {frame_of(10),       frame_of(14), frame_of(19),
                                                   frame_of(20),       frame_of(34), frame_of(64),
                                                   frame_of(200, 0x70)};

// --- dead code ---

TEST(DeadCodePass, RemovesResultsNobodyReads) {
  const auto object = object_from_asm("r2 = *(u32 *)(r1 + 0)\nr3 = r2\nr3 *= 3\nr0 = 2\nexit");
  const auto with = compile_object(object).image;
  const auto without = compile_object(object, only_without(Pass::DeadCode)).image;
  EXPECT_EQ(count_slots(with, [](auto& s) { return is_alu(s, AluFunc::Mul); }), 0u);
  EXPECT_EQ(count_slots(without, [](auto& s) { return is_alu(s, AluFunc::Mul); }), 1u);
  expect_same_as_interpreter(object, kFrames);
}

TEST(DeadCodePass, KeepsStoresAndLoadsThatMayFault) {
  // No bounds check: the dead load faults on short frames, and must still.
  const auto object = object_from_asm(
      "r2 = *(u32 *)(r1 + 0)\nr3 = *(u8 *)(r2 + 100)\n*(u64 *)(r10 - 8) = r2\nr0 = 2\nexit");
  const auto image = compile_object(object, without_forwarding()).image;
  EXPECT_EQ(count_slots(image, [](auto& s) { return s.op == OpClass::Load; }), 1u);
  EXPECT_EQ(count_slots(image, [](auto& s) { return s.op == OpClass::Store; }), 1u);
  expect_same_as_interpreter(object, kFrames);
}

TEST(DeadCodePass, RemovesUnreachableBlocks) {
  const auto object = object_from_asm("r0 = 1\ngoto out\nr0 = 5\nr0 *= 7\nout:\nexit");
  CompileOptions only = CompileOptions::unoptimised();
  only.set_enabled(Pass::DeadCode, true);
  const auto result = compile_object(object, only);
  EXPECT_EQ(count_slots(result.image, [](auto& s) { return is_alu(s, AluFunc::Mul); }), 0u);
  EXPECT_GT(result.report.changes[static_cast<size_t>(Pass::DeadCode)], 0u);
  expect_same_as_interpreter(object, kFrames, only);
}

TEST(DeadCodePass, AppliesBranchFactsFromTheVerifier) {
  const auto object = object_from_asm("if r1 == 5 goto +1\nr0 = 1\nr0 = 2\nexit");
  ProgramFacts facts;
  facts.source = "verifier";
  facts.insns.resize(object.programs[0].insns.size());
  facts.insns[0].branch = BranchFact::NeverTaken;  // r1 is the context pointer, never 5
  const auto result = compile(object.programs[0], object, {}, &facts);
  EXPECT_EQ(result.report.facts_source, "verifier");
  EXPECT_EQ(count_slots(result.image, conditional), 0u);
  expect_same_as_interpreter(object, kFrames);
}

// --- bounds checks ---

constexpr std::string_view kNestedChecks = R"(
  r2 = *(u32 *)(r1 + 4)
  r1 = *(u32 *)(r1 + 0)
  r3 = r1
  r3 += 20
  if r3 > r2 goto drop
  r3 = r1
  r3 += 14
  if r3 > r2 goto drop
  r0 = *(u8 *)(r1 + 13)
  r0 &= 3
  exit
drop:
  r0 = 1
  exit
)";

TEST(BoundsCheckPass, LocalFactsDecideRedundantChecks) {
  const auto object = object_from_asm(kNestedChecks);
  const ProgramFacts facts = local_facts(object.programs[0]);
  EXPECT_TRUE(facts.insns[4].bounds_check);
  EXPECT_EQ(facts.insns[4].branch, BranchFact::Unknown);
  EXPECT_TRUE(facts.insns[7].bounds_check);
  EXPECT_EQ(facts.insns[7].branch, BranchFact::NeverTaken) << "length >= 20 is already proven";
  EXPECT_TRUE(facts.insns[8].access_in_bounds);
}

TEST(BoundsCheckPass, RemovesChecksTheFactsDecide) {
  const auto object = object_from_asm(kNestedChecks);
  const auto with = compile_object(object);
  const auto without = compile_object(object, only_without(Pass::BoundsCheck));
  EXPECT_EQ(count_slots(with.image, conditional), 1u);
  EXPECT_EQ(count_slots(without.image, conditional), 2u);
  EXPECT_EQ(with.report.changes[static_cast<size_t>(Pass::BoundsCheck)], 1u);
  expect_same_as_interpreter(object, kFrames);
  expect_same_as_interpreter(object, kFrames, only_without(Pass::BoundsCheck));
}

TEST(BoundsCheckPass, AlwaysTakenBecomesAJump) {
  const auto object = object_from_asm(R"(
      r2 = *(u32 *)(r1 + 4)
      r1 = *(u32 *)(r1 + 0)
      r3 = r1
      r3 += 20
      if r3 > r2 goto drop
      r3 = r1
      r3 += 10
      if r3 <= r2 goto pass
      r0 = 0
      exit
    pass:
      r0 = 2
      exit
    drop:
      r0 = 1
      exit)");
  EXPECT_EQ(local_facts(object.programs[0]).insns[7].branch, BranchFact::AlwaysTaken);
  EXPECT_EQ(count_slots(compile_object(object).image, conditional), 1u);
  expect_same_as_interpreter(object, kFrames);
}

// --- constant folding ---

TEST(ConstFoldPass, FoldsConstantArithmetic) {
  // Through the stack, so that exit folding does not see the constant either.
  const auto object = object_from_asm(
      "r1 = 6\nr2 = r1\nr2 *= 7\n*(u64 *)(r10 - 8) = r2\nr0 = *(u64 *)(r10 - 8)\nexit",
      ebpf::ProgramType::Unspec);
  EXPECT_EQ(count_slots(compile_object(object, without_forwarding()).image,
                        [](auto& s) { return is_alu(s, AluFunc::Mul); }),
            0u);
  EXPECT_EQ(count_slots(compile_object(object, without_forwarding(Pass::ConstFold)).image,
                        [](auto& s) { return is_alu(s, AluFunc::Mul); }),
            1u);
  EXPECT_EQ(run_raw_on_model(object, {}), 42u);
  EXPECT_EQ(run_raw_on_model(object, {}, only_without(Pass::ConstFold)), 42u);
}

TEST(ConstFoldPass, ConstantLeftOperandBecomesReverseSubtract) {
  // r2 holds the memory length: r0 = 100 - len
  const auto object = object_from_asm("r0 = 100\nr0 -= r2\nexit", ebpf::ProgramType::Unspec);
  const auto image = compile_object(object).image;
  EXPECT_EQ(count_slots(image, [](auto& s) { return is_alu(s, AluFunc::Rsub) && s.imm == 100; }),
            1u);
  EXPECT_EQ(run_raw_on_model(object, std::vector<uint8_t>(10)), 90u);
}

TEST(ConstFoldPass, DecidesConstantBranches) {
  const auto object = object_from_asm(
      "r1 = 3\nif r1 > 2 goto yes\nr0 = 0\nexit\nyes:\nr0 = 1\nexit", ebpf::ProgramType::Unspec);
  EXPECT_EQ(count_slots(compile_object(object).image, conditional), 0u);
  EXPECT_EQ(count_slots(compile_object(object, only_without(Pass::ConstFold)).image, conditional),
            1u);
  EXPECT_EQ(run_raw_on_model(object, {}), 1u);
}

// Executed bundles of one packet on the model.
uint64_t bundles_run(const ebpf::ElfObject& object, const std::vector<uint8_t>& frame,
                     const CompileOptions& options) {
  ebpf::Runtime runtime(object);
  model::ModelEngine model(compile_object(object, options).image, runtime);
  ebpf::XdpFrame f(frame);
  model.run_xdp(f);
  return model.last_outcome().stats.bundles;
}

// A field tested, an optional header parsed, the field tested again (as xdp1 parses VLANs):
// when the first tests failed, the second ones are decided.
constexpr std::string_view kRetest = R"(
  r1 = *(u32 *)(r1 + 0)
  r4 = *(u8 *)(r1 + 0)
  if r4 == 7 goto tagged
  if r4 != 9 goto inner
tagged:
  r4 = *(u8 *)(r1 + 1)
inner:
  if r4 == 7 goto drop
  if r4 != 9 goto pass
  r0 = 3
  exit
pass:
  r0 = 2
  exit
drop:
  r0 = 1
  exit
)";

TEST(ConstFoldPass, ThreadsJumpsThroughDecidedTests) {
  const auto object = object_from_asm(kRetest);
  std::vector<uint8_t> plain = frame_of(64), tagged = frame_of(64), twice = frame_of(64);
  plain[0] = 1;
  tagged[0] = 9, tagged[1] = 1;
  twice[0] = 7, twice[1] = 9;
  expect_same_as_interpreter(object, {plain, tagged, twice});
  expect_same_as_interpreter(object, {plain, tagged, twice}, only_without(Pass::ConstFold));
  // The untagged packet skips the second pair of tests.
  EXPECT_LT(bundles_run(object, plain, {}),
            bundles_run(object, plain, only_without(Pass::ConstFold)));
}

TEST(ConstFoldPass, ArrayLookupsBecomeAddresses) {
  const auto object = object_from_asm(R"(
      r2 = *(u32 *)(r1 + 0)
      r3 = *(u8 *)(r2 + 9)
      *(u32 *)(r10 - 4) = r3
      r2 = r10
      r2 += -4
      r1 = map[id:0]
      call 1
      if r0 == 0 goto out
      r1 = *(u64 *)(r0 + 0)
      r1 += 1
      *(u64 *)(r0 + 0) = r1
    out:
      r0 = 2
      exit)",
                                      ebpf::ProgramType::Xdp, {array_map("by_protocol", 8, 256)});
  const auto image = compile_object(object).image;
  EXPECT_EQ(count_slots(image, [](auto& s) { return s.op == OpClass::HCall; }), 0u)
      << "a u8 key is always inside 256 entries";
  EXPECT_EQ(count_slots(image, conditional), 0u) << "the value's address is never null";
  EXPECT_EQ(count_slots(compile_object(object, only_without(Pass::ConstFold)).image,
                        [](auto& s) { return s.op == OpClass::HCall; }),
            1u);
  std::vector<uint8_t> a = frame_of(64), b = frame_of(64);
  a[9] = 17, b[9] = 6;
  ebpf::Runtime interp_runtime(object), model_runtime(object);
  ebpf::Interpreter interpreter(object.programs[0], interp_runtime);
  model::ModelEngine model(image, model_runtime);
  for (const auto& frame : {a, b, a}) {
    ebpf::XdpFrame x(frame), y(frame);
    EXPECT_EQ(interpreter.run_xdp(x).return_value, model.run_xdp(y).return_value);
  }
  for (uint32_t key : {6u, 17u, 0u}) {
    uint64_t left = 0, right = 0;
    ASSERT_EQ(interp_runtime.map(0).host_lookup(&key, &left), 0);
    ASSERT_EQ(model_runtime.map(0).host_lookup(&key, &right), 0);
    EXPECT_EQ(left, right) << "key " << key;
  }
  uint64_t count = 0;
  const uint32_t udp = 17;
  model_runtime.map(0).host_lookup(&udp, &count);
  EXPECT_EQ(count, 2u);
}

// --- fusion ---

constexpr std::string_view kBoundsThenLoad = R"(
  r2 = *(u32 *)(r1 + 4)
  r1 = *(u32 *)(r1 + 0)
  r3 = r1
  r3 += 14
  if r3 > r2 goto drop
  r0 = *(u16 *)(r1 + 12)
  r0 &= 3
  exit
drop:
  r0 = 1
  exit
)";

TEST(FusionPass, ContextLoadsAndAddCompare) {
  const auto object = object_from_asm(kBoundsThenLoad);
  const auto with = compile_object(object).image;
  // The packet pointers are read as operand registers r11 (data) and r12 (data_end).
  EXPECT_EQ(
      count_slots(with, [](auto& s) { return s.op == OpClass::Load && s.ra == 1 && s.size == 4; }),
      0u);
  EXPECT_EQ(count_slots(with,
                        [](auto& s) {
                          return conditional(s) && s.b == firmware::OperandB::Reg && s.imm == 14 &&
                                 s.ra == firmware::kPacketDataRegister &&
                                 s.rb == firmware::kPacketEndRegister;
                        }),
            1u)
      << "jgt r11+14, r12";
  EXPECT_EQ(count_slots(with, [](auto& s) { return is_alu(s, AluFunc::Add); }), 0u);
  const auto without = compile_object(object, only_without(Pass::Fusion)).image;
  EXPECT_EQ(count_slots(without,
                        [](auto& s) { return s.op == OpClass::Load && s.ra == 1 && s.size == 4; }),
            2u);
  EXPECT_GE(count_slots(without, [](auto& s) { return is_alu(s, AluFunc::Add); }), 1u);
  expect_same_as_interpreter(object, kFrames);
  expect_same_as_interpreter(object, kFrames, only_without(Pass::Fusion));
}

TEST(FusionPass, AddsFoldIntoAddresses) {
  const auto object = object_from_asm(R"(
      r2 = *(u32 *)(r1 + 0)
      r3 = r2
      r3 += 20
      r0 = *(u8 *)(r3 + 3)
      r4 = r2
      r4 += r0
      r0 = *(u8 *)(r4 + 2)
      r0 &= 3
      exit)");
  const auto image = compile_object(object).image;
  EXPECT_EQ(count_slots(image, [](auto& s) { return s.op == OpClass::Load && s.imm == 23; }), 1u);
  EXPECT_EQ(count_slots(image,
                        [](auto& s) {
                          return s.op == OpClass::Load &&
                                 s.load_mode == firmware::LoadMode::BaseIndex;
                        }),
            1u);
  EXPECT_EQ(count_slots(image, [](auto& s) { return is_alu(s, AluFunc::Add); }), 0u);
  expect_same_as_interpreter(object, {frame_of(64), frame_of(300, 0x20)});
}

TEST(FusionPass, InPlaceAddFoldsIntoUsesWhenTheSumDies) {
  // The decided branch between the add and its use goes first; the straight line it leaves
  // is one block for the fold.
  const auto object = object_from_asm(R"(
      r1 += 4
      r5 = 1
      if r5 == 2 goto out
      r0 = *(u32 *)(r1 + 0)
      r2 = *(u8 *)(r1 + 2)
      r0 += r2
    out:
      exit)",
                                      ebpf::ProgramType::Unspec);
  const auto add = [](const Slot& s) { return is_alu(s, AluFunc::Add) && s.b == OperandB::Imm; };
  const auto image = compile_object(object).image;
  EXPECT_EQ(count_slots(image, add), 0u);
  EXPECT_EQ(count_slots(image, [](auto& s) { return s.op == OpClass::Load && s.imm == 6; }), 1u);
  EXPECT_EQ(count_slots(compile_object(object, only_without(Pass::Fusion)).image, add), 1u);
  EXPECT_EQ(run_raw_on_model(object, frame_of(16, 0)), 0x07060504u + 6);
  EXPECT_EQ(run_raw_on_model(object, frame_of(16, 0), only_without(Pass::Fusion)), 0x07060504u + 6);
}

TEST(FusionPass, InPlaceAddStaysWhileTheSumLives) {
  const auto object =
      object_from_asm("r1 += 4\nr0 = *(u32 *)(r1 + 0)\nr0 += r1\nexit", ebpf::ProgramType::Unspec);
  EXPECT_EQ(count_slots(compile_object(object).image,
                        [](auto& s) { return is_alu(s, AluFunc::Add) && s.b == OperandB::Imm; }),
            1u);
}

TEST(FusionPass, ShiftPairsBecomeExtensions) {
  const auto object = object_from_asm("r0 = *(u64 *)(r1 + 0)\nr0 <<= 32\nr0 s>>= 32\nexit",
                                      ebpf::ProgramType::Unspec);
  const auto image = compile_object(object).image;
  EXPECT_EQ(count_slots(image, [](auto& s) { return is_alu(s, AluFunc::Lsh); }), 0u);
  EXPECT_EQ(count_slots(image,
                        [](auto& s) {
                          return is_alu(s, AluFunc::Ext) &&
                                 s.imm == static_cast<int>(firmware::ExtKind::Sext32);
                        }),
            1u);
  const std::vector<uint8_t> memory = {0x00, 0x00, 0x00, 0x80, 0x12, 0x34, 0x56, 0x78};
  EXPECT_EQ(run_raw_on_model(object, memory), 0xffffffff80000000ull);
  EXPECT_EQ(run_raw_on_model(object, memory, only_without(Pass::Fusion)), 0xffffffff80000000ull);
}

TEST(FusionPass, PacketLength) {
  const auto object = object_from_asm(
      "r2 = *(u32 *)(r1 + 4)\nr3 = *(u32 *)(r1 + 0)\nr2 -= r3\nr0 = r2\nr0 &= 3\nexit");
  const auto image = compile_object(object).image;
  EXPECT_EQ(count_slots(image,
                        [](auto& s) {
                          return s.op == OpClass::Movs &&
                                 s.imm == static_cast<int>(firmware::SpecialReg::PktLen);
                        }),
            1u);
  expect_same_as_interpreter(object, kFrames);
}

// --- access merging ---

TEST(AccessMergePass, ByteAssembledLoadBecomesOneLoad) {
  const auto object = object_from_asm(R"(
      r2 = *(u32 *)(r1 + 0)
      r3 = *(u8 *)(r2 + 12)
      r4 = *(u8 *)(r2 + 13)
      r4 <<= 8
      r4 |= r3
      r0 = r4
      r0 &= 3
      exit)");
  const auto image = compile_object(object).image;
  EXPECT_EQ(count_slots(image, [](auto& s) { return s.op == OpClass::Load && s.size == 2; }), 1u);
  EXPECT_EQ(count_slots(image, [](auto& s) { return s.op == OpClass::Load && s.size == 1; }), 0u);
  EXPECT_EQ(count_slots(compile_object(object, only_without(Pass::AccessMerge)).image,
                        [](auto& s) { return s.op == OpClass::Load && s.size == 1; }),
            2u);
  expect_same_as_interpreter(object, {frame_of(14), frame_of(13), frame_of(64)});
}

TEST(AccessMergePass, AdjacentConstantStores) {
  const auto object = object_from_asm(
      "*(u32 *)(r10 - 8) = 0x01020304\n*(u32 *)(r10 - 4) = 0x05060708\nr0 = *(u64 *)(r10 - "
      "8)\nexit",
      ebpf::ProgramType::Unspec);
  const auto image = compile_object(object).image;
  EXPECT_EQ(count_slots(image, [](auto& s) { return s.op == OpClass::Store; }), 1u);
  EXPECT_EQ(count_slots(image, [](auto& s) { return s.op == OpClass::Store && s.size == 8; }), 1u);
  EXPECT_EQ(run_raw_on_model(object, {}), 0x0506070801020304ull);
}

TEST(AccessMergePass, CopiesMergeIntoWideLoadsAndStores) {
  // Swap the two MAC addresses, 2 bytes at a time (as xdp_tx does).
  const auto object = object_from_asm(R"(
      r2 = *(u32 *)(r1 + 4)
      r1 = *(u32 *)(r1 + 0)
      r3 = r1
      r3 += 14
      if r3 > r2 goto drop
      r2 = *(u16 *)(r1 + 0)
      r3 = *(u16 *)(r1 + 6)
      *(u16 *)(r1 + 0) = r3
      r3 = *(u16 *)(r1 + 8)
      r4 = *(u16 *)(r1 + 2)
      *(u16 *)(r1 + 8) = r4
      *(u16 *)(r1 + 2) = r3
      r3 = *(u16 *)(r1 + 10)
      r4 = *(u16 *)(r1 + 4)
      *(u16 *)(r1 + 10) = r4
      *(u16 *)(r1 + 6) = r2
      *(u16 *)(r1 + 4) = r3
      r0 = 3
      exit
    drop:
      r0 = 1
      exit)");
  const auto image = compile_object(object).image;
  EXPECT_EQ(count_slots(image, [](auto& s) { return s.op == OpClass::Store && s.size == 6; }), 2u);
  EXPECT_EQ(count_slots(image, [](auto& s) { return s.op == OpClass::Store && s.size == 2; }), 0u);
  expect_same_as_interpreter(object, kFrames);
}

TEST(AccessMergePass, StackStoresForwardToLoads) {
  // r3 and an immediate go through the stack and come back; a store to the packet in between
  // cannot touch the stack.
  const auto object = object_from_asm(R"(
      r3 = *(u32 *)(r1 + 0)
      *(u32 *)(r10 - 4) = r3
      *(u16 *)(r10 - 8) = -2
      r4 = *(u32 *)(r1 + 4)
      r4 += 1
      *(u32 *)(r1 + 8) = r4
      r0 = *(u32 *)(r10 - 4)
      r5 = *(u16 *)(r10 - 8)
      r0 += r5
      exit)",
                                      ebpf::ProgramType::Unspec);
  const auto stack_load = [](const Slot& s) {
    return s.op == OpClass::Load && s.ra == firmware::kFrameRegister;
  };
  const auto stack_store = [](const Slot& s) {
    return s.op == OpClass::Store && s.ra == firmware::kFrameRegister;
  };
  const auto with = compile_object(object).image;
  EXPECT_EQ(count_slots(with, stack_load), 0u);
  EXPECT_EQ(count_slots(with, stack_store), 0u) << "nothing reads them before the exit";
  const auto without = compile_object(object, only_without(Pass::AccessMerge)).image;
  EXPECT_EQ(count_slots(without, stack_load), 2u);
  const uint64_t expected = 0x03020100u + 0xfffeu;
  EXPECT_EQ(run_raw_on_model(object, frame_of(16, 0)), expected);
  EXPECT_EQ(run_raw_on_model(object, frame_of(16, 0), only_without(Pass::AccessMerge)), expected);
}

TEST(AccessMergePass, NoForwardingPastAStoreThatMayHitTheStack) {
  // r2 is a pointer loaded from memory: it may point anywhere, the stack included. A helper
  // call may write the stack too.
  const auto object = object_from_asm(R"(
      r2 = *(u64 *)(r1 + 0)
      *(u32 *)(r10 - 4) = 5
      *(u32 *)(r2 + 0) = 7
      r6 = *(u32 *)(r10 - 4)
      *(u32 *)(r10 - 8) = 6
      call 7
      r3 = *(u32 *)(r10 - 8)
      r0 += r3
      r0 += r6
      exit)",
                                      ebpf::ProgramType::Unspec);
  EXPECT_EQ(count_slots(
                compile_object(object).image,
                [](auto& s) { return s.op == OpClass::Load && s.ra == firmware::kFrameRegister; }),
            2u);
}

TEST(AccessMergePass, ReadModifyWriteBecomesAtomic) {
  const auto object = object_from_asm(R"(
      r1 = map[id:0]
      r2 = r10
      r2 += -4
      *(u32 *)(r10 - 4) = 0
      call 1
      if r0 == 0 goto out
      r1 = *(u64 *)(r0 + 0)
      r1 += 5
      *(u64 *)(r0 + 0) = r1
    out:
      r0 = 2
      exit)",
                                      ebpf::ProgramType::Xdp, {array_map("counters", 8, 1)});
  const auto image = compile_object(object).image;
  EXPECT_EQ(count_slots(image, [](auto& s) { return s.op == OpClass::Atomic; }), 1u);
  EXPECT_EQ(count_slots(image, [](auto& s) { return s.op == OpClass::Load; }), 0u);
  ebpf::Runtime runtime(object);
  model::ModelEngine model(image, runtime);
  for (int i = 0; i < 3; ++i) {
    ebpf::XdpFrame frame(frame_of(64));
    EXPECT_EQ(model.run_xdp(frame).return_value, 2u);
  }
  uint64_t value = 0;
  const uint32_t key = 0;
  ASSERT_EQ(runtime.map(0).host_lookup(&key, &value), 0);
  EXPECT_EQ(value, 15u);
}

// --- zeroing ---

TEST(ZeroingPass, ZeroStoresToAFreshStackGo) {
  const auto object =
      object_from_asm("*(u64 *)(r10 - 8) = 0\n*(u32 *)(r10 - 16) = 0\nr0 = *(u64 *)(r10 - 8)\nexit",
                      ebpf::ProgramType::Unspec);
  EXPECT_EQ(
      count_slots(compile_object(object).image, [](auto& s) { return s.op == OpClass::Store; }),
      0u);
  EXPECT_EQ(count_slots(compile_object(object, without_forwarding(Pass::Zeroing)).image,
                        [](auto& s) { return s.op == OpClass::Store; }),
            2u);
  EXPECT_EQ(run_raw_on_model(object, {}), 0u);
}

TEST(ZeroingPass, KeepsZeroStoresOverWrittenBytes) {
  const auto object =
      object_from_asm("*(u64 *)(r10 - 8) = 7\n*(u16 *)(r10 - 6) = 0\nr0 = *(u64 *)(r10 - 8)\nexit",
                      ebpf::ProgramType::Unspec);
  EXPECT_EQ(run_raw_on_model(object, {}), 7u);
  // Through a pointer the compiler cannot place, any stack byte may have been written.
  const auto unknown = object_from_asm(
      "r3 = r10\nr3 += r2\n*(u8 *)(r3 - 1) = 9\n*(u8 *)(r10 - 4) = 0\nr0 = *(u32 *)(r10 - 4)\nexit",
      ebpf::ProgramType::Unspec);
  EXPECT_EQ(
      count_slots(compile_object(unknown).image, [](auto& s) { return s.op == OpClass::Store; }),
      2u);
  // r2 = 0: the byte written is r10 - 1, the top byte of the u32 at r10 - 4
  EXPECT_EQ(run_raw_on_model(unknown, {}), 0x09000000u);
}

TEST(ZeroingPass, RedundantZeroExtensions) {
  const auto object = object_from_asm(R"(
      r2 = *(u32 *)(r1 + 0)
      r3 = *(u16 *)(r2 + 12)
      r3 &= 0xffff
      w3 = w3
      r0 = r3
      r0 &= 3
      exit)");
  const auto image = compile_object(object).image;
  EXPECT_EQ(count_slots(image, [](auto& s) { return is_alu(s, AluFunc::And) && s.imm == 0xffff; }),
            0u);
  EXPECT_EQ(count_slots(image, [](auto& s) { return is_alu(s, AluFunc::Mov) && s.w32; }), 0u);
  expect_same_as_interpreter(object, {frame_of(64)});
}

// --- exit folding ---

TEST(ExitFoldPass, ExitsNameTheirAction) {
  const auto object = object_from_asm("r0 = 2\nexit");
  const auto slots = slots_of(compile_object(object).image);
  ASSERT_EQ(slots.size(), 1u);
  EXPECT_EQ(slots[0], firmware::make_exit_imm(2));
  const auto unfolded = slots_of(compile_object(object, only_without(Pass::ExitFold)).image);
  EXPECT_EQ(unfolded.back(), firmware::make_exit_reg(0));
}

TEST(ExitFoldPass, BranchesToExitBlocksUseExitVectors) {
  const auto object = object_from_asm("if r2 == 0 goto out\nr0 = 3\nexit\nout:\nr0 = 1\nexit",
                                      ebpf::ProgramType::Unspec);
  const auto image = compile_object(object).image;
  EXPECT_EQ(count_slots(image,
                        [](auto& s) {
                          return conditional(s) && s.targets_exit_vector() &&
                                 s.target() == firmware::kExitVectorBase + 1;
                        }),
            1u);
  EXPECT_EQ(run_raw_on_model(object, {}), 1u);
  EXPECT_EQ(run_raw_on_model(object, {1, 2}), 3u);
}

TEST(ExitFoldPass, BranchesToARegisterExitWithAKnownCodeUseExitVectors) {
  // "Set the return code, goto out": each branch to `out` knows r0 there.
  const auto object = object_from_asm(R"(
      r2 = *(u32 *)(r1 + 4)
      r1 = *(u32 *)(r1 + 0)
      r0 = 1
      r3 = r1
      r3 += 14
      if r3 > r2 goto out
      r0 = 2
      r4 = *(u8 *)(r1 + 0)
      if r4 == 7 goto out
      r0 = 3
    out:
      exit)");
  const auto vector_branches = [](const Slot& s) {
    return conditional(s) && s.targets_exit_vector();
  };
  EXPECT_EQ(count_slots(compile_object(object).image, vector_branches), 2u);
  EXPECT_EQ(
      count_slots(compile_object(object, only_without(Pass::ExitFold)).image, vector_branches), 0u);
  std::vector<uint8_t> seven = frame_of(20);
  seven[0] = 7;
  expect_same_as_interpreter(object, {frame_of(10), frame_of(20), seven});
}

TEST(ExitFoldPass, ExitThroughAnyRegister) {
  const auto object = object_from_asm("r6 = r2\nr6 += 1\nr0 = r6\nexit", ebpf::ProgramType::Unspec);
  const auto slots = slots_of(compile_object(object).image);
  EXPECT_EQ(slots.back().op, OpClass::ExitReg);
  EXPECT_NE(slots.back().ra, 0);
  EXPECT_EQ(run_raw_on_model(object, std::vector<uint8_t>(4)), 5u);
}

}  // namespace
}  // namespace nicsim::jit::nic::test
