#include "ebpf/runtime/map_json.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "ebpf/maps/map_flags.h"
#include "ebpf/util/error.h"

namespace nicsim::ebpf {

namespace {

enum class ValueKind { Bytes, PerCpu, Program, InnerMap, None };

ValueKind value_kind(MapType type) {
  switch (type) {
    case MapType::PercpuArray:
    case MapType::PercpuHash:
    case MapType::LruPercpuHash:
      return ValueKind::PerCpu;
    case MapType::ProgArray:
      return ValueKind::Program;
    case MapType::ArrayOfMaps:
    case MapType::HashOfMaps:
      return ValueKind::InnerMap;
    case MapType::Ringbuf:
    case MapType::PerfEventArray:
      return ValueKind::None;
    default:
      return ValueKind::Bytes;
  }
}

bool is_array(MapType type) {
  return type == MapType::Array || type == MapType::PercpuArray;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes `json` into `size` bytes at `out`; returns an error text, empty on success.
std::string decode_bytes(const nlohmann::json& json, size_t size, uint8_t* out) {
  if (json.is_string()) {
    const auto& text = json.get_ref<const std::string&>();
    if (text.size() != 2 * size)
      return fmt::format("hex string '{}' has {} digits, expected {} ({} bytes)", text, text.size(),
                         2 * size, size);
    for (size_t i = 0; i < size; ++i) {
      const int high = hex_digit(text[2 * i]), low = hex_digit(text[2 * i + 1]);
      if (high < 0 || low < 0) return fmt::format("'{}' is not a hex string", text);
      out[i] = static_cast<uint8_t>(high * 16 + low);
    }
    return {};
  }
  if (json.is_number_integer()) {
    if (size != 1 && size != 2 && size != 4 && size != 8)
      return fmt::format("an integer cannot encode {} bytes (use a hex string)", size);
    uint64_t value;
    if (json.is_number_unsigned()) {
      value = json.get<uint64_t>();
      if (size < 8 && value >> (8 * size) != 0)
        return fmt::format("{} does not fit in {} bytes", value, size);
    } else {
      const auto signed_value = json.get<int64_t>();
      const int64_t low = size == 8 ? INT64_MIN : -(int64_t{1} << (8 * size - 1));
      if (signed_value < low) return fmt::format("{} does not fit in {} bytes", signed_value, size);
      value = static_cast<uint64_t>(signed_value);
    }
    for (size_t i = 0; i < size; ++i)
      out[i] = static_cast<uint8_t>(value >> (8 * i));
    return {};
  }
  if (json.is_array()) {
    if (json.size() != size)
      return fmt::format("byte array has {} elements, expected {}", json.size(), size);
    for (size_t i = 0; i < size; ++i) {
      if (!json[i].is_number_unsigned() || json[i].get<uint64_t>() > 255)
        return fmt::format("byte array element {} is not a byte (0..255)", i);
      out[i] = json[i].get<uint8_t>();
    }
    return {};
  }
  return "expected a hex string, an integer or an array of bytes";
}

nlohmann::json encode_bytes(const uint8_t* bytes, size_t size, bool as_hex = false) {
  if (!as_hex && (size == 1 || size == 2 || size == 4 || size == 8)) {
    uint64_t value = 0;
    for (size_t i = 0; i < size; ++i)
      value |= uint64_t{bytes[i]} << (8 * i);
    return value;
  }
  std::string text;
  text.reserve(2 * size);
  for (size_t i = 0; i < size; ++i)
    text += fmt::format("{:02x}", bytes[i]);
  return text;
}

class EntryLoader {
 public:
  EntryLoader(Runtime& runtime, size_t map_index, std::string where)
      : runtime_(runtime), map_(runtime.map(map_index)), where_(std::move(where)) {}

  void load(const nlohmann::json& entry) {
    if (!entry.is_object() || !entry.contains("key") || !entry.contains("value") ||
        entry.size() != 2)
      fail("an entry must be an object with exactly \"key\" and \"value\"");
    const MapDefinition& def = map_.def();
    if (value_kind(def.type) == ValueKind::None)
      fail(fmt::format("a {} map has no contents to load", map_type_name(def.type)));
    std::vector<uint8_t> key(std::max<size_t>(def.key_size, 1));
    check(decode_bytes(entry["key"], def.key_size, key.data()), "key");
    std::vector<uint8_t> value(std::max<size_t>(map_.host_value_size(), 4));
    encode_value(entry["value"], value.data());
    const int error = map_.host_update(key.data(), value.data(), kMapUpdateAny);
    if (error != 0) fail(fmt::format("the map refuses the entry ({})", errno_name(error)));
  }

 private:
  [[noreturn]] void fail(const std::string& what) const { throw Error(where_ + ": " + what); }
  void check(const std::string& error, const char* part) const {
    if (!error.empty()) fail(fmt::format("{}: {}", part, error));
  }

  void encode_value(const nlohmann::json& json, uint8_t* out) const {
    const MapDefinition& def = map_.def();
    const ElfObject& object = runtime_.object();
    switch (value_kind(def.type)) {
      case ValueKind::None:
        fail(fmt::format("a {} map has no contents to load", map_type_name(def.type)));
      case ValueKind::Bytes:
        check(decode_bytes(json, def.value_size, out), "value");
        return;
      case ValueKind::PerCpu: {
        const uint32_t cpus = runtime_.config().num_cpus;
        const size_t stride = round_up_8(def.value_size);
        if (!json.is_array()) {  // one value for every CPU
          check(decode_bytes(json, def.value_size, out), "value");
          for (uint32_t cpu = 1; cpu < cpus; ++cpu)
            std::memcpy(out + cpu * stride, out, def.value_size);
          return;
        }
        if (json.size() != cpus)
          fail(fmt::format("value: a per-CPU value needs {} elements (one per CPU), got {}", cpus,
                           json.size()));
        for (uint32_t cpu = 0; cpu < cpus; ++cpu)
          check(decode_bytes(json[cpu], def.value_size, out + cpu * stride),
                fmt::format("value for CPU {}", cpu).c_str());
        return;
      }
      case ValueKind::Program: {
        if (!json.is_string()) fail("value: a prog_array value must be a program name");
        uint32_t index;
        try {
          const Program& program = object.find_program(json.get<std::string>());
          index = static_cast<uint32_t>(&program - object.programs.data());
        } catch (const Error& e) {
          fail(fmt::format("value: {}", e.what()));
        }
        std::memcpy(out, &index, 4);
        return;
      }
      case ValueKind::InnerMap: {
        if (!json.is_string()) fail("value: a map-in-map value must be a map name");
        const int index = object.find_map(json.get<std::string>());
        if (index < 0) fail(fmt::format("value: no map named '{}'", json.get<std::string>()));
        std::memcpy(out, &index, 4);
        return;
      }
    }
  }

  static std::string errno_name(int error) {
    switch (-error) {
      case EEXIST:
        return "EEXIST";
      case ENOENT:
        return "ENOENT";
      case E2BIG:
        return "E2BIG: the map is full or the index is out of range";
      case EINVAL:
        return "EINVAL";
      case ENOSPC:
        return "ENOSPC: the map is full";
      case EBADF:
        return "EBADF: no such program or map";
      case ENODEV:
        return "ENODEV: no such CPU";
      case EOVERFLOW:
        return "EOVERFLOW";
      default:
        return fmt::format("error {}", error);
    }
  }

  Runtime& runtime_;
  Map& map_;
  std::string where_;
};

nlohmann::json dump_value(const Runtime& runtime, const Map& map, const uint8_t* value) {
  const MapDefinition& def = map.def();
  const ElfObject& object = runtime.object();
  switch (value_kind(def.type)) {
    case ValueKind::PerCpu: {
      nlohmann::json list = nlohmann::json::array();
      const size_t stride = round_up_8(def.value_size);
      for (uint32_t cpu = 0; cpu < runtime.config().num_cpus; ++cpu)
        list.push_back(encode_bytes(value + cpu * stride, def.value_size));
      return list;
    }
    case ValueKind::Program: {
      uint32_t index;
      std::memcpy(&index, value, 4);
      return index < object.programs.size() ? nlohmann::json(object.programs[index].display_name())
                                            : nlohmann::json(index);
    }
    case ValueKind::InnerMap: {
      uint32_t index;
      std::memcpy(&index, value, 4);
      return index < object.maps.size() ? nlohmann::json(object.maps[index].name)
                                        : nlohmann::json(index);
    }
    default:
      return encode_bytes(value, def.value_size);
  }
}

}  // namespace

void load_map_contents(Runtime& runtime, const nlohmann::json& contents,
                       std::string_view source_name) {
  if (!contents.is_object() || !contents.contains("maps") || !contents["maps"].is_object())
    throw Error(fmt::format("{}: expected an object with a \"maps\" object", source_name));
  for (const auto& [name, entries] : contents["maps"].items()) {
    const int index = runtime.object().find_map(name);
    if (index < 0) throw Error(fmt::format("{}: no map named '{}'", source_name, name));
    if (!entries.is_array())
      throw Error(fmt::format("{}: map '{}': expected an array of entries", source_name, name));
    for (size_t i = 0; i < entries.size(); ++i) {
      EntryLoader loader(runtime, static_cast<size_t>(index),
                         fmt::format("{}: map '{}' entry {}", source_name, name, i));
      loader.load(entries[i]);
    }
  }
}

nlohmann::json dump_map_contents(const Runtime& runtime) {
  nlohmann::json maps = nlohmann::json::object();
  for (size_t i = 0; i < runtime.map_count(); ++i) {
    const Map& map = runtime.map(i);
    const MapDefinition& def = map.def();
    if (value_kind(def.type) == ValueKind::None) continue;
    nlohmann::json entries = nlohmann::json::array();
    std::vector<uint8_t> key(std::max<size_t>(def.key_size, 1));
    std::vector<uint8_t> next(key.size());
    std::vector<uint8_t> value(std::max<size_t>(map.host_value_size(), 4));
    const void* previous = nullptr;
    while (map.get_next_key(previous, next.data()) == 0) {
      key.swap(next);
      previous = key.data();
      if (map.host_lookup(key.data(), value.data()) != 0) continue;
      if (is_array(def.type) && std::all_of(value.begin(), value.begin() + map.host_value_size(),
                                            [](uint8_t b) { return b == 0; }))
        continue;
      // An LPM key is a struct (prefix length, address): hex keeps it readable.
      entries.push_back(
          {{"key", encode_bytes(key.data(), def.key_size, def.type == MapType::LpmTrie)},
           {"value", dump_value(runtime, map, value.data())}});
    }
    maps[def.name] = std::move(entries);
  }
  return {{"maps", std::move(maps)}};
}

}  // namespace nicsim::ebpf
