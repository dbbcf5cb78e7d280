// Encodings that make verified code smaller than a one-to-one translation: a byte or word
// mask as a zero-extension, and a register copy followed by an addition as one lea.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "jit/x86_64/test/jit_test_support.h"
#include "jit/x86_64/test/program_builder.h"
#include "jit/x86_64/x86_disassembler.h"

namespace nicsim::jit::test {
namespace {

class X86CompactCode : public ::testing::Test {
 protected:
  void SetUp() override { NICSIM_REQUIRE_X86_64_HOST(); }
};

TEST_F(X86CompactCode, AByteOrWordMaskIsAZeroExtensionOnEveryRegister) {
  constexpr uint64_t kValue = 0x123456789abcdef0;
  for (int reg = 0; reg <= 9; ++reg) {
    for (bool is64 : {false, true}) {
      for (int32_t mask : {0xff, 0xffff}) {
        SCOPED_TRACE(fmt::format("r{} &= {:#x} ({}-bit)", reg, mask, is64 ? 64 : 32));
        ProgramBuilder p;
        p.lddw(reg, kValue);
        if (is64) {
          p.alu64(kAluAnd, reg, mask);
        } else {
          p.alu32(kAluAnd, reg, mask);
        }
        const auto insns = p.mov64r(0, reg).exit().build();
        JitRun run(insns);
        // The low byte or word of the value, nothing above it.
        EXPECT_EQ(run.raw().return_value, kValue & static_cast<uint64_t>(mask));
        EXPECT_NE(disassemble_x86_64(run.engine->entry()).find("movzx"), std::string::npos);
        expect_same(insns, {raw_input()});
      }
    }
  }
}

TEST_F(X86CompactCode, ACopyFollowedByAnAdditionIsOneLea) {
  // r1 = r6; r1 += -30 on rbx (no displacement quirk), r10 (rbp: needs a displacement) and
  // with a 32-bit displacement.
  for (const auto& [source, addend] :
       std::vector<std::pair<int, int32_t>>{{6, -30}, {10, -48}, {6, 100000}}) {
    const auto insns = ProgramBuilder()
                           .mov64(6, 100)
                           .mov64r(1, source)
                           .alu64(kAluAdd, 1, addend)
                           .mov64r(0, 1)
                           .alu64r(kAluSub, 0, source)
                           .exit()
                           .build();
    VerifiedRun run(insns);
    const std::string listing = disassemble_x86_64(run.compiled());
    EXPECT_NE(listing.find("lea rdi, ["), std::string::npos) << listing;
    EXPECT_EQ(listing.find("add"), std::string::npos) << listing;
    EXPECT_EQ(run.engine->run_raw({}).return_value, static_cast<uint64_t>(int64_t{addend}));
    expect_same_verified(insns, {raw_input()});
  }
}

TEST_F(X86CompactCode, AnAdditionThatIsAJumpTargetStaysSeparate) {
  // With no raw memory (r2 = 0) the program jumps to the addition without the copy.
  const auto insns = ProgramBuilder()
                         .mov64(6, 100)
                         .mov64(1, 5)
                         .jmp(kJmpJeq, 2, 0, "add")
                         .mov64r(1, 6)
                         .label("add")
                         .alu64(kAluAdd, 1, 7)
                         .mov64r(0, 1)
                         .exit()
                         .build();
  VerifiedRun run(insns);
  EXPECT_NE(disassemble_x86_64(run.compiled()).find("add"), std::string::npos);
  std::vector<uint8_t> one(1);
  EXPECT_EQ(run.engine->run_raw({}).return_value, 12u);
  EXPECT_EQ(run.engine->run_raw(one).return_value, 107u);
  expect_same_verified(insns, {raw_input(), raw_input(one)});
}

TEST_F(X86CompactCode, CheckedAndHardenedCodeKeepTheCopyAndTheAddition) {
  const auto insns =
      ProgramBuilder().mov64(6, 100).mov64r(1, 6).alu64(kAluAdd, 1, 9).mov64r(0, 1).exit().build();
  JitOptions hardened = verified_options();
  hardened.harden = true;
  for (const JitOptions& options : {JitOptions{}, hardened}) {
    const ProgramFacts facts = all_reachable(insns.size());
    const ebpf::ElfObject object = ebpf::make_single_program_object(insns);
    ebpf::Runtime runtime(object);
    const auto engine = make_x86_64_engine(object.programs[0], runtime, options, &facts);
    EXPECT_EQ(disassemble_x86_64(engine->entry()).find("lea rdi"), std::string::npos);
    EXPECT_EQ(engine->run_raw({}).return_value, 109u);
  }
}

}  // namespace
}  // namespace nicsim::jit::test
