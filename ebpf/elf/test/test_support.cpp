#include "test_support.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <sstream>

namespace nicsim::ebpf::test {

std::filesystem::path corpus_dir() {
  return std::filesystem::path(NICSIM_TESTDATA_DIR) / "ebpf-samples";
}

std::filesystem::path fixture_object(const std::string& name) {
  return std::filesystem::path(ELF_FIXTURE_OBJECT_DIR) / (name + ".o");
}

std::filesystem::path fixture_source(const std::string& name) {
  return std::filesystem::path(ELF_FIXTURE_SOURCE_DIR) / (name + ".c");
}

std::vector<uint8_t> read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot open " << path;
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
}

uint32_t marker_line(const std::string& source, const std::string& marker) {
  std::ifstream in(fixture_source(source));
  uint32_t found = 0;
  int matches = 0;
  uint32_t number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    if (line.find(marker) != std::string::npos) {
      found = number;
      ++matches;
    }
  }
  EXPECT_EQ(matches, 1) << "marker '" << marker << "' in " << source;
  return matches == 1 ? found : 0;
}

std::string source_line(const std::string& source, uint32_t line) {
  std::ifstream in(fixture_source(source));
  std::string text;
  for (uint32_t number = 1; std::getline(in, text); ++number) {
    if (number == line) return text;
  }
  return {};
}

uint32_t get32(const std::vector<uint8_t>& bytes, size_t offset) {
  uint32_t value = 0;
  for (int i = 3; i >= 0; --i)
    value = value << 8 | bytes.at(offset + static_cast<size_t>(i));
  return value;
}

uint64_t get64(const std::vector<uint8_t>& bytes, size_t offset) {
  return get32(bytes, offset) | uint64_t{get32(bytes, offset + 4)} << 32;
}

void put32(std::vector<uint8_t>& bytes, size_t offset, uint32_t value) {
  for (size_t i = 0; i < 4; ++i)
    bytes.at(offset + i) = static_cast<uint8_t>(value >> (8 * i));
}

void put64(std::vector<uint8_t>& bytes, size_t offset, uint64_t value) {
  put32(bytes, offset, static_cast<uint32_t>(value));
  put32(bytes, offset + 4, static_cast<uint32_t>(value >> 32));
}

std::vector<RawSection> raw_sections(const std::vector<uint8_t>& bytes) {
  // Elf64_Ehdr: e_shoff at 0x28, e_shnum at 0x3c, e_shstrndx at 0x3e; Elf64_Shdr is 64 bytes:
  // sh_name 0, sh_type 4, sh_offset 0x18, sh_size 0x20.
  const uint64_t table = get64(bytes, 0x28);
  const uint16_t count = static_cast<uint16_t>(get32(bytes, 0x3c));
  const uint16_t names = static_cast<uint16_t>(get32(bytes, 0x3e));
  const uint64_t names_offset = get64(bytes, table + 64 * names + 0x18);
  std::vector<RawSection> sections;
  for (size_t i = 0; i < count; ++i) {
    RawSection section;
    section.header_offset = table + 64 * i;
    const uint32_t name = get32(bytes, section.header_offset);
    section.type = get32(bytes, section.header_offset + 4);
    section.offset = get64(bytes, section.header_offset + 0x18);
    section.size = get64(bytes, section.header_offset + 0x20);
    for (size_t at = names_offset + name; bytes.at(at) != 0; ++at)
      section.name.push_back(static_cast<char>(bytes[at]));
    sections.push_back(section);
  }
  return sections;
}

const RawSection& raw_section(const std::vector<RawSection>& sections, const std::string& name) {
  for (const auto& section : sections) {
    if (section.name == name) return section;
  }
  ADD_FAILURE() << "no section " << name;
  static const RawSection none;
  return none;
}

std::pair<size_t, size_t> raw_symbol(const std::vector<uint8_t>& bytes, const std::string& name) {
  // Elf64_Shdr: sh_link at 0x28; Elf64_Sym: 24 bytes, st_name first.
  const auto sections = raw_sections(bytes);
  for (const auto& table : sections) {
    if (table.type != 2 /* SHT_SYMTAB */) continue;
    const uint32_t link = get32(bytes, table.header_offset + 0x28);
    const uint64_t strings = sections.at(link).offset;
    for (size_t index = 0; index < table.size / 24; ++index) {
      const size_t entry = table.offset + 24 * index;
      std::string symbol;
      for (size_t at = strings + get32(bytes, entry); bytes.at(at) != 0; ++at)
        symbol.push_back(static_cast<char>(bytes[at]));
      if (symbol == name) return {entry, index};
    }
  }
  ADD_FAILURE() << "no symbol " << name;
  return {0, 0};
}

int64_t function_start(const Program& program, const std::string& name) {
  for (const auto& [start, function] : program.functions) {
    if (function == name) return static_cast<int64_t>(start);
  }
  return -1;
}

}  // namespace nicsim::ebpf::test
