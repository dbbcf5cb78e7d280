#include <string>

#include "verifier/platform/platform_tables.h"

namespace nicsim::verifier {
namespace {

bool is_one_of(int32_t id, std::initializer_list<int32_t> ids) {
  for (int32_t i : ids) {
    if (i == id) return true;
  }
  return false;
}

// Helpers that only work on one family of map types (check_map_func_compatibility, second
// half): the helper side of the rule.
bool helper_accepts_map(int32_t helper, MapType map) {
  using M = MapType;
  const auto is = [map](std::initializer_list<MapType> types) {
    for (MapType t : types) {
      if (t == map) return true;
    }
    return false;
  };
  switch (helper) {
    case 12:
      return is({M::ProgArray});
    case 22:
    case 25:
    case 55:
    case 111:
    case 121:
      return is({M::PerfEventArray});
    case 130:
    case 131:
    case 134:
    case 198:
    case 199:
    case 200:
      return is({M::Ringbuf});
    case 209:
      return is({M::UserRingbuf});
    case 27:
      return is({M::StackTrace});
    case 33:
    case 37:
      return is({M::CgroupArray});
    case 51:
      return is({M::Devmap, M::DevmapHash, M::Cpumap, M::Xskmap});
    case 52:
    case 60:
    case 53:
      return is({M::Sockmap});
    case 72:
    case 71:
    case 70:
      return is({M::Sockhash});
    case 81:
      return is({M::CgroupStorage, M::PercpuCgroupStorage});
    case 82:
      return is({M::ReuseportSockarray, M::Sockmap, M::Sockhash});
    case 88:
      return is({M::Queue, M::Stack});
    case 89:
    case 87:
      return is({M::Queue, M::Stack, M::BloomFilter});
    case 195:
      return is({M::PercpuArray, M::PercpuHash, M::LruPercpuHash});
    case 107:
    case 108:
      return is({M::SkStorage});
    case 145:
    case 146:
      return is({M::InodeStorage});
    case 156:
    case 157:
      return is({M::TaskStorage});
    case 210:
    case 211:
      return is({M::CgrpStorage});
    default:
      return true;
  }
}

// The map side of the rule: map types usable only with particular helpers.
bool map_accepts_helper(MapType map, int32_t helper) {
  using M = MapType;
  switch (map) {
    case M::ProgArray:
      return helper == 12;
    case M::PerfEventArray:
      return is_one_of(helper, {22, 25, 111, 55, 121});
    case M::Ringbuf:
      return is_one_of(helper, {130, 131, 134, 198, 199, 200});
    case M::UserRingbuf:
      return helper == 209;
    case M::StackTrace:
      return helper == 27;
    case M::CgroupArray:
      return is_one_of(helper, {33, 37});
    case M::CgroupStorage:
    case M::PercpuCgroupStorage:
      return helper == 81;
    case M::Devmap:
    case M::DevmapHash:
    case M::Xskmap:
      return is_one_of(helper, {51, 1});
    case M::Cpumap:
      return helper == 51;
    case M::ArrayOfMaps:
    case M::HashOfMaps:
      return helper == 1;
    // Programs may also update and delete socket maps (may_update_sockmap).
    case M::Sockmap:
      return is_one_of(helper, {52, 53, 60, 82, 1, 2, 3});
    case M::Sockhash:
      return is_one_of(helper, {72, 70, 71, 82, 1, 2, 3});
    case M::ReuseportSockarray:
      return helper == 82;
    case M::Queue:
    case M::Stack:
      return is_one_of(helper, {87, 88, 89});
    case M::SkStorage:
      return is_one_of(helper, {107, 108, 194});
    case M::InodeStorage:
      return is_one_of(helper, {145, 146, 194});
    case M::TaskStorage:
      return is_one_of(helper, {156, 157, 194});
    case M::CgrpStorage:
      return is_one_of(helper, {210, 211, 194});
    case M::BloomFilter:
      return is_one_of(helper, {87, 89});
    default:
      return true;
  }
}

class LinuxPlatform : public Platform {
 public:
  const ProgramTypeRules* program_type(ProgramType type) const override {
    return linux_program_type_rules(type);
  }
  const HelperPrototype* helper(int32_t id) const override { return find_helper_prototype(id); }
  MapTypeRules map_type(MapType type) const override {
    MapTypeRules rules;
    switch (type) {
      case MapType::ArrayOfMaps:
      case MapType::HashOfMaps:
        rules.lookup_returns_map = true;
        rules.value_is_map_or_prog = true;
        break;
      case MapType::ProgArray:
        rules.is_program_array = true;
        rules.value_is_map_or_prog = true;
        rules.has_values = false;
        break;
      case MapType::Ringbuf:
      case MapType::UserRingbuf:
        rules.is_ringbuf = true;
        rules.has_values = false;
        break;
      case MapType::PerfEventArray:
      case MapType::StackTrace:
      case MapType::CgroupArray:
      case MapType::Cpumap:
      case MapType::Queue:
      case MapType::Stack:
      case MapType::BloomFilter:
        rules.has_values = false;
        break;
      default:
        break;
    }
    return rules;
  }
  bool map_helper_compatible(MapType map, int32_t helper_id) const override {
    // A map of unknown type (test harnesses) cannot be refused on its type.
    if (map == MapType::Unspec) return true;
    return map_accepts_helper(map, helper_id) && helper_accepts_map(helper_id, map);
  }
};

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

}  // namespace

const Platform& linux_platform() {
  static const LinuxPlatform platform;
  return platform;
}

ProgramType guess_program_type(std::string_view object_path, std::string_view section) {
  std::string_view file = object_path;
  if (const auto slash = file.rfind('/'); slash != std::string_view::npos) {
    file = file.substr(slash + 1);
  }
  if (contains(file, "xdp") || contains(section, "xdp")) return ProgramType::Xdp;
  return ProgramType::SchedCls;
}

}  // namespace nicsim::verifier
