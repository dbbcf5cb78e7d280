// Layouts (linux/btf.h for .BTF; libbpf's btf_ext_header for .BTF.ext), all little-endian:
//   .BTF      magic u16 0xeB9F, version u8, flags u8, hdr_len u32, type_off, type_len,
//             str_off, str_len (u32, relative to the end of the header)
//   .BTF.ext  magic, version, flags, hdr_len, func_info_off/len, line_info_off/len, ...
//   line info block: record size u32, then per section {sec_name_off u32, count u32,
//             count records {insn_off (bytes), file_name_off, line_off, line << 10 | column}}

#include "ebpf/elf/line_info.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string_view>

#include "ebpf/elf/bytes.h"

namespace nicsim::ebpf::elf {

namespace {

constexpr uint16_t kBtfMagic = 0xeB9F;
constexpr size_t kBtfHeaderSize = 24;
constexpr size_t kBtfExtMinimumHeaderSize = 24;  // through line_info_len
constexpr size_t kLineRecordMinimumSize = 16;
constexpr size_t kInstructionSize = 8;

class BtfStrings {
 public:
  BtfStrings(const ElfImage& image, const Section& btf) : image_(image) {
    const auto bytes = btf.bytes;
    if (bytes.size() < kBtfHeaderSize) image.fail(".BTF: section too small for its header");
    if (load_le16(bytes, 0) != kBtfMagic) image.fail(".BTF: bad magic (not little-endian BTF)");
    const uint32_t header_size = load_le32(bytes, 4);
    const uint32_t offset = load_le32(bytes, 16);
    const uint32_t length = load_le32(bytes, 20);
    if (header_size < kBtfHeaderSize || !fits(header_size, 0, bytes.size()) ||
        !fits(uint64_t{header_size} + offset, length, bytes.size()))
      image.fail(fmt::format(".BTF: string section (offset {}, {} bytes) outside the section",
                             offset, length));
    strings_ = std::string_view(reinterpret_cast<const char*>(bytes.data()) + header_size + offset,
                                length);
  }

  std::string at(uint32_t offset, std::string_view what) const {
    if (offset >= strings_.size())
      image_.fail(fmt::format(".BTF.ext: {} string offset {} outside the BTF strings ({} bytes)",
                              what, offset, strings_.size()));
    const auto end = strings_.find('\0', offset);
    if (end == std::string_view::npos)
      image_.fail(fmt::format(".BTF.ext: {} string at offset {} is not terminated", what, offset));
    return std::string(strings_.substr(offset, end - offset));
  }

 private:
  const ElfImage& image_;
  std::string_view strings_;
};

// Source files read on demand when BTF carries no text, cached for one load.
class SourceFiles {
 public:
  explicit SourceFiles(std::string root) : root_(std::move(root)) {}

  std::string line(const std::string& file, uint32_t number) {
    auto it = cache_.find(file);
    if (it == cache_.end()) it = cache_.emplace(file, read(file)).first;
    const auto& lines = it->second;
    if (!lines || number == 0 || number > lines->size()) return {};
    return (*lines)[number - 1];
  }

 private:
  std::optional<std::vector<std::string>> read(const std::string& file) const {
    namespace fs = std::filesystem;
    std::vector<fs::path> candidates;
    const fs::path recorded(file);
    if (!root_.empty()) {
      if (recorded.is_relative()) candidates.push_back(fs::path(root_) / recorded);
      candidates.push_back(fs::path(root_) / recorded.filename());
    }
    candidates.push_back(recorded);
    for (const auto& path : candidates) {
      std::error_code error;
      if (!fs::is_regular_file(path, error)) continue;
      std::ifstream in(path);
      if (!in) continue;
      std::vector<std::string> lines;
      for (std::string text; std::getline(in, text);)
        lines.push_back(std::move(text));
      return lines;
    }
    return std::nullopt;
  }

  std::string root_;
  std::map<std::string, std::optional<std::vector<std::string>>> cache_;
};

std::string trimmed(std::string text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return {};
  const auto last = text.find_last_not_of(" \t\r");
  return text.substr(first, last - first + 1);
}

}  // namespace

LineTable read_line_info(const ElfImage& image, const std::string& source_root) {
  LineTable table;
  const Section* ext = image.find_section(".BTF.ext");
  const Section* btf = image.find_section(".BTF");
  if (!ext || ext->bytes.empty()) return table;
  if (!btf || btf->bytes.empty()) image.fail(".BTF.ext: present without a .BTF section");
  const BtfStrings strings(image, *btf);
  SourceFiles sources(source_root);

  const auto bytes = ext->bytes;
  if (bytes.size() < kBtfExtMinimumHeaderSize)
    image.fail(".BTF.ext: section too small for its header");
  if (load_le16(bytes, 0) != kBtfMagic) image.fail(".BTF.ext: bad magic");
  const uint32_t header_size = load_le32(bytes, 4);
  const uint32_t block_offset = load_le32(bytes, 16);
  const uint32_t block_size = load_le32(bytes, 20);
  if (header_size < kBtfExtMinimumHeaderSize || !fits(header_size, 0, bytes.size()))
    image.fail(fmt::format(".BTF.ext: header size {} invalid", header_size));
  if (block_size == 0) return table;
  const uint64_t begin = uint64_t{header_size} + block_offset;
  if (!fits(begin, block_size, bytes.size()) || block_size < 4)
    image.fail(fmt::format(".BTF.ext: line info (offset {}, {} bytes) outside the section",
                           block_offset, block_size));
  const auto block = bytes.subspan(begin, block_size);
  const uint32_t record_size = load_le32(block, 0);
  if (record_size < kLineRecordMinimumSize || record_size % 4 != 0)
    image.fail(fmt::format(".BTF.ext: line info record size {} invalid", record_size));

  for (size_t at = 4; at < block.size();) {
    if (!fits(at, 8, block.size()))
      image.fail(fmt::format(".BTF.ext: truncated line info section header at offset {}", at));
    const std::string section_name = strings.at(load_le32(block, at), "section name");
    const uint32_t count = load_le32(block, at + 4);
    at += 8;
    if (count == 0 || !fits(at, uint64_t{count} * record_size, block.size()))
      image.fail(
          fmt::format(".BTF.ext: line info for section '{}' ({} records) invalid or "
                      "truncated",
                      section_name, count));
    const Section* section = image.find_section(section_name);
    if (!section || !section->executable())
      image.fail(
          fmt::format(".BTF.ext: line info for '{}', which is not a code section", section_name));
    auto& records = table[section->index];
    for (uint32_t i = 0; i < count; ++i, at += record_size) {
      const uint32_t insn_offset = load_le32(block, at);
      if (insn_offset % kInstructionSize != 0 || insn_offset >= section->size)
        image.fail(
            fmt::format(".BTF.ext: line info record {} of section '{}': instruction "
                        "offset {} invalid",
                        i, section_name, insn_offset));
      LineRecord record;
      record.insn = insn_offset / kInstructionSize;
      record.location.file = strings.at(load_le32(block, at + 4), "file name");
      record.location.text = trimmed(strings.at(load_le32(block, at + 8), "source line"));
      const uint32_t line_column = load_le32(block, at + 12);
      record.location.line = line_column >> 10;
      record.location.column = line_column & 0x3ff;
      if (record.location.text.empty())
        record.location.text = trimmed(sources.line(record.location.file, record.location.line));
      records.push_back(std::move(record));
    }
  }
  for (auto& [index, records] : table) {
    std::stable_sort(records.begin(), records.end(),
                     [](const LineRecord& a, const LineRecord& b) { return a.insn < b.insn; });
  }
  return table;
}

}  // namespace nicsim::ebpf::elf
