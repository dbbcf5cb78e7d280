#include <fmt/format.h>

#include <algorithm>

#include "ebpf/util/error.h"
#include "firmware/image/image.h"
#include "firmware/isa/address_map.h"
#include "firmware/isa/bundle.h"
#include "firmware/isa/helper_units.h"

namespace nicsim::firmware {

const HelperBinding* Image::find_helper(int32_t id) const {
  for (const auto& helper : helpers) {
    if (helper.id == id) return &helper;
  }
  return nullptr;
}

namespace {

[[noreturn]] void fail(const Image& image, const std::string& what) {
  throw Error(fmt::format("image '{}': {}", image.program_name, what));
}

void validate_code(const Image& image) {
  const size_t bundles = image.bundle_count();
  if (image.lanes < 1 || image.lanes > kMaxLanes)
    fail(image, fmt::format("{} lanes (the core supports 1..{})", image.lanes, kMaxLanes));
  if (image.memory_ports < 1 || image.memory_ports > image.lanes)
    fail(image, fmt::format("{} memory ports for {} lanes", image.memory_ports, image.lanes));
  if (image.code.size() % image.lanes != 0)
    fail(image, fmt::format("code holds {} slots, not a multiple of {} lanes", image.code.size(),
                            image.lanes));
  if (bundles == 0) fail(image, "no code");
  if (bundles > kMaxBundles)
    fail(image, fmt::format("{} bundles (the core addresses at most {})", bundles, kMaxBundles));
  if (image.program_bundles == 0 || image.program_bundles > bundles)
    fail(image, fmt::format("program bundles {} outside 1..{}", image.program_bundles, bundles));
  if (image.entry_bundle >= image.program_bundles)
    fail(image, fmt::format("entry bundle {} outside the program", image.entry_bundle));
}

void validate_bundles(const Image& image) {
  const size_t bundles = image.bundle_count();
  for (size_t n = 0; n < bundles; ++n) {
    const auto slots = image.bundle(n);
    if (std::string error = check_bundle(slots, image.memory_ports); !error.empty())
      fail(image, fmt::format("bundle {}: {}", n, error));
    for (size_t lane = 0; lane < slots.size(); ++lane) {
      const Slot& s = slots[lane];
      const auto where = [&] { return fmt::format("bundle {} lane {}", n, lane); };
      if ((s.op == OpClass::Branch && !s.targets_exit_vector()) || s.op == OpClass::CallF) {
        if (s.target() >= bundles)
          fail(image, fmt::format("{}: target {} outside the code", where(), s.target()));
      }
      if (uses_pool(s) && static_cast<uint32_t>(s.imm) >= image.constants.size())
        fail(image, fmt::format("{}: constant {} outside the pool of {}", where(),
                                static_cast<uint32_t>(s.imm), image.constants.size()));
      if (s.op == OpClass::HCall) {
        const HelperBinding* binding = image.find_helper(s.imm);
        if (binding == nullptr || binding->kind != HelperKind::Unit)
          fail(image, fmt::format("{}: hcall {} has no hardware-unit binding", where(), s.imm));
      }
      if (s.op == OpClass::CallF) {
        const bool known = std::any_of(image.helpers.begin(), image.helpers.end(), [&](auto& h) {
          return h.kind == HelperKind::Routine && h.entry == s.target();
        });
        if (!known)
          fail(image, fmt::format("{}: callf {} is the entry of no routine", where(), s.target()));
        if (n >= image.program_bundles)
          fail(image, fmt::format("{}: firmware routines may not call routines", where()));
      }
    }
  }
}

void validate_maps(const Image& image) {
  if (image.maps.size() > kMaxMaps)
    fail(image, fmt::format("{} maps (at most {})", image.maps.size(), kMaxMaps));
  std::vector<std::pair<uint64_t, uint64_t>> extents;
  for (const auto& map : image.maps) {
    const auto where = [&] { return fmt::format("map '{}'", map.name); };
    if (map.value_size == 0 && map.capacity != 0)
      fail(image, fmt::format("{}: value slots of zero bytes", where()));
    if (map.stride != ((uint64_t{map.value_size} + 7) & ~uint64_t{7}))
      fail(image,
           fmt::format("{}: stride {} for value size {}", where(), map.stride, map.value_size));
    const uint64_t begin = map.base;
    const uint64_t end = begin + uint64_t{map.stride} * map.capacity;
    if (begin < kMapBase || end > uint64_t{kMapBase} + kMapWindowSize)
      fail(image,
           fmt::format("{}: region 0x{:x}..0x{:x} outside the map window", where(), begin, end));
    extents.emplace_back(begin, end);
  }
  std::sort(extents.begin(), extents.end());
  for (size_t i = 1; i < extents.size(); ++i) {
    if (extents[i].first < extents[i - 1].second) fail(image, "map regions overlap");
  }
}

void validate_helpers(const Image& image) {
  for (size_t i = 0; i < image.helpers.size(); ++i) {
    const HelperBinding& h = image.helpers[i];
    for (size_t j = 0; j < i; ++j) {
      if (image.helpers[j].id == h.id) fail(image, fmt::format("helper {} is bound twice", h.id));
    }
    if (h.kind == HelperKind::Unit) {
      if (find_hardware_helper(h.id) == nullptr)
        fail(image, fmt::format("helper {} ('{}') is bound to a hardware unit that does not exist",
                                h.id, h.name));
    } else if (h.kind == HelperKind::Routine) {
      if (h.entry < image.program_bundles || h.entry >= image.bundle_count())
        fail(image, fmt::format("helper {} ('{}'): routine entry {} outside the routines", h.id,
                                h.name, h.entry));
    } else {
      fail(image, fmt::format("helper {}: unknown binding kind", h.id));
    }
  }
}

void validate_debug(const Image& image) {
  if (image.origins.empty()) return;
  if (image.origins.size() != image.code.size())
    fail(image,
         fmt::format("origins for {} slots, code has {}", image.origins.size(), image.code.size()));
  for (size_t i = 0; i < image.origins.size(); ++i) {
    for (uint32_t index : image.origins[i]) {
      if (index >= image.source.size())
        fail(image, fmt::format("slot {} comes from eBPF instruction {}, the source has {}", i,
                                index, image.source.size()));
    }
  }
}

}  // namespace

void validate_image(const Image& image) {
  if (image.entry_kind != EntryKind::Xdp && image.entry_kind != EntryKind::Raw)
    fail(image, "unknown entry kind");
  validate_code(image);
  validate_helpers(image);
  validate_bundles(image);
  validate_maps(image);
  validate_debug(image);
}

}  // namespace nicsim::firmware
