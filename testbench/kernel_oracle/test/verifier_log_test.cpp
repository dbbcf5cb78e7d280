// Reading the kernel verifier's log. The logs below are made of lines the kernel wrote (Linux
// 6.18, BPF_PROG_LOAD at the levels named), so the expected values are read off the text, not
// produced by the code under test.

#include "testbench/kernel_oracle/verifier_log.h"

#include <gtest/gtest.h>

namespace nicsim::kernel_oracle {
namespace {

// Level 1 | BPF_LOG_STATS, a packet read without a bounds check.
constexpr const char* kLevel1Rejection =
    "0: R1=ctx() R10=fp0\n"
    "0: (61) r2 = *(u32 *)(r1 +0)          ; R1=ctx() R2=pkt(r=0)\n"
    "1: (61) r3 = *(u32 *)(r1 +4)          ; R1=ctx() R3=pkt_end()\n"
    "2: (b7) r0 = 2                        ; R0=2\n"
    "3: (2d) if r2 > r3 goto pc+1          ; R2=pkt(r=0) R3=pkt_end()\n"
    "4: (61) r0 = *(u32 *)(r2 +0)\n"
    "invalid access to packet, off=0 size=4, R2(id=0,off=0,r=0)\n"
    "R2 offset is outside of the packet\n"
    "verification time 52 usec\n"
    "stack depth 0\n"
    "processed 5 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 "
    "mark_read 0\n";

TEST(VerifierLog, Level1RejectionGivesTheComplaintAndTheStatistics) {
  const VerifierLogSummary summary = summarize_verifier_log(kLevel1Rejection);
  EXPECT_EQ(summary.first_error, "invalid access to packet, off=0 size=4, R2(id=0,off=0,r=0)");
  ASSERT_TRUE(summary.processed_insns.has_value());
  EXPECT_EQ(*summary.processed_insns, 5U);
  ASSERT_TRUE(summary.verification_seconds.has_value());
  EXPECT_DOUBLE_EQ(*summary.verification_seconds, 52e-6);
}

TEST(VerifierLog, StatisticsOnlyLogOfAnAcceptedProgramHasNoComplaint) {
  const VerifierLogSummary summary = summarize_verifier_log(
      "verification time 97 usec\nstack depth 0\nprocessed 2 insns (limit 1000000) "
      "max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0\n");
  EXPECT_EQ(summary.first_error, "");
  EXPECT_EQ(summary.processed_insns, 2U);
  EXPECT_DOUBLE_EQ(summary.verification_seconds.value_or(0), 97e-6);
}

TEST(VerifierLog, NotesAndSourceLinesAroundTheComplaintAreSkipped) {
  // BPF_LOG_STATS only, with BTF: the func_info note comes first, the source line after.
  const VerifierLogSummary summary = summarize_verifier_log(
      "arg#0 reference type('UNKNOWN ') size cannot be determined: -22\n"
      "R0 invalid mem access 'map_value_or_null'\n"
      "verification time 97 usec\nstack depth 8\n"
      "processed 7 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 "
      "mark_read 0\n");
  EXPECT_EQ(summary.first_error, "R0 invalid mem access 'map_value_or_null'");
  const VerifierLogSummary source_after = summarize_verifier_log(
      "invalid bpf_context access off=80 size=4\n"
      "; void *data_end = (void *)(long)ctx->data_end; @ packet_reallocate.c:8\n"
      "verification time 114 usec\nstack depth 0\n"
      "processed 2 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 "
      "mark_read 0\n");
  EXPECT_EQ(source_after.first_error, "invalid bpf_context access off=80 size=4");
}

TEST(VerifierLog, AComplaintWithoutItsNewlineIsCutBeforeTheStatistics) {
  const VerifierLogSummary summary = summarize_verifier_log(
      "expected prog array map for tail callverification time 38 usec\nstack depth 8\n"
      "processed 4 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 "
      "mark_read 0\n");
  EXPECT_EQ(summary.first_error, "expected prog array map for tail call");
  EXPECT_DOUBLE_EQ(summary.verification_seconds.value_or(0), 38e-6);
  EXPECT_EQ(summary.processed_insns, 4U);
}

TEST(VerifierLog, Level2TraceWithCallsAndLivenessIsSkipped) {
  const VerifierLogSummary summary = summarize_verifier_log(
      "func#0 @0\n"
      "Live regs before insn:\n"
      "      0: .......... (79) r0 = *(u64 *)(r10 -8)\n"
      "Validating add1() func#2...\n"
      "45: R1=mem_or_null(id=2,sz=4) R10=fp0\n"
      "; int add1(int* x) { @ bpf2bpf.c:8\n"
      "4: (85) call pc+3\n"
      "caller:\n"
      " R10=fp0 fp-8=ctx()\n"
      "callee:\n"
      " frame1: R1=ctx() R10=fp0\n"
      "8: frame1: R1=ctx() R10=fp0\n"
      "(0) frame 0 insn 0 +live -8 \n"
      "49: (61) r1 = *(u32 *)(r1 +0)\n"
      "R1 invalid mem access 'mem_or_null'\n"
      "processed 50 insns (limit 1000000) max_states_per_insn 0 total_states 4 peak_states 4 "
      "mark_read 0\n");
  EXPECT_EQ(summary.first_error, "R1 invalid mem access 'mem_or_null'");
  EXPECT_EQ(summary.processed_insns, 50U);
  EXPECT_FALSE(summary.verification_seconds.has_value());
}

TEST(VerifierLog, EmptyLogHasNothing) {
  const VerifierLogSummary summary = summarize_verifier_log("");
  EXPECT_EQ(summary.first_error, "");
  EXPECT_FALSE(summary.processed_insns.has_value());
  EXPECT_FALSE(summary.verification_seconds.has_value());
}

TEST(VerifierLog, TraceLinesAreRecognised) {
  EXPECT_TRUE(is_trace_line("12: (bf) r1 = r6"));
  EXPECT_TRUE(is_trace_line("from 3 to 5: R0=1"));
  EXPECT_TRUE(is_trace_line("frame1: R1=ctx()"));
  EXPECT_TRUE(is_trace_line("; return 0; @ prog.c:3"));
  EXPECT_FALSE(is_trace_line("frame pointer is read only"));
  EXPECT_FALSE(is_trace_line("R0 !read_ok"));
  EXPECT_FALSE(is_trace_line("unreachable insn 6"));
}

}  // namespace
}  // namespace nicsim::kernel_oracle
