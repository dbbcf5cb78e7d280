#include "ebpf/elf/elf_loader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "ebpf/elf/elf_image.h"
#include "ebpf/elf/line_info.h"
#include "ebpf/elf/map_table.h"
#include "ebpf/elf/program_linker.h"

namespace nicsim::ebpf {

namespace {

std::string read_license(const elf::ElfImage& image) {
  const elf::Section* section = image.find_section("license");
  if (!section) return {};
  const auto bytes = section->bytes;
  const auto end = std::find(bytes.begin(), bytes.end(), uint8_t{0});
  return std::string(bytes.begin(), end);
}

}  // namespace

ElfObject load_elf_bytes(std::span<const uint8_t> bytes, const std::string& name,
                         const ElfLoadOptions& options) {
  const elf::ElfImage image(bytes, name);
  elf::MapTable maps;
  // Index order: BTF-defined maps, legacy maps, global data, then map-in-map templates.
  elf::collect_btf_maps(image, maps);
  elf::collect_legacy_maps(image, maps);
  elf::collect_data_maps(image, maps);
  const elf::LineTable lines = elf::read_line_info(image, options.source_root);

  ElfObject object;
  object.path = name;
  object.license = read_license(image);
  auto linked = elf::link_programs(image, maps, lines);
  object.programs = std::move(linked.programs);
  object.skipped_programs = std::move(linked.skipped);
  object.maps = maps.finish();
  return object;
}

ElfObject load_elf_file(const std::string& path, const ElfLoadOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ElfError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  if (in.bad()) throw ElfError(fmt::format("{}: read error", path));
  return load_elf_bytes(bytes, path, options);
}

}  // namespace nicsim::ebpf
