// Global functions (BTF linkage global) are verified once, on their own, from their BTF
// prototype, as the kernel does; static ones where they are called. Programs from
// test/programs/global_functions.c, compiled with clang at build time.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ebpf/elf/elf_loader.h"
#include "verifier/verifier.h"

namespace nicsim::verifier {
namespace {

using ::testing::HasSubstr;

const ebpf::ElfObject& object() {
  static const ebpf::ElfObject loaded =
      ebpf::load_elf_file(std::string(NICSIM_VERIFIER_TEST_PROGRAMS_DIR) + "/global_functions.o");
  return loaded;
}

std::string verdict_of(std::string_view section) {
  const VerificationResult r = verify(object(), object().find_program(section));
  return r.accepted ? "" : r.error->to_string();
}

TEST(GlobalFunctions, PointerArgumentsMayBeNull) {
  // add_unchecked(int *x) dereferences x unchecked: its prototype allows NULL. The caller
  // passing a valid pointer does not make it safe.
  EXPECT_THAT(verdict_of("xdp/unchecked"), HasSubstr("R1 invalid mem access 'mem_or_null'"));
}

TEST(GlobalFunctions, CheckedPointerArgumentsAreSafe) {
  EXPECT_EQ(verdict_of("xdp/checked"), "");
}

TEST(GlobalFunctions, StaticFunctionsAreVerifiedWithTheCallersArguments) {
  EXPECT_EQ(verdict_of("xdp/static"), "");
}

TEST(GlobalFunctions, AnArgumentMustCoverThePointedType) {
  // sum_pair(struct pair *) may read 16 bytes; the caller passes an 8-byte variable.
  EXPECT_THAT(verdict_of("xdp/short_argument"),
              HasSubstr("invalid indirect access to stack R1 off=-8 size=16"));
}

TEST(GlobalFunctions, TheCalleeMayWriteThroughItsArguments) {
  // After set_five(&index), index is whatever the callee stored: indexing a 4-byte array
  // with it is refused.
  EXPECT_THAT(verdict_of("xdp/written_argument"),
              HasSubstr("value -2147483648 makes fp pointer be out of bounds"));
}

TEST(GlobalFunctions, ContextArgumentsAreTheContext) {
  EXPECT_EQ(verdict_of("xdp/context"), "");
}

TEST(GlobalFunctions, EachGlobalFunctionIsVerifiedOnItsOwn) {
  VerifierOptions options;
  options.log_states = true;
  const VerificationResult r = verify(object(), object().find_program("xdp/checked"), options);
  ASSERT_TRUE(r.accepted);
  EXPECT_THAT(r.log, ::testing::Contains(HasSubstr("Validating add_checked() func#")));
}

TEST(GlobalFunctions, TheKernelsCaseInTheCorpus) {
  // ebpf-samples build/bpf2bpf.o: add1(int *x) dereferences x unchecked; the kernel refuses
  // all three programs ("R1 invalid mem access 'mem_or_null'" in add1).
  const ebpf::ElfObject bpf2bpf =
      ebpf::load_elf_file(std::string(NICSIM_TESTDATA_DIR) + "/ebpf-samples/build/bpf2bpf.o");
  for (const char* name : {"test/func", ".text/add1", ".text/add2"}) {
    const VerificationResult r = verify(bpf2bpf, bpf2bpf.find_program(name));
    ASSERT_FALSE(r.accepted) << name;
    EXPECT_THAT(r.error->to_string(), HasSubstr("R1 invalid mem access 'mem_or_null'")) << name;
  }
}

}  // namespace
}  // namespace nicsim::verifier
