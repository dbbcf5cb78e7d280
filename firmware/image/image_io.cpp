// Binary image reader and writer (docs/nic-isa.md section 10).

#include <fmt/format.h>

#include <array>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>

#include "ebpf/util/error.h"
#include "firmware/image/image.h"

namespace nicsim::firmware {

namespace {

constexpr std::array<uint8_t, 8> kMagic = {'N', 'I', 'C', 'I', 'M', 'G', '\r', '\n'};
constexpr size_t kHeaderSize = 48;
constexpr size_t kSectionEntrySize = 16;
constexpr size_t kMapRecordSize = 40;
constexpr size_t kHelperRecordSize = 16;
constexpr size_t kChecksumOffset = 16;

enum SectionKind : uint32_t {
  kCode = 1,
  kConstants = 2,
  kMaps = 3,
  kHelpers = 4,
  kStrings = 5,
  kSource = 6,
  kOrigins = 7,
};

class ByteWriter {
 public:
  void u8(uint8_t v) { bytes_.push_back(v); }
  void u16(uint16_t v) { put(v, 2); }
  void u32(uint32_t v) { put(v, 4); }
  void u64(uint64_t v) { put(v, 8); }
  void align8() {
    while (bytes_.size() % 8)
      bytes_.push_back(0);
  }
  void patch_u32(size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i)
      bytes_[at + i] = static_cast<uint8_t>(v >> (8 * i));
  }
  size_t size() const { return bytes_.size(); }
  std::vector<uint8_t>& bytes() { return bytes_; }

 private:
  void put(uint64_t v, int n) {
    for (int i = 0; i < n; ++i)
      bytes_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  std::vector<uint8_t> bytes_;
};

class StringTable {
 public:
  uint32_t add(const std::string& s) {
    if (auto it = offsets_.find(s); it != offsets_.end()) return it->second;
    const auto offset = static_cast<uint32_t>(data_.size());
    data_.insert(data_.end(), s.begin(), s.end());
    data_.push_back(0);
    offsets_.emplace(s, offset);
    return offset;
  }
  const std::vector<uint8_t>& data() const { return data_; }

 private:
  std::vector<uint8_t> data_;
  std::map<std::string, uint32_t> offsets_;
};

struct Section {
  uint32_t kind;
  std::vector<uint8_t> data;
  uint32_t count;
};

std::vector<uint8_t> encode_u64s(std::span<const uint64_t> values) {
  ByteWriter w;
  for (uint64_t v : values)
    w.u64(v);
  return std::move(w.bytes());
}

}  // namespace

uint32_t crc32(std::span<const uint8_t> bytes) {
  static const auto table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k)
        c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  uint32_t crc = 0xffffffffu;
  for (uint8_t b : bytes)
    crc = table[(crc ^ b) & 0xff] ^ (crc >> 8);
  return crc ^ 0xffffffffu;
}

std::vector<uint8_t> write_image(const Image& image) {
  validate_image(image);
  StringTable strings;
  strings.add(image.program_name);  // offset 0

  std::vector<Section> sections;
  {
    ByteWriter w;
    for (const Slot& slot : image.code)
      w.u64(encode_slot(slot));
    sections.push_back({kCode, std::move(w.bytes()), static_cast<uint32_t>(image.bundle_count())});
  }
  sections.push_back(
      {kConstants, encode_u64s(image.constants), static_cast<uint32_t>(image.constants.size())});
  {
    ByteWriter w;
    for (const auto& map : image.maps) {
      w.u32(static_cast<uint32_t>(map.type));
      w.u32(map.key_size);
      w.u32(map.value_size);
      w.u32(map.max_entries);
      w.u32(map.flags);
      w.u32(map.base);
      w.u32(map.stride);
      w.u32(map.capacity);
      w.u32(map.read_only ? 1 : 0);
      w.u32(strings.add(map.name));
    }
    sections.push_back({kMaps, std::move(w.bytes()), static_cast<uint32_t>(image.maps.size())});
  }
  {
    ByteWriter w;
    for (const auto& helper : image.helpers) {
      w.u32(static_cast<uint32_t>(helper.id));
      w.u32(static_cast<uint32_t>(helper.kind));
      w.u32(helper.entry);
      w.u32(strings.add(helper.name));
    }
    sections.push_back(
        {kHelpers, std::move(w.bytes()), static_cast<uint32_t>(image.helpers.size())});
  }
  sections.push_back(
      {kSource, encode_u64s(image.source), static_cast<uint32_t>(image.source.size())});
  if (!image.origins.empty()) {
    ByteWriter w;
    uint32_t offset = 0;
    for (const auto& list : image.origins) {
      w.u32(offset);
      w.u32(static_cast<uint32_t>(list.size()));
      offset += static_cast<uint32_t>(list.size());
    }
    for (const auto& list : image.origins) {
      for (uint32_t index : list)
        w.u32(index);
    }
    sections.push_back(
        {kOrigins, std::move(w.bytes()), static_cast<uint32_t>(image.origins.size())});
  }
  sections.push_back({kStrings, strings.data(), static_cast<uint32_t>(strings.data().size())});

  ByteWriter out;
  for (uint8_t b : kMagic)
    out.u8(b);
  out.u16(kImageVersionMajor);
  out.u16(kImageVersionMinor);
  out.u32(0);  // total size, patched
  out.u32(0);  // checksum, patched
  out.u8(image.lanes);
  out.u8(image.memory_ports);
  out.u8(static_cast<uint8_t>(image.entry_kind));
  out.u8(0);
  out.u32(static_cast<uint32_t>(sections.size()));
  out.u32(image.entry_bundle);
  out.u32(image.program_bundles);
  while (out.size() < kHeaderSize)
    out.u8(0);
  const size_t table_at = out.size();
  for (size_t i = 0; i < sections.size() * kSectionEntrySize; ++i)
    out.u8(0);
  out.align8();
  for (size_t i = 0; i < sections.size(); ++i) {
    const size_t offset = out.size();
    for (uint8_t b : sections[i].data)
      out.u8(b);
    out.align8();
    const size_t entry = table_at + i * kSectionEntrySize;
    out.patch_u32(entry, sections[i].kind);
    out.patch_u32(entry + 4, static_cast<uint32_t>(offset));
    out.patch_u32(entry + 8, static_cast<uint32_t>(sections[i].data.size()));
    out.patch_u32(entry + 12, sections[i].count);
  }
  out.patch_u32(12, static_cast<uint32_t>(out.size()));
  out.patch_u32(kChecksumOffset, crc32(out.bytes()));
  return std::move(out.bytes());
}

namespace {

class ByteReader {
 public:
  ByteReader(std::span<const uint8_t> bytes, const std::string& name, std::string what)
      : bytes_(bytes), name_(name), what_(std::move(what)) {}
  uint8_t u8() { return static_cast<uint8_t>(get(1)); }
  uint16_t u16() { return static_cast<uint16_t>(get(2)); }
  uint32_t u32() { return static_cast<uint32_t>(get(4)); }
  uint64_t u64() { return get(8); }
  size_t position() const { return position_; }
  [[noreturn]] void fail(const std::string& message) const {
    throw Error(fmt::format("image '{}': {}: {}", name_, what_, message));
  }

 private:
  uint64_t get(int n) {
    if (bytes_.size() - position_ < static_cast<size_t>(n))
      fail(fmt::format("truncated at byte {}", position_));
    uint64_t v = 0;
    for (int i = 0; i < n; ++i)
      v |= uint64_t{bytes_[position_ + i]} << (8 * i);
    position_ += n;
    return v;
  }
  std::span<const uint8_t> bytes_;
  const std::string& name_;
  std::string what_;
  size_t position_ = 0;
};

std::string string_at(std::span<const uint8_t> strings, uint32_t offset, const ByteReader& r) {
  if (offset >= strings.size()) r.fail(fmt::format("string offset {} out of range", offset));
  const auto* begin = strings.data() + offset;
  const auto* end = static_cast<const uint8_t*>(std::memchr(begin, 0, strings.size() - offset));
  if (end == nullptr) r.fail(fmt::format("string at {} is not terminated", offset));
  return std::string(begin, end);
}

}  // namespace

Image read_image(std::span<const uint8_t> bytes, const std::string& name) {
  ByteReader header(bytes, name, "header");
  for (uint8_t expected : kMagic) {
    if (header.u8() != expected) header.fail("not a nicsim NIC image (bad magic)");
  }
  const uint16_t major = header.u16();
  const uint16_t minor = header.u16();
  if (major != kImageVersionMajor)
    header.fail(fmt::format("version {}.{} (this reader understands {}.x)", major, minor,
                            kImageVersionMajor));
  const uint32_t total = header.u32();
  if (total != bytes.size())
    header.fail(fmt::format("records {} bytes, the file has {}", total, bytes.size()));
  const uint32_t checksum = header.u32();
  std::vector<uint8_t> zeroed(bytes.begin(), bytes.end());
  std::memset(zeroed.data() + kChecksumOffset, 0, 4);
  if (crc32(zeroed) != checksum)
    header.fail(fmt::format("checksum mismatch (recorded 0x{:08x}, computed 0x{:08x})", checksum,
                            crc32(zeroed)));

  Image image;
  image.lanes = header.u8();
  image.memory_ports = header.u8();
  image.entry_kind = static_cast<EntryKind>(header.u8());
  header.u8();
  const uint32_t section_count = header.u32();
  image.entry_bundle = header.u32();
  image.program_bundles = header.u32();
  if (image.lanes < 1 || image.lanes > kMaxLanes) header.fail(fmt::format("{} lanes", image.lanes));
  if (section_count > 64) header.fail(fmt::format("{} sections", section_count));

  struct Entry {
    uint32_t kind, offset, size, count;
  };
  std::map<uint32_t, Entry> table;
  ByteReader sections(bytes.subspan(std::min<size_t>(kHeaderSize, bytes.size())), name,
                      "section table");
  for (uint32_t i = 0; i < section_count; ++i) {
    Entry e{sections.u32(), sections.u32(), sections.u32(), sections.u32()};
    if (uint64_t{e.offset} + e.size > bytes.size())
      sections.fail(fmt::format("section {} (kind {}) extends past the end", i, e.kind));
    if (!table.emplace(e.kind, e).second)
      sections.fail(fmt::format("section kind {} appears twice", e.kind));
  }
  const auto section = [&](uint32_t kind, const char* what, size_t record, bool required) {
    auto it = table.find(kind);
    if (it == table.end()) {
      if (required) sections.fail(fmt::format("no {} section", what));
      return std::make_pair(ByteReader({}, name, what), uint32_t{0});
    }
    const Entry& e = it->second;
    if (record != 0 && uint64_t{e.count} * record != e.size)
      sections.fail(
          fmt::format("{} section: {} records do not fill {} bytes", what, e.count, e.size));
    return std::make_pair(ByteReader(bytes.subspan(e.offset, e.size), name, what), e.count);
  };

  std::span<const uint8_t> strings;
  if (auto it = table.find(kStrings); it != table.end())
    strings = bytes.subspan(it->second.offset, it->second.size);
  else
    sections.fail("no strings section");

  {
    auto [r, bundles] = section(kCode, "code", 0, true);
    if (uint64_t{bundles} * image.lanes * 8 != table.at(kCode).size)
      r.fail(fmt::format("{} bundles of {} lanes do not fill {} bytes", bundles, image.lanes,
                         table.at(kCode).size));
    image.code.resize(size_t{bundles} * image.lanes);
    for (size_t i = 0; i < image.code.size(); ++i) {
      const uint64_t word = r.u64();
      if (std::string error = decode_slot(word, &image.code[i]); !error.empty())
        r.fail(fmt::format("bundle {} lane {}: {}", i / image.lanes, i % image.lanes, error));
    }
  }
  {
    auto [r, count] = section(kConstants, "constants", 8, true);
    image.constants.resize(count);
    for (auto& c : image.constants)
      c = r.u64();
  }
  {
    auto [r, count] = section(kMaps, "maps", kMapRecordSize, true);
    image.maps.resize(count);
    for (auto& map : image.maps) {
      map.type = static_cast<ebpf::MapType>(r.u32());
      map.key_size = r.u32();
      map.value_size = r.u32();
      map.max_entries = r.u32();
      map.flags = r.u32();
      map.base = r.u32();
      map.stride = r.u32();
      map.capacity = r.u32();
      map.read_only = (r.u32() & 1) != 0;
      map.name = string_at(strings, r.u32(), r);
    }
  }
  {
    auto [r, count] = section(kHelpers, "helpers", kHelperRecordSize, true);
    image.helpers.resize(count);
    for (auto& helper : image.helpers) {
      helper.id = static_cast<int32_t>(r.u32());
      helper.kind = static_cast<HelperKind>(r.u32());
      helper.entry = r.u32();
      helper.name = string_at(strings, r.u32(), r);
    }
  }
  {
    auto [r, count] = section(kSource, "source", 8, false);
    image.source.resize(count);
    for (auto& insn : image.source)
      insn = r.u64();
  }
  if (table.count(kOrigins)) {
    auto [r, count] = section(kOrigins, "origins", 0, true);
    if (count != image.code.size())
      r.fail(fmt::format("{} entries for {} slots", count, image.code.size()));
    std::vector<std::pair<uint32_t, uint32_t>> ranges(count);
    for (auto& [offset, n] : ranges)
      offset = r.u32(), n = r.u32();
    const size_t list_start = r.position();
    const size_t list_length = (table.at(kOrigins).size - list_start) / 4;
    std::vector<uint32_t> list(list_length);
    for (auto& v : list)
      v = r.u32();
    image.origins.resize(count);
    for (size_t i = 0; i < count; ++i) {
      const auto [offset, n] = ranges[i];
      if (uint64_t{offset} + n > list.size()) r.fail(fmt::format("slot {}: list out of range", i));
      image.origins[i].assign(list.begin() + offset, list.begin() + offset + n);
    }
  }
  image.program_name = string_at(strings, 0, sections);
  validate_image(image);
  return image;
}

void save_image_file(const Image& image, const std::string& path) {
  const std::vector<uint8_t> bytes = write_image(image);
  std::ofstream out(path, std::ios::binary);
  if (!out) throw Error(fmt::format("{}: cannot open for writing", path));
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  if (!out) throw Error(fmt::format("{}: write failed", path));
}

Image load_image_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(fmt::format("{}: cannot open", path));
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  return read_image(bytes, path);
}

}  // namespace nicsim::firmware
