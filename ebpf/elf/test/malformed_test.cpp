// One defect at a time, planted in an otherwise valid object (located by parsing the file in
// the test, independently of the loader): each is refused with an ElfError saying what and
// where.

#include <gtest/gtest.h>

#include "ebpf/elf/elf_loader.h"
#include "test_support.h"

namespace nicsim::ebpf {
namespace {

// Elf64_Ehdr fields.
constexpr size_t kClassByte = 4;
constexpr size_t kDataByte = 5;
constexpr size_t kTypeOffset = 0x10;
constexpr size_t kMachineOffset = 0x12;
// Elf64_Shdr fields.
constexpr size_t kShFlags = 0x08;
constexpr size_t kShSize = 0x20;
// Elf64_Sym fields.
constexpr size_t kStShndx = 6;
constexpr size_t kStSize = 16;
// Elf64_Rel fields.
constexpr size_t kROffset = 0;
constexpr size_t kRInfo = 8;
constexpr uint64_t kShfExecinstr = 0x4;

std::vector<uint8_t> fixture(const std::string& name) {
  return test::read_bytes(test::fixture_object(name));
}

std::string refusal(const std::vector<uint8_t>& bytes) {
  try {
    load_elf_bytes(bytes, "planted.o");
  } catch (const ElfError& error) {
    return error.what();
  }
  ADD_FAILURE() << "the planted defect was accepted";
  return {};
}

void expect_refused(const std::vector<uint8_t>& bytes, const std::string& expected) {
  const std::string message = refusal(bytes);
  EXPECT_EQ(message.rfind("planted.o: ", 0), 0u) << message;
  EXPECT_NE(message.find(expected), std::string::npos) << message;
}

void put16(std::vector<uint8_t>& bytes, size_t offset, uint16_t value) {
  bytes.at(offset) = static_cast<uint8_t>(value);
  bytes.at(offset + 1) = static_cast<uint8_t>(value >> 8);
}

TEST(Malformed, MissingFileAndNonElfInput) {
  EXPECT_THROW(load_elf_file("/nonexistent/prog.o"), ElfError);
  try {
    load_elf_file("/nonexistent/prog.o");
  } catch (const ElfError& error) {
    EXPECT_EQ(std::string(error.what()).rfind("/nonexistent/prog.o: cannot open", 0), 0u);
  }
  expect_refused({}, "file too small for an ELF header (0 bytes)");
  std::vector<uint8_t> text(100, 'x');
  expect_refused(text, "not an ELF file");
}

TEST(Malformed, WrongKindOfElf) {
  const auto valid = fixture("global_data");
  auto bytes = valid;
  bytes[kClassByte] = 1;  // ELFCLASS32
  expect_refused(bytes, "not a 64-bit ELF object");
  bytes = valid;
  bytes[kDataByte] = 2;  // ELFDATA2MSB
  expect_refused(bytes, "not a little-endian object");
  bytes = valid;
  put16(bytes, kMachineOffset, 62);  // EM_X86_64
  expect_refused(bytes, "not a BPF object (e_machine 62, expected 247)");
  bytes = valid;
  put16(bytes, kTypeOffset, 2);  // ET_EXEC
  expect_refused(bytes, "not a relocatable object (e_type 2");
}

TEST(Malformed, TruncatedSectionContents) {
  auto bytes = fixture("global_data");
  const auto tc = test::raw_section(test::raw_sections(bytes), "tc");
  test::put64(bytes, tc.header_offset + kShSize, bytes.size());
  expect_refused(bytes, "section 'tc' (index 3): contents");
}

TEST(Malformed, CodeSizeNotAWholeNumberOfInstructions) {
  auto bytes = fixture("global_data");
  const auto tc = test::raw_section(test::raw_sections(bytes), "tc");
  test::put64(bytes, tc.header_offset + kShSize, tc.size - 4);
  expect_refused(
      bytes, "code section 'tc': size " + std::to_string(tc.size - 4) + " is not a multiple of 8");
}

TEST(Malformed, InvalidInstructionNamesProgramAndIndex) {
  auto bytes = fixture("global_data");
  const auto tc = test::raw_section(test::raw_sections(bytes), "tc");
  const size_t last = tc.size / 8 - 1;    // use_globals is alone in tc, so indices match
  bytes.at(tc.offset + 8 * last) = 0x8f;  // ALU64 opcode 0x80 with a register source: no such insn
  expect_refused(bytes, "planted.o: program 'tc/use_globals': insn " + std::to_string(last) + ": ");
}

TEST(Malformed, RelocationFields) {
  const auto valid = fixture("global_data");
  const auto sections = test::raw_sections(valid);
  const auto relocations = test::raw_section(sections, ".reltc");
  ASSERT_GT(relocations.size, 0u);
  auto bytes = valid;
  test::put64(bytes, relocations.offset + kRInfo, uint64_t{0xffff} << 32 | 1);
  expect_refused(bytes, "relocation section '.reltc': entry 0 names symbol 65535");

  bytes = valid;
  test::put64(bytes, relocations.offset + kROffset, test::get64(valid, relocations.offset) + 1);
  expect_refused(bytes, "relocation not on an instruction boundary (section 'tc'");

  // Point the first relocation (an lddw of global data) at the license string instead.
  bytes = valid;
  const auto [entry, index] = test::raw_symbol(valid, "_license");
  test::put64(bytes, relocations.offset + kRInfo, uint64_t{index} << 32 | 1);
  expect_refused(bytes,
                 "lddw refers to section 'license', which holds no maps, global data or "
                 "code (section 'tc', insn 0, symbol '_license')");
}

TEST(Malformed, SymbolFields) {
  const auto valid = fixture("global_data");
  const auto [entry, index] = test::raw_symbol(valid, "use_globals");
  auto bytes = valid;
  put16(bytes, entry + kStShndx, 500);
  expect_refused(bytes, "symbol 'use_globals' (index " + std::to_string(index) +
                            "): section index 500 does not exist");
  bytes = valid;
  test::put64(bytes, entry + kStSize, 0x10000);
  expect_refused(bytes, "function 'use_globals' (section 'tc'): offset 0 size 65536");
}

TEST(Malformed, BtfAndBtfExt) {
  const auto valid = fixture("btf_maps");
  const auto sections = test::raw_sections(valid);
  auto bytes = valid;
  bytes.at(test::raw_section(sections, ".BTF").offset) ^= 0xff;
  expect_refused(bytes, ".BTF: malformed BTF");

  bytes = valid;
  bytes.at(test::raw_section(sections, ".BTF.ext").offset) ^= 0xff;
  expect_refused(bytes, ".BTF.ext: bad magic");
}

TEST(Malformed, LegacyMapSectionSize) {
  auto bytes = fixture("legacy_maps");
  const auto maps = test::raw_section(test::raw_sections(bytes), "maps");
  test::put64(bytes, maps.header_offset + kShSize, maps.size - 4);
  expect_refused(bytes, "maps section 'maps': size " + std::to_string(maps.size - 4) +
                            " is not a multiple of its 3 map symbols");
}

TEST(Malformed, ObjectWithoutCode) {
  // An old object without BTF, its code sections marked non-executable.
  auto bytes = test::read_bytes(test::corpus_dir() / "linux/sockex1_kern.o");
  for (const auto& section : test::raw_sections(bytes)) {
    const uint64_t flags = test::get64(bytes, section.header_offset + kShFlags);
    test::put64(bytes, section.header_offset + kShFlags, flags & ~kShfExecinstr);
  }
  expect_refused(bytes, "no program: the object has no executable section with code");
}

}  // namespace
}  // namespace nicsim::ebpf
