// Inline array lookups shaped by the key's range the verifier proved (x86-64): a constant key
// folds to the value's address (or null), a key below max_entries needs no bounds check.
// Every program runs on the interpreter too, which must agree; the code shape is asserted
// where it is the point.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "jit/x86_64/test/verified_helpers_support.h"

namespace nicsim::jit::test {
namespace {

class X86FoldedLookup : public ::testing::Test {
 protected:
  void SetUp() override { NICSIM_REQUIRE_X86_64_HOST(); }
};

// The key is `{key}`, computed from the packet's first byte (r6), and `after_store` runs
// between its store and the lookup; a found value's first u64 counts the lookups of its
// entry and is returned, a miss returns 100.
std::string count_lookups(const std::string& key, const std::string& after_store = "") {
  return fmt::format(R"(
  r2 = *(u32 *)(r1 + 0)
  r3 = *(u32 *)(r1 + 4)
  r4 = r2
  r4 += 1
  r0 = 1
  if r4 > r3 goto out
  r6 = *(u8 *)(r2 + 0)
  {}
  *(u32 *)(r10 - 4) = r6
  {}
  r1 = map[id:0]
  r2 = r10
  r2 += -4
  call 1
  r7 = r0
  r0 = 100
  if r7 == 0 goto out
  r8 = *(u64 *)(r7 + 0)
  r8 += 1
  *(u64 *)(r7 + 0) = r8
  r0 = r8
out:
  exit)",
                     key, after_store);
}

// The native code of the eBPF instruction `insn` in the listing of `object`'s verified code.
std::string native_of(const ebpf::ElfObject& object, int insn) {
  const std::string listing = verified_listing(object);
  const size_t begin = listing.find(fmt::format(";{:5}: ", insn));
  if (begin == std::string::npos) return "<instruction not listed>";
  const size_t line_end = listing.find('\n', begin);
  const size_t end = listing.find("\n;", line_end);
  return listing.substr(line_end, end - line_end);
}

// Instruction indices in count_lookups (without `after_store`).
constexpr int kMapLoad = 9;
constexpr int kKeyAddress = 11;  // r2 = r10, then r2 += -4
constexpr int kCall = 13;
constexpr int kNullTest = 16;

std::vector<DifferentialInput> every_first_byte(int count) {
  std::vector<DifferentialInput> inputs;
  for (int repeat = 0; repeat < 2; ++repeat) {
    for (int b = 0; b < count; ++b)
      inputs.push_back(xdp_input({static_cast<uint8_t>(b)}));
  }
  return inputs;
}

ebpf::ElfObject array_of(const std::string& key, ebpf::MapType type, uint32_t value_size,
                         uint32_t entries) {
  return xdp_object(count_lookups(key), {map_definition("a", type, 4, value_size, entries)});
}

TEST_F(X86FoldedLookup, ConstantKeyInRangeIsTheValuesAddress) {
  const ebpf::ElfObject object = array_of("r6 = 3", ebpf::MapType::Array, 16, 5);
  const DifferentialReport report = against_interpreter(object, every_first_byte(4));
  ASSERT_TRUE(report.equal) << report.difference;
  // The same entry counts on every run: 1, 2, ... 8.
  for (size_t i = 0; i < report.candidate_results.size(); ++i)
    EXPECT_EQ(report.candidate_results[i].return_value, i + 1);
  const std::string code = native_of(object, kCall);
  EXPECT_EQ(code.find("cmp"), std::string::npos) << code;
  EXPECT_EQ(code.find("rsi"), std::string::npos) << "the key is not read:" << code;
  EXPECT_EQ(calls_in_verified_code(object), 0u);
}

TEST_F(X86FoldedLookup, ConstantKeyOutOfRangeIsNull) {
  const ebpf::ElfObject object = array_of("r6 = 5", ebpf::MapType::Array, 16, 5);
  const DifferentialReport report = against_interpreter(object, every_first_byte(3));
  ASSERT_TRUE(report.equal) << report.difference;
  for (const auto& result : report.candidate_results)
    EXPECT_EQ(result.return_value, 100u);
  const std::string code = native_of(object, kCall);
  EXPECT_NE(code.find("xor"), std::string::npos) << code;
  EXPECT_EQ(code.find("cmp"), std::string::npos) << code;
  EXPECT_EQ(code.find("movabs"), std::string::npos) << code;
}

TEST_F(X86FoldedLookup, KeyBelowMaxEntriesNeedsNoBoundsCheck) {
  // Strides 8 (an address scale) and 24 (not one).
  for (uint32_t value_size : {8u, 20u}) {
    const ebpf::ElfObject object = array_of("r6 &= 3", ebpf::MapType::Array, value_size, 4);
    const DifferentialReport report = against_interpreter(object, every_first_byte(8));
    ASSERT_TRUE(report.equal) << report.difference;
    // Bytes 0..7 hit entries 0..3 twice each per round: counts 1, 1, 1, 1, 2, 2, 2, 2, ...
    for (size_t i = 0; i < report.candidate_results.size(); ++i)
      EXPECT_EQ(report.candidate_results[i].return_value, i / 4 + 1) << "run " << i;
    const std::string code = native_of(object, kCall);
    EXPECT_EQ(code.find("cmp"), std::string::npos) << code;
    EXPECT_EQ(code.find("jmp"), std::string::npos) << code;
    if (value_size == 8) {
      EXPECT_NE(code.find("*8]"), std::string::npos) << "one lea with scale 8:" << code;
      EXPECT_EQ(code.find("shl"), std::string::npos) << code;
    }
  }
}

TEST_F(X86FoldedLookup, KeyThatMayExceedMaxEntriesIsChecked) {
  const ebpf::ElfObject object = array_of("r6 &= 7", ebpf::MapType::Array, 8, 5);
  const DifferentialReport report = against_interpreter(object, every_first_byte(8));
  ASSERT_TRUE(report.equal) << report.difference;
  // Entries 0..4 count, 5..7 miss.
  for (size_t i = 0; i < report.candidate_results.size(); ++i) {
    const size_t b = i % 8;
    EXPECT_EQ(report.candidate_results[i].return_value, b < 5 ? i / 8 + 1 : 100u) << "run " << i;
  }
  const std::string code = native_of(object, kCall);
  EXPECT_NE(code.find("cmp"), std::string::npos) << code;
}

TEST_F(X86FoldedLookup, PerCpuArraysFindTheCurrentCpusCopy) {
  ebpf::RuntimeConfig four_cpus;
  four_cpus.num_cpus = 4;
  four_cpus.cpu = 2;
  for (const char* key : {"r6 = 1", "r6 &= 3"}) {
    const ebpf::ElfObject object = array_of(key, ebpf::MapType::PercpuArray, 16, 4);
    const DifferentialReport report = against_interpreter(object, every_first_byte(4), four_cpus);
    EXPECT_TRUE(report.equal) << key << ": " << report.difference;
    EXPECT_EQ(native_of(object, kCall).find("cmp"), std::string::npos) << key;

    // Runs on changing CPUs count in their own CPU's copy (16 bytes apart).
    ebpf::Runtime runtime(object, four_cpus);
    const auto engine =
        make_x86_64_engine(verifier::verify_program(object, object.programs[0]), runtime);
    std::vector<uint64_t> counts;
    for (uint32_t cpu : {0u, 3u, 3u, 1u, 3u}) {
      runtime.set_cpu(cpu);
      const std::vector<uint8_t> packet = {1};
      ebpf::XdpFrame frame(packet);
      counts.push_back(engine->run_xdp(frame).return_value);
    }
    EXPECT_EQ(counts, (std::vector<uint64_t>{1, 1, 2, 1, 3})) << key;
  }
}

TEST_F(X86FoldedLookup, ArgumentsTheInlineLookupDoesNotReadAreLeftOut) {
  // A constant key: neither the map (r1) nor the key's address (r2) is read.
  const ebpf::ElfObject constant = array_of("r6 = 3", ebpf::MapType::Array, 16, 5);
  for (int insn : {kMapLoad, kKeyAddress, kKeyAddress + 1})
    EXPECT_EQ(native_of(constant, insn), "") << "insn " << insn;
  // A key stored from r6, which still holds it at the call: the key is taken from r6.
  const ebpf::ElfObject from_register = array_of("r6 &= 7", ebpf::MapType::Array, 16, 5);
  for (int insn : {kMapLoad, kKeyAddress, kKeyAddress + 1})
    EXPECT_EQ(native_of(from_register, insn), "") << "insn " << insn;
  EXPECT_EQ(native_of(from_register, kCall).find("[rsi]"), std::string::npos);
}

TEST_F(X86FoldedLookup, AKeyWhoseRegisterChangesIsReadFromTheStack) {
  // r6 changes after the store and is read after the call: the key is read through r2. The
  // result is (key + 1) * 1000 + the entry's count.
  const ebpf::ElfObject object = xdp_object(R"(
  r2 = *(u32 *)(r1 + 0)
  r3 = *(u32 *)(r1 + 4)
  r4 = r2
  r4 += 1
  r0 = 1
  if r4 > r3 goto out
  r6 = *(u8 *)(r2 + 0)
  r6 &= 3
  *(u32 *)(r10 - 4) = r6
  r6 += 1
  r1 = map[id:0]
  r2 = r10
  r2 += -4
  call 1
  r7 = r0
  r0 = 100
  if r7 == 0 goto out
  r8 = *(u64 *)(r7 + 0)
  r8 += 1
  *(u64 *)(r7 + 0) = r8
  r0 = r6
  r0 *= 1000
  r0 += r8
out:
  exit)",
                                            {map_definition("a", ebpf::MapType::Array, 4, 16, 5)});
  const DifferentialReport report = against_interpreter(object, every_first_byte(8));
  ASSERT_TRUE(report.equal) << report.difference;
  for (size_t i = 0; i < report.candidate_results.size(); ++i)
    EXPECT_EQ(report.candidate_results[i].return_value, (i % 4 + 1) * 1000 + i / 4 + 1) << i;
  EXPECT_NE(native_of(object, 14).find("[rsi]"), std::string::npos) << native_of(object, 14);
}

TEST_F(X86FoldedLookup, NullTestOfALookupThatCannotFailIsLeftOut) {
  for (const char* key : {"r6 = 3", "r6 &= 3"})
    EXPECT_EQ(native_of(array_of(key, ebpf::MapType::Array, 16, 5), kNullTest), "") << key;
  // The key may exceed max_entries: the lookup may fail, the test stays.
  EXPECT_NE(native_of(array_of("r6 &= 7", ebpf::MapType::Array, 16, 5), kNullTest), "");
  EXPECT_NE(native_of(array_of("r6 &= 3", ebpf::MapType::Array, 16, 3), kNullTest), "");
}

TEST_F(X86FoldedLookup, HardenedCodeStillCallsTheHelper) {
  // Inline constants would be unblinded: hardened code keeps the helper call, as before.
  const ebpf::ElfObject object = array_of("r6 = 3", ebpf::MapType::Array, 16, 5);
  ebpf::Runtime runtime(object);
  JitOptions hardened;
  hardened.harden = true;
  const auto engine =
      make_x86_64_engine(verifier::verify_program(object, object.programs[0]), runtime, hardened);
  const std::string listing = disassemble_x86_64(engine->entry());
  const size_t begin = listing.find(fmt::format(";{:5}: ", kCall));
  const size_t end = listing.find("\n;", listing.find('\n', begin));
  EXPECT_NE(listing.substr(begin, end - begin).find("call"), std::string::npos);
  for (uint64_t expected : {1u, 2u}) {
    const std::vector<uint8_t> packet = {0};
    ebpf::XdpFrame frame(packet);
    EXPECT_EQ(engine->run_xdp(frame).return_value, expected);
  }
}

}  // namespace
}  // namespace nicsim::jit::test
