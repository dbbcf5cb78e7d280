// The facts the verifier hands to the JITs, the state log, and VerifiedProgram.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "verifier/test/verify_util.h"

namespace nicsim::verifier {
namespace {

using ebpf::ProgramType;
using ::testing::Contains;
using ::testing::HasSubstr;
using testing::verdict;
using testing::verify_source;

TEST(Facts, ConstantsHoldOnEveryPath) {
  const auto r = verify_source(
      "r1 = 5\n"                  // 0
      "r2 = r1\n"                 // 1
      "r2 += 3\n"                 // 2
      "r3 = *(u32 *)(r1 + 12)\n"  // 3: ingress_ifindex, unknown (r1 is still ctx here)
      "exit",
      ProgramType::Xdp);
  ASSERT_THAT(verdict(r), HasSubstr("R1 invalid mem access 'scalar'"));
  const auto ok = verify_source(
      "r6 = *(u32 *)(r1 + 12)\n"  // 0
      "r1 = 5\n"                  // 1
      "r2 = r1\n"                 // 2
      "r2 += 3\n"                 // 3
      "r3 = 1\n"                  // 4
      "if r6 == 0 goto join\n"    // 5
      "r3 = 2\n"                  // 6
      "join:\n"
      "r0 = r2\n"  // 7
      "exit");     // 8
  ASSERT_EQ(verdict(ok), "");
  EXPECT_EQ(ok.facts.at(4).constants[1], 5U);
  EXPECT_EQ(ok.facts.at(4).constants[2], 8U);
  EXPECT_FALSE(ok.facts.at(4).constants[6].has_value());
  // r3 is 1 on one path and 2 on the other.
  EXPECT_FALSE(ok.facts.at(7).constants[3].has_value());
  EXPECT_EQ(ok.facts.at(8).constants[0], 8U);
  // Pointers are never constants: r10 is the frame pointer.
  EXPECT_FALSE(ok.facts.at(4).constants[10].has_value());
}

TEST(Facts, DecidedBranchesAndDeadCode) {
  const auto r = verify_source(
      "r1 = 7\n"              // 0
      "if r1 > 5 goto big\n"  // 1: always taken
      "r0 = 1\n"              // 2: dead
      "exit\n"                // 3: dead
      "big:\n"
      "r0 = 2\n"  // 4
      "exit");    // 5
  ASSERT_EQ(verdict(r), "");
  EXPECT_EQ(r.facts.at(1).branch_always_taken, true);
  EXPECT_EQ(r.facts.dead_instructions(), std::vector<int32_t>({2, 3}));
  EXPECT_FALSE(r.facts.at(4).branch_always_taken.has_value());
}

TEST(Facts, ZeroExtensionIsRedundantWhenTheUpperHalfIsNeverRead) {
  const auto r = verify_source(
      "w1 = 7\n"                  // 0: only its low half is used (stored as u32)
      "*(u32 *)(r10 - 4) = r1\n"  // 1
      "w2 = 9\n"                  // 2: used as a 64-bit value
      "r2 += 1\n"                 // 3
      "w3 = 1\n"                  // 4: overwritten before any read
      "r3 = 2\n"                  // 5
      "r0 = r2\n"                 // 6
      "r0 += r3\n"                // 7
      "exit");
  ASSERT_EQ(verdict(r), "");
  EXPECT_TRUE(r.facts.at(0).zero_extension_redundant);
  EXPECT_FALSE(r.facts.at(2).zero_extension_redundant);
  EXPECT_TRUE(r.facts.at(4).zero_extension_redundant);
  // Instructions writing all 64 bits are not candidates.
  EXPECT_FALSE(r.facts.at(5).zero_extension_redundant);
}

TEST(Facts, UpperHalfAlreadyZero) {
  const auto r = verify_source(
      "r1 = 5\n"   // 0
      "w1 += 1\n"  // 1: r1's upper half is zero before
      "r2 = -1\n"  // 2
      "w2 += 1\n"  // 3: r2's upper half is all ones before
      "r0 = 0\n"
      "exit");
  ASSERT_EQ(verdict(r), "");
  EXPECT_TRUE(r.facts.at(1).upper_half_zero_before);
  EXPECT_FALSE(r.facts.at(3).upper_half_zero_before);
}

TEST(Facts, StackDepthPerFunctionAndCombined) {
  const auto r = verify_source(
      "r1 = 1\n*(u64 *)(r10 - 40) = r1\ncall f\nr0 = 0\nexit\n"
      "f:\nr1 = 1\n*(u64 *)(r10 - 8) = r1\nr0 = 0\nexit");
  ASSERT_EQ(verdict(r), "");
  ASSERT_EQ(r.facts.functions().size(), 2U);
  EXPECT_EQ(r.facts.functions()[0].stack_depth, 40U);
  EXPECT_EQ(r.facts.functions()[1].stack_depth, 8U);
  // Frames round up to 32 bytes, as the kernel counts them: 64 + 32.
  EXPECT_EQ(r.facts.max_stack_depth(), 96U);
}

TEST(Facts, CombinedStackDepthLimit) {
  // Three frames of 256 bytes: 768 bytes along the call chain.
  const std::string frame = "r1 = 1\n*(u64 *)(r10 - 256) = r1\n";
  const auto r = verify_source(testing::join(frame, "call f\nr0 = 0\nexit\nf:\n", frame,
                                             "call g\nr0 = 0\nexit\ng:\n", frame, "r0 = 0\nexit"));
  EXPECT_THAT(verdict(r), HasSubstr("combined stack size"));
}

TEST(Log, KernelStyleStateLines) {
  VerifierOptions options;
  options.log_states = true;
  const auto r = verify_source(
      "r2 = *(u32 *)(r1 + 0)\n"
      "r3 = *(u32 *)(r1 + 4)\n"
      "r4 = r2\n"
      "r4 += 14\n"
      "if r4 > r3 goto out\n"
      "r0 = *(u8 *)(r2 + 12)\n"
      "out:\n"
      "r0 = 2\n"
      "exit",
      ProgramType::Xdp, {}, options);
  ASSERT_EQ(verdict(r), "");
  EXPECT_THAT(r.log, Contains("0: R1=ctx() R10=fp0"));
  EXPECT_THAT(r.log, Contains("0: (61) r2 = *(u32 *)(r1 + 0)"));
  // After the bounds check the packet pointers carry the proven range.
  EXPECT_THAT(r.log,
              Contains(HasSubstr("5: R1=ctx() R2=pkt(r=14) R3=pkt_end() R4=pkt(off=14,r=14)")));
  EXPECT_THAT(r.log, Contains(HasSubstr("from 4 to 6:")));
}

TEST(VerifiedProgramApi, OnlyAcceptedProgramsBecomeVerifiedPrograms) {
  const ebpf::ElfObject good = testing::object_of("r0 = 2\nexit", ProgramType::Xdp);
  const VerifiedProgram verified = verify_program(good, good.programs.front());
  EXPECT_EQ(verified.program().insns.size(), 2U);
  EXPECT_EQ(verified.program_type(), ProgramType::Xdp);
  EXPECT_EQ(verified.facts().size(), 2U);
  EXPECT_TRUE(verified.facts().at(1).reachable);

  const ebpf::ElfObject bad = testing::object_of("exit", ProgramType::Xdp);
  try {
    verify_program(bad, bad.programs.front());
    FAIL() << "a refused program must not become a VerifiedProgram";
  } catch (const VerificationFailed& e) {
    EXPECT_EQ(e.error().insn, 0);
    EXPECT_EQ(e.error().message, "R0 !read_ok");
    EXPECT_THAT(e.what(), HasSubstr("insn 0: R0 !read_ok"));
  }
}

}  // namespace
}  // namespace nicsim::verifier
