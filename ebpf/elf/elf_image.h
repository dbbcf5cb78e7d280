#pragma once
// A bounds-checked, read-only view of one relocatable BPF ELF object, read with libelf: its
// section headers, its symbol table and the relocations of the sections the loader links
// (code and .maps). Everything is validated once here, so later stages index freely into
// what this class hands out.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

struct Elf;  // libelf's handle type

namespace nicsim::ebpf::elf {

struct Section {
  size_t index = 0;
  std::string name;
  uint32_t type = 0;  // SHT_*
  uint64_t flags = 0;
  uint64_t size = 0;
  uint32_t link = 0;
  uint32_t info = 0;
  uint64_t entsize = 0;
  // Contents; empty for SHT_NOBITS (whose size still counts).
  std::span<const uint8_t> bytes;

  bool executable() const;
};

struct Symbol {
  size_t index = 0;
  std::string name;
  uint64_t value = 0;
  uint64_t size = 0;
  uint8_t type = 0;  // STT_*
  uint8_t bind = 0;  // STB_*
  uint16_t shndx = 0;

  // True when the symbol lives in a real section (not undefined, absolute or common).
  bool in_section() const;
  bool is_function() const;
  bool is_section() const;
  bool is_global() const;
};

struct Relocation {
  uint64_t offset = 0;  // byte offset inside the target section
  uint32_t type = 0;    // R_BPF_*
  size_t symbol = 0;    // index into ElfImage::symbols()
  int64_t addend = 0;   // RELA only
  bool has_addend = false;
};

// Relocation types of the BPF ELF ABI (llvm/BinaryFormat/ELFRelocs/BPF.def).
inline constexpr uint32_t kRelNone = 0;
inline constexpr uint32_t kRel64_64 = 1;
inline constexpr uint32_t kRelAbs64 = 2;
inline constexpr uint32_t kRelAbs32 = 3;
inline constexpr uint32_t kRelNoDyld32 = 4;
inline constexpr uint32_t kRel64_32 = 10;

class ElfImage {
 public:
  // Parses and validates `bytes` (copied). Throws ElfError "<path>: ..." when malformed.
  ElfImage(std::span<const uint8_t> bytes, std::string path);
  ~ElfImage();
  ElfImage(const ElfImage&) = delete;
  ElfImage& operator=(const ElfImage&) = delete;

  const std::string& path() const { return path_; }
  // False for objects from very old LLVM, which wrote e_machine = EM_NONE.
  bool is_em_bpf() const { return em_bpf_; }
  const std::vector<Section>& sections() const { return sections_; }
  const std::vector<Symbol>& symbols() const { return symbols_; }
  const Section& section(size_t index) const { return sections_.at(index); }
  // First section with this name, or nullptr.
  const Section* find_section(std::string_view name) const;
  // Relocations applying to section `index`, sorted by offset (only code and .maps sections
  // have them collected; others are ignored as libbpf ignores them).
  std::span<const Relocation> relocations_for(size_t index) const;

  // Throws ElfError "<path>: <what>".
  [[noreturn]] void fail(std::string_view what) const;

 private:
  void read_header();
  void read_sections();
  void read_symbols();
  void read_relocations();
  bool wants_relocations(const Section& target) const;

  std::string path_;
  std::vector<uint8_t> bytes_;
  // Members are destroyed when the constructor throws, so the handle never leaks.
  struct ElfCloser {
    void operator()(::Elf* elf) const;
  };
  std::unique_ptr<::Elf, ElfCloser> elf_;
  bool em_bpf_ = false;
  uint64_t section_table_offset_ = 0;
  size_t string_table_index_ = 0;
  std::vector<Section> sections_;
  std::vector<Symbol> symbols_;
  std::vector<std::vector<Relocation>> relocations_;  // by target section index
};

}  // namespace nicsim::ebpf::elf
