// BTF-defined maps (section .maps), read as libbpf reads them: each variable of the .maps
// DATASEC is a struct whose members encode the definition in their types:
//   __uint(name, N)   -> int (*name)[N]      (type, max_entries, map_flags, key_size, ...)
//   __type(name, T)   -> typeof(T) *name     (key, value: the size of T)
//   __array(values, X) -> X *values[]        (prog_array: X is a function prototype;
//                                             map-in-map: X is the inner map's definition)
// `.values = {...}` initialisers are relocations in .rel.maps against the slots of `values`.

#include <bpf/btf.h>
#include <elf.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <memory>

#include "ebpf/elf/bytes.h"
#include "ebpf/elf/map_table.h"

namespace nicsim::ebpf::elf {

namespace {

constexpr int kMaxTypeChain = 32;  // as libbpf's MAX_RESOLVE_DEPTH
constexpr uint64_t kPointerSize = 8;

struct BtfDeleter {
  void operator()(btf* b) const { btf__free(b); }
};
using BtfPtr = std::unique_ptr<btf, BtfDeleter>;

// What a `values` member declares, beyond the plain definition.
struct ValuesMember {
  bool present = false;
  uint64_t offset = 0;  // byte offset of the flexible array inside the definition
  std::optional<MapDefinition> inner;
};

struct DeclaredMap {
  size_t index = 0;
  uint64_t offset = 0;
  uint64_t extent = 0;  // bytes the variable occupies in .maps, initialisers included
  ValuesMember values;
};

class BtfMapReader {
 public:
  BtfMapReader(const ElfImage& image, const btf* types) : image_(image), btf_(types) {}

  const btf_type* type(uint32_t id, const std::string& map) const {
    const btf_type* t = btf__type_by_id(btf_, id);
    if (!t) image_.fail(fmt::format("map '{}': BTF type id {} does not exist", map, id));
    return t;
  }

  // Follows typedefs and qualifiers (libbpf's skip_mods_and_typedefs).
  const btf_type* resolved(uint32_t id, const std::string& map,
                           uint32_t* resolved_id = nullptr) const {
    const btf_type* t = type(id, map);
    for (int depth = 0; btf_is_mod(t) || btf_is_typedef(t); ++depth) {
      if (depth == kMaxTypeChain)
        image_.fail(fmt::format("map '{}': BTF type chain from id {} is too long", map, id));
      id = t->type;
      t = type(id, map);
    }
    if (resolved_id) *resolved_id = id;
    return t;
  }

  std::string name(uint32_t offset, const std::string& map) const {
    const char* text = btf__name_by_offset(btf_, offset);
    if (!text)
      image_.fail(
          fmt::format("map '{}': BTF name offset {} outside the string section", map, offset));
    return text;
  }

  // `int (*field)[N]` -> N.
  uint32_t integer_field(const btf_member& member, const std::string& field,
                         const std::string& map) const {
    const btf_type* pointer = resolved(member.type, map);
    if (!btf_is_ptr(pointer))
      image_.fail(
          fmt::format("map '{}': field '{}' is not __uint() (expected a pointer to an "
                      "array)",
                      map, field));
    const btf_type* array = resolved(pointer->type, map);
    if (!btf_is_array(array))
      image_.fail(fmt::format("map '{}': field '{}' does not point to an array", map, field));
    return btf_array(array)->nelems;
  }

  // `T *field` -> sizeof(T).
  uint32_t pointee_size(const btf_member& member, const std::string& field,
                        const std::string& map) const {
    const btf_type* pointer = resolved(member.type, map);
    if (!btf_is_ptr(pointer))
      image_.fail(
          fmt::format("map '{}': field '{}' is not __type() (expected a pointer)", map, field));
    const int64_t size = btf__resolve_size(btf_, pointer->type);
    if (size < 0 || size > UINT32_MAX)
      image_.fail(
          fmt::format("map '{}': size of the type of field '{}' cannot be resolved", map, field));
    return static_cast<uint32_t>(size);
  }

  uint64_t member_offset(const btf_type* owner, uint32_t member_index, const std::string& field,
                         const std::string& map) const {
    const uint32_t bits = btf_member_bit_offset(owner, member_index);
    if (bits % 8 != 0)
      image_.fail(fmt::format("map '{}': field '{}' is not byte aligned", map, field));
    return bits / 8;
  }

  // `values` is null for an inner map template, which cannot have initialisers itself.
  MapDefinition parse(uint32_t type_id, const std::string& map, ValuesMember* values) const {
    const btf_type* def = resolved(type_id, map);
    if (!btf_is_struct(def))
      image_.fail(
          fmt::format("map '{}': definition is not a struct (BTF kind {})", map, btf_kind(def)));
    MapDefinition out;
    out.name = map;
    const btf_member* members = btf_members(def);
    const btf_member* values_member = nullptr;
    uint32_t values_index = 0;
    for (uint32_t i = 0; i < btf_vlen(def); ++i) {
      const btf_member& member = members[i];
      const std::string field = name(member.name_off, map);
      if (field == "type") {
        out.type = static_cast<MapType>(integer_field(member, field, map));
      } else if (field == "max_entries") {
        out.max_entries = integer_field(member, field, map);
      } else if (field == "map_flags") {
        out.flags = integer_field(member, field, map);
      } else if (field == "pinning") {
        out.pinning = integer_field(member, field, map);
      } else if (field == "key_size") {
        set_size(out.key_size, integer_field(member, field, map), field, map);
      } else if (field == "value_size") {
        set_size(out.value_size, integer_field(member, field, map), field, map);
      } else if (field == "key") {
        set_size(out.key_size, pointee_size(member, field, map), field, map);
      } else if (field == "value") {
        set_size(out.value_size, pointee_size(member, field, map), field, map);
      } else if (field == "values") {
        if (!values)
          image_.fail(fmt::format("map '{}': an inner map definition cannot have 'values'", map));
        values_member = &member;
        values_index = i;
      }
      // Other members (numa_node, map_extra, ...) do not change how the map behaves here.
    }
    // After the loop: `values` needs the map type, whichever member comes first.
    if (values_member) parse_values(def, *values_member, values_index, out, *values);
    return out;
  }

 private:
  // key_size and key (value_size and value) may both be given, but must agree.
  void set_size(uint32_t& slot, uint32_t size, const std::string& field,
                const std::string& map) const {
    if (slot != 0 && slot != size)
      image_.fail(fmt::format("map '{}': conflicting sizes {} and {} from field '{}'", map, slot,
                              size, field));
    slot = size;
  }

  void parse_values(const btf_type* def, const btf_member& member, uint32_t index,
                    MapDefinition& out, ValuesMember& values) const {
    const std::string& map = out.name;
    const btf_type* array = resolved(member.type, map);
    if (!btf_is_array(array) || btf_array(array)->nelems != 0)
      image_.fail(fmt::format("map '{}': 'values' must be a flexible array of pointers", map));
    const btf_type* pointer = resolved(btf_array(array)->type, map);
    if (!btf_is_ptr(pointer))
      image_.fail(fmt::format("map '{}': 'values' elements must be pointers", map));
    uint32_t target_id = 0;
    const btf_type* target = resolved(pointer->type, map, &target_id);

    values.present = true;
    values.offset = member_offset(def, index, "values", map);
    if (out.type == MapType::ArrayOfMaps || out.type == MapType::HashOfMaps) {
      if (!btf_is_struct(target))
        image_.fail(
            fmt::format("map '{}': map-in-map 'values' must point to a map definition", map));
      values.inner = parse(target_id, map + ".inner", nullptr);
      check_map_type(image_, *values.inner);
    } else if (out.type == MapType::ProgArray) {
      if (!btf_is_func_proto(target))
        image_.fail(fmt::format("map '{}': prog_array 'values' must point to functions", map));
    } else {
      image_.fail(
          fmt::format("map '{}': 'values' is only allowed for prog_array and map-in-map "
                      "types, not {}",
                      map, map_type_name(out.type)));
    }
    // Slots hold program or map file descriptors: 4-byte values.
    if (out.value_size != 0 && out.value_size != 4)
      image_.fail(fmt::format("map '{}': value size {} conflicts with 'values' (must be 4)", map,
                              out.value_size));
    out.value_size = 4;
  }

  const ElfImage& image_;
  const btf* btf_;
};

const btf_type* find_maps_datasec(const ElfImage& image, const btf* types) {
  const uint32_t count = btf__type_cnt(types);
  for (uint32_t id = 1; id < count; ++id) {
    const btf_type* t = btf__type_by_id(types, id);
    if (!t || !btf_is_datasec(t)) continue;
    const char* name = btf__name_by_offset(types, t->name_off);
    if (name && std::string_view(name) == ".maps") return t;
  }
  image.fail(".maps: the BTF has no DATASEC '.maps' describing the map definitions");
}

const Symbol* find_symbol(const ElfImage& image, size_t section, const std::string& name) {
  for (const auto& symbol : image.symbols()) {
    if (symbol.shndx == section && symbol.name == name && !symbol.is_section()) return &symbol;
  }
  return nullptr;
}

std::string slot_target_name(const ElfImage& image, const MapTable& table,
                             const MapDefinition& outer, const Relocation& relocation) {
  const Symbol& symbol = image.symbols()[relocation.symbol];
  if (!symbol.in_section())
    image.fail(fmt::format("map '{}': 'values' initialiser refers to undefined symbol '{}'",
                           outer.name, symbol.name));
  const Section& section = image.section(symbol.shndx);
  if (outer.type == MapType::ProgArray) {
    if (!section.executable() || !symbol.is_function())
      image.fail(fmt::format("map '{}': 'values' initialiser '{}' is not a program", outer.name,
                             symbol.name));
    return symbol.name;
  }
  const auto index = table.map_at(symbol.shndx, symbol.value);
  if (!index)
    image.fail(
        fmt::format("map '{}': 'values' initialiser '{}' is not a map", outer.name, symbol.name));
  return table.at(*index).name;
}

void apply_initialisers(const ElfImage& image, const Section& section, MapTable& table,
                        const std::vector<DeclaredMap>& declared) {
  for (const auto& relocation : image.relocations_for(section.index)) {
    if (relocation.type == kRelNone) continue;
    const DeclaredMap* owner = nullptr;
    for (const auto& map : declared) {
      if (relocation.offset >= map.offset && relocation.offset - map.offset < map.extent)
        owner = &map;
    }
    const std::string where = fmt::format(".maps relocation at offset {}", relocation.offset);
    if (!owner) image.fail(fmt::format("{}: not inside any map definition", where));
    MapDefinition& outer = table.at(owner->index);
    const uint64_t inside = relocation.offset - owner->offset;
    if (!owner->values.present || inside < owner->values.offset ||
        (inside - owner->values.offset) % kPointerSize != 0)
      image.fail(fmt::format("{}: not a slot of the 'values' of map '{}'", where, outer.name));
    const auto slot = static_cast<uint32_t>((inside - owner->values.offset) / kPointerSize);
    if (outer.max_entries != 0 && slot >= outer.max_entries)
      image.fail(fmt::format("map '{}': 'values' slot {} is beyond max_entries {}", outer.name,
                             slot, outer.max_entries));
    outer.initial_slots.emplace_back(slot, slot_target_name(image, table, outer, relocation));
  }
  for (const auto& map : declared) {
    auto& slots = table.at(map.index).initial_slots;
    std::sort(slots.begin(), slots.end());
  }
}

}  // namespace

void collect_btf_maps(const ElfImage& image, MapTable& table) {
  const Section* section = image.find_section(".maps");
  if (!section || section->size == 0) return;
  if (section->type != SHT_PROGBITS) image.fail(".maps: section has no contents");
  const Section* btf_section = image.find_section(".BTF");
  if (!btf_section || btf_section->bytes.empty())
    image.fail(".maps: BTF-defined maps need a .BTF section, and the object has none");
  if (btf_section->size > UINT32_MAX) image.fail(".BTF: section too large");

  BtfPtr types(btf__new(btf_section->bytes.data(), static_cast<uint32_t>(btf_section->size)));
  if (!types) image.fail(".BTF: malformed BTF (libbpf cannot parse it)");
  const BtfMapReader reader(image, types.get());
  const btf_type* datasec = find_maps_datasec(image, types.get());

  std::vector<DeclaredMap> declared;
  const btf_var_secinfo* variables = btf_var_secinfos(datasec);
  for (uint32_t i = 0; i < btf_vlen(datasec); ++i) {
    const btf_type* variable = btf__type_by_id(types.get(), variables[i].type);
    if (!variable || !btf_is_var(variable))
      image.fail(fmt::format(".maps: DATASEC entry {} is not a variable", i));
    const std::string name = reader.name(variable->name_off, fmt::format("#{}", i));
    DeclaredMap map;
    const Symbol* symbol = find_symbol(image, section->index, name);
    map.offset = symbol ? symbol->value : variables[i].offset;
    map.extent = symbol && symbol->size ? symbol->size : variables[i].size;

    MapDefinition definition = reader.parse(variable->type, name, &map.values);
    check_map_type(image, definition);
    const int64_t struct_size = btf__resolve_size(types.get(), variable->type);
    if (struct_size < 0 || !fits(map.offset, static_cast<uint64_t>(struct_size), section->size))
      image.fail(
          fmt::format("map '{}': definition at offset {} is outside section .maps ({} "
                      "bytes)",
                      name, map.offset, section->size));
    map.extent = std::max<uint64_t>(map.extent, static_cast<uint64_t>(struct_size));
    auto inner = std::move(map.values.inner);
    map.index = table.add(std::move(definition));
    if (!table.place(section->index, map.offset, map.index))
      image.fail(fmt::format("map '{}': another map is already defined at offset {} of .maps", name,
                             map.offset));
    if (inner) table.defer_inner(map.index, std::move(*inner));
    declared.push_back(std::move(map));
  }
  apply_initialisers(image, *section, table, declared);
}

}  // namespace nicsim::ebpf::elf
