#pragma once
// Helpers shared by the ELF loader tests: paths to the corpus and fixtures, file bytes, the
// raw layout of an object (for tests that corrupt one field on purpose) and source markers.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "ebpf/program/program.h"

namespace nicsim::ebpf::test {

std::filesystem::path corpus_dir();  // ebpf-samples in the shared test data
std::filesystem::path fixture_object(const std::string& name);  // "btf_maps" -> .../btf_maps.o
std::filesystem::path fixture_source(const std::string& name);  // "btf_maps" -> .../btf_maps.c

std::vector<uint8_t> read_bytes(const std::filesystem::path& path);

// Line number (1-based) of the only line of `source` containing `marker`; fails the test
// (returns 0) when there is not exactly one.
uint32_t marker_line(const std::string& source, const std::string& marker);
std::string source_line(const std::string& source, uint32_t line);

// Where a section's header and contents lie in an ELF64 little-endian file.
struct RawSection {
  std::string name;
  size_t header_offset = 0;
  uint64_t offset = 0;
  uint64_t size = 0;
  uint32_t type = 0;
};
// Parsed directly from the bytes (independently of the loader).
std::vector<RawSection> raw_sections(const std::vector<uint8_t>& bytes);
const RawSection& raw_section(const std::vector<RawSection>& sections, const std::string& name);
// File offset of the Elf64_Sym entry named `name` and its index in the symbol table.
std::pair<size_t, size_t> raw_symbol(const std::vector<uint8_t>& bytes, const std::string& name);

uint32_t get32(const std::vector<uint8_t>& bytes, size_t offset);
uint64_t get64(const std::vector<uint8_t>& bytes, size_t offset);
void put32(std::vector<uint8_t>& bytes, size_t offset, uint32_t value);
void put64(std::vector<uint8_t>& bytes, size_t offset, uint64_t value);

// Position in `program` of the function called `name` (from Program::functions), or -1.
int64_t function_start(const Program& program, const std::string& name);

}  // namespace nicsim::ebpf::test
