#include "ebpf/elf/elf_image.h"

#include <fmt/format.h>
#include <gelf.h>
#include <libelf.h>

#include <algorithm>
#include <cstring>

#include "ebpf/elf/bytes.h"
#include "ebpf/elf/elf_loader.h"

namespace nicsim::ebpf::elf {

namespace {

constexpr uint16_t kMachineBpf = 247;  // EM_BPF (older elf.h may lack it)
// Very old LLVM wrote e_machine = EM_NONE; such objects still circulate in sample corpora.
constexpr uint16_t kMachineNone = 0;

bool libelf_ready() {
  static const bool ready = elf_version(EV_CURRENT) != EV_NONE;
  return ready;
}

std::string libelf_message() {
  const char* message = elf_errmsg(-1);
  return message ? message : "unknown libelf error";
}

}  // namespace

bool Section::executable() const {
  return type == SHT_PROGBITS && (flags & SHF_EXECINSTR) != 0;
}

bool Symbol::in_section() const {
  return shndx != SHN_UNDEF && shndx < SHN_LORESERVE;
}
bool Symbol::is_function() const {
  return type == STT_FUNC;
}
bool Symbol::is_section() const {
  return type == STT_SECTION;
}
bool Symbol::is_global() const {
  return bind == STB_GLOBAL || bind == STB_WEAK;
}

ElfImage::ElfImage(std::span<const uint8_t> bytes, std::string path)
    : path_(std::move(path)), bytes_(bytes.begin(), bytes.end()) {
  read_header();
  read_sections();
  read_symbols();
  read_relocations();
}

ElfImage::~ElfImage() = default;

void ElfImage::ElfCloser::operator()(::Elf* elf) const {
  elf_end(elf);
}

void ElfImage::fail(std::string_view what) const {
  throw ElfError(fmt::format("{}: {}", path_, what));
}

const Section* ElfImage::find_section(std::string_view name) const {
  for (const auto& section : sections_) {
    if (section.name == name) return &section;
  }
  return nullptr;
}

std::span<const Relocation> ElfImage::relocations_for(size_t index) const {
  if (index >= relocations_.size()) return {};
  return relocations_[index];
}

void ElfImage::read_header() {
  if (bytes_.size() < sizeof(Elf64_Ehdr))
    fail(fmt::format("file too small for an ELF header ({} bytes)", bytes_.size()));
  if (std::memcmp(bytes_.data(), ELFMAG, SELFMAG) != 0) fail("not an ELF file (bad magic)");
  if (bytes_[EI_CLASS] != ELFCLASS64) fail("not a 64-bit ELF object (BPF objects are ELF64)");
  if (bytes_[EI_DATA] != ELFDATA2LSB)
    fail("not a little-endian object (big-endian BPF objects are not supported)");
  if (!libelf_ready()) fail("libelf initialisation failed");

  elf_.reset(elf_memory(reinterpret_cast<char*>(bytes_.data()), bytes_.size()));
  if (!elf_) fail(fmt::format("libelf cannot open the file: {}", libelf_message()));
  if (elf_kind(elf_.get()) != ELF_K_ELF) fail("not an ELF object");

  GElf_Ehdr header;
  if (!gelf_getehdr(elf_.get(), &header))
    fail(fmt::format("unreadable ELF header: {}", libelf_message()));
  if (header.e_type != ET_REL)
    fail(fmt::format("not a relocatable object (e_type {}, expected ET_REL)", header.e_type));
  if (header.e_machine != kMachineBpf && header.e_machine != kMachineNone)
    fail(
        fmt::format("not a BPF object (e_machine {}, expected {})", header.e_machine, kMachineBpf));
  em_bpf_ = header.e_machine == kMachineBpf;
  section_table_offset_ = header.e_shoff;
  // libelf silently reads fewer sections when the table is cut short; refuse instead.
  if (header.e_shoff != 0) {
    if (header.e_shentsize != sizeof(Elf64_Shdr))
      fail(fmt::format("section header size {} (expected {})", header.e_shentsize,
                       sizeof(Elf64_Shdr)));
    // e_shnum == 0 means the count is in section 0's header (at least that one must fit).
    const uint64_t count = header.e_shnum != 0 ? header.e_shnum : 1;
    if (!fits(header.e_shoff, count * sizeof(Elf64_Shdr), bytes_.size()))
      fail(
          fmt::format("section header table ({} headers at offset {}) extends past the end of "
                      "the file ({} bytes)",
                      count, header.e_shoff, bytes_.size()));
  } else if (header.e_shnum != 0) {
    fail(fmt::format("{} section headers announced but no section header table", header.e_shnum));
  }
}

void ElfImage::read_sections() {
  size_t count = 0;
  if (elf_getshdrnum(elf_.get(), &count) != 0)
    fail(fmt::format("unreadable section header table: {}", libelf_message()));
  if (elf_getshdrstrndx(elf_.get(), &string_table_index_) != 0)
    fail(fmt::format("unreadable section name table index: {}", libelf_message()));
  if (!fits(section_table_offset_, uint64_t{count} * sizeof(Elf64_Shdr), bytes_.size()))
    fail(
        fmt::format("section header table ({} headers at offset {}) extends past the end of the "
                    "file ({} bytes)",
                    count, section_table_offset_, bytes_.size()));
  if (count > 0 && string_table_index_ >= count)
    fail(fmt::format("section name table index {} out of range (0..{})", string_table_index_,
                     count - 1));

  sections_.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    Elf_Scn* scn = elf_getscn(elf_.get(), i);
    GElf_Shdr header;
    if (!scn || !gelf_getshdr(scn, &header))
      fail(fmt::format("unreadable header of section {}: {}", i, libelf_message()));
    Section section;
    section.index = i;
    section.type = header.sh_type;
    section.flags = header.sh_flags;
    section.size = header.sh_size;
    section.link = header.sh_link;
    section.info = header.sh_info;
    section.entsize = header.sh_entsize;
    if (i != 0) {
      const char* name = elf_strptr(elf_.get(), string_table_index_, header.sh_name);
      if (!name)
        fail(fmt::format("section {}: name offset {} outside the section name table", i,
                         header.sh_name));
      section.name = name;
    }
    if (section.type != SHT_NOBITS && section.type != SHT_NULL && section.size > 0) {
      const uint64_t file_size = bytes_.size();
      if (header.sh_offset > file_size || section.size > file_size - header.sh_offset)
        fail(fmt::format(
            "section '{}' (index {}): contents [{}, {}+{}) extend past the end of "
            "the file ({} bytes)",
            section.name, i, header.sh_offset, header.sh_offset, section.size, file_size));
      section.bytes = std::span<const uint8_t>(bytes_.data() + header.sh_offset, section.size);
    }
    sections_.push_back(std::move(section));
  }
}

void ElfImage::read_symbols() {
  const Section* table = nullptr;
  for (const auto& section : sections_) {
    if (section.type != SHT_SYMTAB) continue;
    if (table)
      fail(fmt::format("more than one symbol table (sections {} and {})", table->index,
                       section.index));
    table = &section;
  }
  if (!table) return;
  const std::string where =
      fmt::format("symbol table '{}' (section {})", table->name, table->index);
  if (table->entsize != sizeof(Elf64_Sym))
    fail(fmt::format("{}: entry size {} (expected {})", where, table->entsize, sizeof(Elf64_Sym)));
  if (table->size % sizeof(Elf64_Sym) != 0)
    fail(fmt::format("{}: size {} is not a multiple of {}", where, table->size, sizeof(Elf64_Sym)));
  if (table->link == 0 || table->link >= sections_.size() ||
      sections_[table->link].type != SHT_STRTAB)
    fail(fmt::format("{}: linked section {} is not a string table", where, table->link));

  Elf_Data* data = elf_getdata(elf_getscn(elf_.get(), table->index), nullptr);
  const size_t count = table->size / sizeof(Elf64_Sym);
  if (count > 0 && (!data || data->d_size < table->size))
    fail(fmt::format("{}: unreadable: {}", where, libelf_message()));

  symbols_.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    GElf_Sym raw;
    if (!gelf_getsym(data, static_cast<int>(i), &raw))
      fail(fmt::format("{}: unreadable symbol {}", where, i));
    Symbol symbol;
    symbol.index = i;
    symbol.value = raw.st_value;
    symbol.size = raw.st_size;
    symbol.type = GELF_ST_TYPE(raw.st_info);
    symbol.bind = GELF_ST_BIND(raw.st_info);
    symbol.shndx = raw.st_shndx;
    const char* name = elf_strptr(elf_.get(), table->link, raw.st_name);
    if (!name)
      fail(fmt::format("symbol {}: name offset {} outside the string table", i, raw.st_name));
    symbol.name = name;
    if (symbol.shndx == SHN_XINDEX)
      fail(fmt::format("symbol '{}' (index {}): extended section indices are not supported",
                       symbol.name, i));
    if (symbol.in_section() && symbol.shndx >= sections_.size())
      fail(fmt::format("symbol '{}' (index {}): section index {} does not exist ({} sections)",
                       symbol.name, i, symbol.shndx, sections_.size()));
    symbols_.push_back(std::move(symbol));
  }
}

bool ElfImage::wants_relocations(const Section& target) const {
  return target.executable() || target.name == ".maps";
}

void ElfImage::read_relocations() {
  relocations_.resize(sections_.size());
  for (const auto& section : sections_) {
    if (section.type != SHT_REL && section.type != SHT_RELA) continue;
    const bool rela = section.type == SHT_RELA;
    const std::string where = fmt::format("relocation section '{}'", section.name);
    if (section.info >= sections_.size())
      fail(fmt::format("{}: target section index {} does not exist", where, section.info));
    const Section& target = sections_[section.info];
    if (!wants_relocations(target)) continue;

    const size_t entry_size = rela ? sizeof(Elf64_Rela) : sizeof(Elf64_Rel);
    if (section.entsize != entry_size)
      fail(fmt::format("{}: entry size {} (expected {})", where, section.entsize, entry_size));
    if (section.size % entry_size != 0)
      fail(fmt::format("{}: size {} is not a multiple of {}", where, section.size, entry_size));
    if (symbols_.empty() || section.link >= sections_.size() ||
        sections_[section.link].type != SHT_SYMTAB)
      fail(fmt::format("{}: linked section {} is not the symbol table", where, section.link));

    const size_t count = section.size / entry_size;
    Elf_Data* data = elf_getdata(elf_getscn(elf_.get(), section.index), nullptr);
    if (count > 0 && (!data || data->d_size < section.size))
      fail(fmt::format("{}: unreadable: {}", where, libelf_message()));

    auto& list = relocations_[target.index];
    for (size_t i = 0; i < count; ++i) {
      Relocation relocation;
      relocation.has_addend = rela;
      uint64_t info = 0;
      if (rela) {
        GElf_Rela raw;
        if (!gelf_getrela(data, static_cast<int>(i), &raw))
          fail(fmt::format("{}: unreadable entry {}", where, i));
        relocation.offset = raw.r_offset;
        relocation.addend = raw.r_addend;
        info = raw.r_info;
      } else {
        GElf_Rel raw;
        if (!gelf_getrel(data, static_cast<int>(i), &raw))
          fail(fmt::format("{}: unreadable entry {}", where, i));
        relocation.offset = raw.r_offset;
        info = raw.r_info;
      }
      relocation.type = static_cast<uint32_t>(GELF_R_TYPE(info));
      relocation.symbol = GELF_R_SYM(info);
      if (relocation.symbol >= symbols_.size())
        fail(fmt::format("{}: entry {} names symbol {} (the table has {})", where, i,
                         relocation.symbol, symbols_.size()));
      if (relocation.offset >= target.size)
        fail(fmt::format("{}: entry {} at offset {} is outside section '{}' ({} bytes)", where, i,
                         relocation.offset, target.name, target.size));
      list.push_back(relocation);
    }
  }
  for (auto& list : relocations_) {
    std::stable_sort(list.begin(), list.end(),
                     [](const Relocation& a, const Relocation& b) { return a.offset < b.offset; });
  }
}

}  // namespace nicsim::ebpf::elf
