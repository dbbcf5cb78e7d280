// The verifier's rules on small programs, with the kernel's messages (kernel/bpf/verifier.c
// wording) as the expected refusals.

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "verifier/test/verify_util.h"

namespace nicsim::verifier {
namespace {

using ebpf::MapType;
using ebpf::ProgramType;
using testing::array_map;
using ::testing::HasSubstr;
using testing::map_of;
using ::testing::StartsWith;
using testing::verdict;
using testing::verify_source;

TEST(Registers, MinimalProgramIsAccepted) {
  EXPECT_EQ(verdict(verify_source("r0 = 0\nexit")), "");
}

TEST(Registers, ExitWithoutReturnValue) {
  EXPECT_EQ(verdict(verify_source("exit")), "insn 0: R0 !read_ok");
}

TEST(Registers, ReadingAnUninitialisedRegister) {
  EXPECT_EQ(verdict(verify_source("r0 = r2\nexit")), "insn 0: R2 !read_ok");
}

TEST(Registers, FramePointerIsReadOnly) {
  EXPECT_EQ(verdict(verify_source("r10 = 0\nr0 = 0\nexit")), "insn 0: frame pointer is read only");
}

TEST(Registers, ReturningAPointerLeaksIt) {
  EXPECT_EQ(verdict(verify_source("r0 = r1\nexit")), "insn 1: R0 leaks addr as return value");
}

VerifierOptions kernel_sanity() {
  VerifierOptions options;
  options.kernel_sanity_checks = true;
  return options;
}

TEST(Alu, DivisionByZeroImmediateFollowsTheIsaUnlessKernelChecksAreAsked) {
  // RFC 9669: x / 0 == 0 and x % 0 == x. The kernel refuses the immediate form.
  const auto r = verify_source("r0 = 7\nr0 /= 0\nexit");
  ASSERT_EQ(verdict(r), "");
  EXPECT_EQ(r.facts.at(2).constants[0], 0U);
  const auto m = verify_source("r0 = 7\nr0 %= 0\nexit");
  ASSERT_EQ(verdict(m), "");
  EXPECT_EQ(m.facts.at(2).constants[0], 7U);
  EXPECT_EQ(verdict(verify_source("r0 = 1\nr0 /= 0\nexit", ProgramType::Xdp, {}, kernel_sanity())),
            "insn 1: div by zero");
}

TEST(Alu, DivisionByARegisterThatMayBeZeroFollowsTheIsa) {
  // RFC 9669: x / 0 == 0. The kernel accepts it too.
  EXPECT_EQ(verdict(verify_source("r0 = *(u32 *)(r1 + 12)\nr2 = *(u32 *)(r1 + 16)\n"
                                  "r0 /= r2\nr0 %= r2\nexit")),
            "");
}

TEST(Alu, ShiftBeyondTheWidthIsMaskedUnlessKernelChecksAreAsked) {
  // RFC 9669 masks the shift amount: 1 << 65 is 1 << 1 in 64 bits, 1 << 33 is 1 << 1 in 32.
  const auto r = verify_source("r0 = 1\nr0 <<= 65\nw1 = 1\nw1 <<= 33\nexit");
  ASSERT_EQ(verdict(r), "");
  EXPECT_EQ(r.facts.at(4).constants[0], 2U);
  EXPECT_EQ(r.facts.at(4).constants[1], 2U);
  EXPECT_EQ(
      verdict(verify_source("r0 = 1\nr0 <<= 64\nexit", ProgramType::Xdp, {}, kernel_sanity())),
      "insn 1: invalid shift 64");
  EXPECT_EQ(
      verdict(verify_source("w0 = 1\nw0 <<= 32\nexit", ProgramType::Xdp, {}, kernel_sanity())),
      "insn 1: invalid shift 32");
}

TEST(Alu, BitwiseOperationOnAPointer) {
  EXPECT_EQ(verdict(verify_source("r1 &= 255\nr0 = 0\nexit")),
            "insn 0: R1 bitwise operator &= on pointer prohibited");
}

TEST(Alu, ThirtyTwoBitPointerArithmetic) {
  EXPECT_EQ(verdict(verify_source("w1 += 4\nr0 = 0\nexit")),
            "insn 0: R1 32-bit pointer arithmetic prohibited");
}

TEST(Alu, PartialCopyOfAPointer) {
  EXPECT_EQ(verdict(verify_source("w2 = w1\nr0 = 0\nexit")), "insn 0: R1 partial copy of pointer");
}

TEST(Alu, SubtractingFromTheStackPointer) {
  // Harmless (the access is checked where it happens); the kernel refuses it anyway.
  EXPECT_EQ(verdict(verify_source("r2 = r10\nr2 -= 8\nr3 = 0\n*(u64 *)(r2 + 0) = r3\n"
                                  "r0 = 0\nexit")),
            "");
  EXPECT_EQ(verdict(verify_source("r2 = r10\nr2 -= 8\nr0 = 0\nexit", ProgramType::Xdp, {},
                                  kernel_sanity())),
            "insn 1: R2 subtraction from stack pointer prohibited");
}

TEST(Context, ModifiedContextPointerCannotBeDereferenced) {
  EXPECT_EQ(verdict(verify_source("r1 += 8\nr0 = *(u32 *)(r1 + 0)\nexit")),
            "insn 1: dereference of modified ctx ptr R1 off=8 disallowed");
}

TEST(Context, XdpFieldsAreCheckedBySizeAndOffset) {
  EXPECT_EQ(verdict(verify_source("r0 = *(u32 *)(r1 + 12)\nexit")), "");
  EXPECT_EQ(verdict(verify_source("r0 = *(u16 *)(r1 + 12)\nexit")),
            "insn 0: invalid bpf_context access off=12 size=2");
  // egress_ifindex is only for devmap programs.
  EXPECT_EQ(verdict(verify_source("r0 = *(u32 *)(r1 + 20)\nexit")),
            "insn 0: invalid bpf_context access off=20 size=4");
  EXPECT_EQ(verdict(verify_source("r0 = 0\n*(u32 *)(r1 + 12) = r0\nexit")),
            "insn 1: invalid bpf_context access off=12 size=4");
}

TEST(Context, SocketFiltersCannotReadPacketPointers) {
  EXPECT_EQ(verdict(verify_source("r0 = *(u32 *)(r1 + 76)\nexit", ProgramType::SocketFilter)),
            "insn 0: invalid bpf_context access off=76 size=4");
  EXPECT_EQ(verdict(verify_source("r0 = *(u32 *)(r1 + 0)\nexit", ProgramType::SocketFilter)), "");
}

TEST(Stack, ReadingUninitialisedStack) {
  EXPECT_EQ(verdict(verify_source("r0 = *(u64 *)(r10 - 8)\nexit")),
            "insn 0: invalid read from stack off -8+0 size 8");
  EXPECT_EQ(verdict(verify_source("r2 = 1\n*(u32 *)(r10 - 8) = r2\nr0 = *(u64 *)(r10 - 8)\nexit")),
            "insn 2: invalid read from stack off -8+4 size 8");
}

TEST(Stack, SpillAndFillKeepTheRegister) {
  // The context pointer survives a spill: loading a field through the filled copy works.
  EXPECT_EQ(verdict(verify_source("*(u64 *)(r10 - 8) = r1\nr2 = *(u64 *)(r10 - 8)\n"
                                  "r0 = *(u32 *)(r2 + 12)\nexit")),
            "");
  // A scalar's bounds survive too: 7 & 3 spilled and filled is still below 4.
  EXPECT_EQ(verdict(verify_source("r2 = *(u32 *)(r1 + 12)\nr2 &= 3\n*(u64 *)(r10 - 16) = r2\n"
                                  "r3 = *(u64 *)(r10 - 16)\nr4 = r10\nr4 += -8\nr4 += r3\n"
                                  "r5 = 0\n*(u8 *)(r4 + 0) = r5\nr0 = 0\nexit")),
            "");
}

TEST(Stack, OutOfBoundsAndMisaligned) {
  EXPECT_EQ(verdict(verify_source("r2 = 1\n*(u64 *)(r10 - 520) = r2\nr0 = 0\nexit")),
            "insn 1: invalid write to stack R10 off=-520 size=8");
  EXPECT_EQ(verdict(verify_source("r2 = 1\n*(u64 *)(r10 + 0) = r2\nr0 = 0\nexit")),
            "insn 1: invalid write to stack R10 off=0 size=8");
  // A misaligned access is plain data; the kernel (and every atomic) requires alignment.
  EXPECT_EQ(verdict(verify_source("r2 = 1\n*(u32 *)(r10 - 6) = r2\nr0 = *(u16 *)(r10 - 6)\nexit")),
            "");
  EXPECT_EQ(verdict(verify_source("r2 = 1\n*(u32 *)(r10 - 6) = r2\nr0 = 0\nexit", ProgramType::Xdp,
                                  {}, kernel_sanity())),
            "insn 1: misaligned stack access off 0+0+-6 size 4");
  EXPECT_EQ(verdict(verify_source("r2 = 1\n*(u64 *)(r10 - 16) = r2\n*(u64 *)(r10 - 8) = r2\n"
                                  "lock *(u64 *)(r10 - 12) += r2\nr0 = 0\nexit")),
            "insn 3: misaligned stack access off 0+0+-12 size 8");
}

// Found by the differential fuzzer: an unaligned access across two slots must update (and
// read) both of them; the spill a store overwrites in part is no longer a known constant.
TEST(Stack, UnalignedAccessesAcrossTwoSlots) {
  const auto r = verify_source(
      "r2 = 5\n*(u64 *)(r10 - 8) = r2\n*(u64 *)(r10 - 16) = r2\nr3 = 0x11111111\n"
      "*(u64 *)(r10 - 12) = r3\nr0 = *(u64 *)(r10 - 8)\nexit");
  ASSERT_EQ(verdict(r), "");
  EXPECT_FALSE(r.facts.at(6).constants[0].has_value());
  EXPECT_EQ(verdict(verify_source("r2 = 1\n*(u64 *)(r10 - 16) = r2\n"
                                  "r0 = *(u64 *)(r10 - 12)\nexit")),
            "insn 2: invalid read from stack off -12+4 size 8");
  EXPECT_EQ(verdict(verify_source("r2 = 1\n*(u64 *)(r10 - 16) = r2\n*(u64 *)(r10 - 8) = r2\n"
                                  "r0 = *(u64 *)(r10 - 12)\nexit")),
            "");
  EXPECT_EQ(verdict(verify_source("*(u64 *)(r10 - 12) = r1\nr0 = 0\nexit")),
            "insn 0: misaligned stack access off 0+0+-12 size 8");
}

TEST(Stack, PointersSpillOnlyWhole) {
  EXPECT_EQ(verdict(verify_source("*(u32 *)(r10 - 8) = r1\nr0 = 0\nexit")),
            "insn 0: invalid size of register spill");
  EXPECT_EQ(verdict(verify_source("*(u64 *)(r10 - 8) = r1\nr0 = *(u32 *)(r10 - 8)\nexit")),
            "insn 1: invalid size of register fill");
}

constexpr std::string_view kPacketPrologue =
    "r2 = *(u32 *)(r1 + 0)\n"
    "r3 = *(u32 *)(r1 + 4)\n"
    "r4 = r2\n"
    "r4 += 14\n";

TEST(Packet, AccessWithoutABoundsCheck) {
  const auto r = verify_source("r2 = *(u32 *)(r1 + 0)\nr0 = *(u8 *)(r2 + 0)\nexit");
  EXPECT_THAT(verdict(r), StartsWith("insn 1: invalid access to packet, off=0 size=1, "
                                     "R2(id=0,off=0,r=0)"));
}

TEST(Packet, BoundsCheckAgainstDataEndProvesTheRange) {
  const auto r = verify_source(testing::join(kPacketPrologue,
                                             "if r4 > r3 goto drop\n"
                                             "r0 = *(u16 *)(r2 + 12)\n"
                                             "exit\n"
                                             "drop:\n"
                                             "r0 = 1\n"
                                             "exit"));
  ASSERT_EQ(verdict(r), "");
  // The load at 5 is in bounds thanks to the comparison at 4.
  EXPECT_TRUE(r.facts.at(5).packet.only_packet);
  EXPECT_EQ(r.facts.at(5).packet.bounds_checks, std::vector<int32_t>{4});
}

TEST(Packet, AccessJustBeyondTheCheckedRange) {
  const auto r = verify_source(testing::join(kPacketPrologue,
                                             "if r4 > r3 goto drop\n"
                                             "r0 = *(u16 *)(r2 + 13)\n"
                                             "exit\n"
                                             "drop:\n"
                                             "r0 = 1\n"
                                             "exit"));
  EXPECT_THAT(verdict(r), StartsWith("insn 5: invalid access to packet, off=13 size=2, "
                                     "R2(id=0,off=13,r=14)"));
}

TEST(Packet, StrictComparisonGivesOneMoreByte) {
  // r4 < end means r4 + 1 <= end: bytes [0, 15) are readable.
  const auto r = verify_source(testing::join(kPacketPrologue,
                                             "if r4 < r3 goto ok\n"
                                             "r0 = 1\n"
                                             "exit\n"
                                             "ok:\n"
                                             "r0 = *(u8 *)(r2 + 14)\n"
                                             "exit"));
  EXPECT_EQ(verdict(r), "");
}

TEST(Packet, UnboundedOffsetMath) {
  EXPECT_EQ(verdict(verify_source("r2 = *(u32 *)(r1 + 0)\nr5 = *(u64 *)(r1 + 0)\n"
                                  "r0 = 0\nexit")),
            "insn 1: invalid bpf_context access off=0 size=8");
  EXPECT_THAT(verdict(verify_source("r6 = r1\ncall 7\nr2 = *(u32 *)(r6 + 0)\nr0 <<= 32\n"
                                    "r2 += r0\nr0 = 0\nexit")),
              HasSubstr("unbounded min value is not allowed"));
}

TEST(Packet, HelperThatMovesThePacketInvalidatesPointers) {
  const auto r = verify_source(testing::join(kPacketPrologue,
                                             "if r4 > r3 goto drop\n"
                                             "r6 = r2\n"
                                             "r2 = 0\n"
                                             "call 44\n"  // bpf_xdp_adjust_head
                                             "r0 = *(u8 *)(r6 + 0)\n"
                                             "exit\n"
                                             "drop:\n"
                                             "r0 = 1\n"
                                             "exit"));
  EXPECT_THAT(verdict(r), StartsWith("insn 8: R6 invalid mem access 'scalar'"));
  EXPECT_THAT(verdict(r), HasSubstr("invalidated by the helper call at insn 7"));
}

TEST(Maps, LookupResultMustBeNullChecked) {
  const auto r = verify_source(
      "r6 = 1\n*(u32 *)(r10 - 4) = r6\nr2 = r10\nr2 += -4\nr1 = map_fd 0\ncall 1\n"
      "*(u32 *)(r0 + 0) = r6\nr0 = 0\nexit",
      ProgramType::Xdp, {map_of(MapType::Hash, "m", 4, 4)});
  EXPECT_EQ(verdict(r), "insn 7: R0 invalid mem access 'map_value_or_null'");
}

TEST(Maps, NullCheckedValueWithinItsSize) {
  const std::string prefix =
      "r6 = 1\n*(u32 *)(r10 - 4) = r6\nr2 = r10\nr2 += -4\nr1 = map_fd 0\ncall 1\n"
      "if r0 == 0 goto out\n";
  const std::vector maps = {array_map("values", 4)};
  EXPECT_EQ(verdict(verify_source(testing::join(prefix, "r0 = *(u32 *)(r0 + 0)\nout:\nexit"),
                                  ProgramType::Xdp, maps)),
            "");
  EXPECT_EQ(verdict(verify_source(testing::join(prefix, "r0 = *(u64 *)(r0 + 0)\nout:\nexit"),
                                  ProgramType::Xdp, maps)),
            "insn 8: invalid access to map value, value_size=4 off=0 size=8");
  EXPECT_EQ(
      verdict(verify_source(testing::join(prefix, "*(u64 *)(r0 + 0) = r10\nr0 = 0\nout:\nexit"),
                            ProgramType::Xdp, maps)),
      "insn 8: R10 leaks addr into map");
}

TEST(Maps, HelperArgumentsFollowThePrototype) {
  const std::vector maps = {array_map("values", 8)};
  // The key on the stack must be initialised.
  EXPECT_EQ(verdict(verify_source("r2 = r10\nr2 += -4\nr1 = map_fd 0\ncall 1\nr0 = 0\nexit",
                                  ProgramType::Xdp, maps)),
            "insn 4: invalid indirect read from stack R2 off -4+0 size 4");
  // A tail call needs a program array.
  EXPECT_EQ(verdict(verify_source("r2 = map_fd 0\nr3 = 0\ncall 12\nr0 = 0\nexit", ProgramType::Xdp,
                                  maps)),
            "insn 3: cannot pass map_type 2 into func bpf_tail_call#12");
  // The helper must be available to the program type.
  EXPECT_EQ(verdict(verify_source("r1 = r10\nr1 += -16\nr2 = 16\ncall 16\nr0 = 0\nexit")),
            "insn 3: program of this type cannot use helper bpf_get_current_comm#16");
  // A buffer too small for the size argument.
  EXPECT_EQ(verdict(verify_source("r1 = r10\nr1 += -1\nr2 = 20\ncall 16\nr0 = 0\nexit",
                                  ProgramType::Kprobe)),
            "insn 3: invalid indirect access to stack R1 off=-1 size=20");
}

TEST(Maps, FibLookupReadsAndWritesItsParameters) {
  // fib_lookup reads the parameters and writes its answer into them (ARG_PTR_TO_MEM | MEM_WRITE in
  // Linux): they must be initialized, and a read-only map value cannot hold them.
  const std::string in_map_value =
      "r6 = r1\nr7 = 0\n*(u32 *)(r10 - 4) = r7\nr2 = r10\nr2 += -4\nr1 = map_fd 0\ncall 1\n"
      "if r0 == 0 goto +5\nr2 = r0\nr1 = r6\nr3 = 64\nr4 = 0\ncall 69\nr0 = 0\nexit";
  ebpf::MapDefinition params = array_map("params", 64);
  EXPECT_EQ(verdict(verify_source(in_map_value, ProgramType::Xdp, {params})), "");
  params.origin = ebpf::MapOrigin::Rodata;
  EXPECT_EQ(verdict(verify_source(in_map_value, ProgramType::Xdp, {params})),
            "insn 13: write into map forbidden, value_size=64 off=0 size=64");
  params.origin = ebpf::MapOrigin::Declared;
  params.flags = ebpf::kMapFlagReadOnlyProg;
  EXPECT_EQ(verdict(verify_source(in_map_value, ProgramType::Xdp, {params})),
            "insn 13: write into map forbidden, value_size=64 off=0 size=64");
  EXPECT_EQ(verdict(verify_source("r2 = r10\nr2 += -64\nr3 = 64\nr4 = 0\ncall 69\nr0 = 0\nexit")),
            "insn 4: invalid indirect read from stack R2 off -64+0 size 64");
}

TEST(References, RingbufRecordsMustBeReleased) {
  const std::vector maps = {map_of(MapType::Ringbuf, "events", 0, 0, 4096)};
  const std::string reserve = "r1 = map_fd 0\nr2 = 8\nr3 = 0\ncall 131\n";
  EXPECT_THAT(
      verdict(verify_source(testing::join(reserve, "r0 = 0\nexit"), ProgramType::Kprobe, maps)),
      StartsWith("insn 6: Unreleased reference id="));
  EXPECT_EQ(verdict(verify_source(testing::join(reserve,
                                                "if r0 == 0 goto out\n"
                                                "r1 = 7\n*(u64 *)(r0 + 0) = r1\n"
                                                "r1 = r0\nr2 = 0\ncall 132\n"
                                                "out:\nr0 = 0\nexit"),
                                  ProgramType::Kprobe, maps)),
            "");
}

TEST(ControlFlow, DeadCodeIsReportedOrRefusedOnRequest) {
  const auto relaxed = verify_source("r0 = 0\nexit\nr0 = 1\nexit");
  EXPECT_EQ(verdict(relaxed), "");
  EXPECT_EQ(relaxed.warnings,
            std::vector<std::string>({"unreachable insn 2", "unreachable insn 3"}));
  EXPECT_EQ(relaxed.facts.dead_instructions(), std::vector<int32_t>({2, 3}));
  VerifierOptions strict;
  strict.reject_unreachable = true;
  EXPECT_EQ(verdict(verify_source("r0 = 0\nexit\nr0 = 1\nexit", ProgramType::Xdp, {}, strict)),
            "insn 2: unreachable insn 2");
}

TEST(ControlFlow, StructuralFaults) {
  EXPECT_EQ(verdict(verify_source("r0 = 0")), "insn 0: last insn is not an exit or jmp");
  // A jump from a subprogram back into the main function.
  EXPECT_EQ(verdict(verify_source("main:\ncall f\nr0 = 0\nexit\nf:\nr0 = 1\ngoto main")),
            "insn 4: jump out of range from insn 4 to 0");
}

TEST(ControlFlow, BoundedLoopIsUnrolledByTheExploration) {
  const auto r =
      verify_source("r0 = 0\nr1 = 0\nloop:\nr0 += r1\nr1 += 1\nif r1 < 10 goto loop\nexit");
  ASSERT_EQ(verdict(r), "");
  ASSERT_EQ(r.facts.loops().size(), 1U);
  EXPECT_EQ(r.facts.loops()[0].head, 2);
  EXPECT_EQ(r.facts.loops()[0].back_edges, std::vector<int32_t>{4});
  EXPECT_EQ(r.facts.loops()[0].max_head_executions, 10U);
}

TEST(ControlFlow, LoopWithoutProgress) {
  EXPECT_EQ(verdict(verify_source("loop:\nr0 = 0\ngoto loop")),
            "insn 0: infinite loop detected at insn 0");
}

TEST(ControlFlow, ComplexityLimit) {
  EXPECT_THAT(verdict(verify_source("r1 = 0\nloop:\nr1 += 1\nif r1 < 2000000 goto loop\n"
                                    "r0 = 0\nexit")),
              HasSubstr("BPF program is too large. Processed 1000001 insn"));
}

TEST(Calls, CallStackDepth) {
  std::string source = "call f1\nr0 = 0\nexit\n";
  for (int f = 1; f <= 8; ++f) {
    source += fmt::format("f{}:\n", f);
    if (f < 8) source += fmt::format("call f{}\n", f + 1);
    source += "r0 = 0\nexit\n";
  }
  EXPECT_THAT(verdict(verify_source(source)), HasSubstr("the call stack of 9 frames is too deep"));
}

TEST(Calls, CalleeWritesThroughAPointerToTheCallersStack) {
  EXPECT_EQ(verdict(verify_source("r1 = r10\nr1 += -8\ncall set\nr0 = *(u64 *)(r10 - 8)\nexit\n"
                                  "set:\nr2 = 5\n*(u64 *)(r1 + 0) = r2\nr0 = 0\nexit")),
            "");
  EXPECT_EQ(verdict(verify_source("call f\nr0 = 0\nexit\nf:\nr0 = r10\nexit")),
            "insn 4: cannot return stack pointer to the caller");
}

}  // namespace
}  // namespace nicsim::verifier

namespace nicsim::verifier {
namespace {

using ebpf::MapType;
using ebpf::ProgramType;
using ::testing::HasSubstr;
using testing::map_of;
using testing::verdict;
using testing::verify_source;

TEST(ControlFlow, LoopsCanBeRefusedAsBackEdges) {
  VerifierOptions no_loops;
  no_loops.allow_loops = false;
  EXPECT_EQ(verdict(verify_source("r0 = 0\nr1 = 0\nloop:\nr1 += 1\nif r1 < 4 goto loop\nexit",
                                  ProgramType::Xdp, {}, no_loops)),
            "insn 3: back-edge from insn 3 to 2");
}

TEST(ControlFlow, JumpIntoTheMiddleOfLddw) {
  std::vector<ebpf::Instruction> insns = ebpf::assemble("r0 = 0\nr1 = 0x100000000 ll\nexit");
  insns.insert(insns.begin(), ebpf::make_insn(ebpf::kClassJmp | ebpf::kJmpJa, 0, 0, 2, 0));
  ebpf::ElfObject object = ebpf::make_single_program_object(insns, ProgramType::Xdp);
  const auto r = verify(object, object.programs.front());
  ASSERT_FALSE(r.accepted);
  EXPECT_EQ(r.error->insn, 0);
  EXPECT_THAT(r.error->message, HasSubstr("lddw"));
}

TEST(Maps, MapInMapLookupYieldsTheInnerMap) {
  auto outer = map_of(MapType::ArrayOfMaps, "outer", 4, 4);
  outer.inner_map_index = 1;
  const std::vector maps = {outer, map_of(MapType::Array, "inner", 4, 8)};
  const std::string lookup_outer =
      "r6 = 0\n*(u32 *)(r10 - 4) = r6\nr2 = r10\nr2 += -4\nr1 = map_fd 0\ncall 1\n"
      "if r0 == 0 goto out\n";
  EXPECT_EQ(verdict(verify_source(testing::join(lookup_outer,
                                                "r1 = r0\nr2 = r10\nr2 += -4\ncall 1\n"
                                                "if r0 == 0 goto out\nr0 = *(u64 *)(r0 + 0)\n"
                                                "out:\nr0 = 2\nexit"),
                                  ProgramType::Xdp, maps)),
            "");
  // The inner map pointer is not a value to read.
  EXPECT_EQ(verdict(verify_source(testing::join(lookup_outer,
                                                "r0 = *(u64 *)(r0 + 0)\n"
                                                "out:\nr0 = 2\nexit"),
                                  ProgramType::Xdp, maps)),
            "insn 8: R0 invalid mem access 'map_ptr'");
}

TEST(Calls, HelperArgumentTypes) {
  EXPECT_EQ(verdict(verify_source("r1 = 0\nr2 = 0\ncall 1\nr0 = 0\nexit")),
            "insn 2: R1 type=scalar expected=map_ptr");
  EXPECT_EQ(verdict(verify_source("call 99999\nr0 = 0\nexit")),
            "insn 0: invalid func unknown#99999");
}

TEST(Calls, IndirectCallsToAFunctionOrAHelper) {
  // callx through a function address (lddw src=4) or a helper id, as nicsim's engines run it.
  EXPECT_EQ(verdict(verify_source("r1 = func[f]\ncallx r1\nr0 = 2\nexit\nf:\nr0 = 1\nexit")), "");
  EXPECT_EQ(verdict(verify_source("r1 = 5\ncallx r1\nr0 = 2\nexit")), "");
  EXPECT_THAT(verdict(verify_source("r1 = *(u32 *)(r1 + 12)\ncallx r1\nr0 = 2\nexit")),
              HasSubstr("callx target R1 is neither a known function nor a known helper id"));
}

TEST(References, SocketsFromLookupsMustBeReleased) {
  const std::string lookup =
      "r6 = r1\nr2 = 0\n*(u64 *)(r10 - 8) = r2\n*(u64 *)(r10 - 16) = r2\n"
      "*(u64 *)(r10 - 24) = r2\n*(u64 *)(r10 - 32) = r2\n*(u64 *)(r10 - 40) = r2\n"
      "r2 = r10\nr2 += -40\nr3 = 36\nr4 = 0\nr5 = 0\ncall 84\n";
  EXPECT_THAT(verdict(verify_source(testing::join(lookup, "r0 = 2\nexit"))),
              HasSubstr("Unreleased reference"));
  EXPECT_EQ(verdict(verify_source(testing::join(lookup,
                                                "if r0 == 0 goto out\nr1 = r0\ncall 86\n"
                                                "out:\nr0 = 2\nexit"))),
            "");
  // The socket may be NULL until checked.
  EXPECT_EQ(verdict(verify_source(testing::join(lookup, "r1 = r0\ncall 86\nr0 = 2\nexit"))),
            "insn 14: R1 type=sock_or_null expected=sock_common, sock, tcp_sock");
}

TEST(ProgramTypes, ReturnValueRange) {
  // sock_ops programs return 0 or 1.
  EXPECT_EQ(verdict(verify_source("r0 = 1\nexit", ProgramType::SockOps)), "");
  EXPECT_EQ(verdict(verify_source("r0 = 2\nexit", ProgramType::SockOps)),
            "insn 1: At program exit the register R0 has smin=2 smax=2 should have been in [0, 1]");
}

TEST(ProgramTypes, LegacyPacketLoadsNeedTheSkbInR6) {
  EXPECT_EQ(verdict(verify_source("r6 = r1\nr0 = *(u8 *)skb[12]\nexit", ProgramType::SocketFilter)),
            "");
  EXPECT_EQ(verdict(verify_source("r0 = *(u8 *)skb[12]\nexit", ProgramType::SocketFilter)),
            "insn 0: R6 !read_ok");
  EXPECT_EQ(verdict(verify_source("r6 = r1\nr0 = *(u8 *)skb[12]\nexit", ProgramType::Xdp)),
            "insn 1: BPF_LD_[ABS|IND] instructions not allowed for this program type");
}

}  // namespace
}  // namespace nicsim::verifier
