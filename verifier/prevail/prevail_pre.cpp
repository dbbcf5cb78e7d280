#include "verifier/prevail/prevail_pre.h"

#include <fmt/format.h>

#include <array>
#include <limits>
#include <map>
#include <optional>
#include <regex>
#include <string>

#include "ebpf/util/error.h"

namespace nicsim::verifier::prevail {

namespace {

struct Range {
  int64_t min = std::numeric_limits<int64_t>::min();
  int64_t max = std::numeric_limits<int64_t>::max();
};

// PREVAIL numbers: decimal, "+oo"/"-oo", or unsigned values beyond INT64_MAX.
int64_t number(std::string text) {
  while (!text.empty() && text.front() == ' ')
    text.erase(0, 1);
  while (!text.empty() && text.back() == ' ')
    text.pop_back();
  if (text == "+oo") return std::numeric_limits<int64_t>::max();
  if (text == "-oo") return std::numeric_limits<int64_t>::min();
  if (!text.empty() && text[0] == '-') return std::stoll(text, nullptr, 0);
  return static_cast<int64_t>(std::stoull(text, nullptr, 0));
}

std::optional<Range> range_of(const std::string& text) {
  static const std::regex interval(R"(\[\s*([^,]+),\s*([^\]]+)\])");
  std::smatch m;
  if (std::regex_match(text, m, interval)) return Range{number(m[1]), number(m[2])};
  if (text.empty() || text[0] == 'r' || text == "packet_size") return std::nullopt;
  const int64_t v = number(text);
  return Range{v, v};
}

struct RegisterSpec {
  std::vector<std::string> types;
  std::optional<Range> svalue;
  std::optional<Range> uvalue;  // as unsigned bit patterns
  bool unsigned_is_signed = false;
  int link_to = -1;             // "rN.svalue=rM.svalue": equal values
  std::optional<Range> offset;  // stack/ctx/packet/shared offset
  bool offset_is_packet_size = false;
  int64_t region_size = 0;
  int64_t map_fd = -1;
  bool program_map = false;
  int64_t numeric_size = 0;
};

struct Spec {
  std::array<RegisterSpec, kRegisterCount> regs;
  std::optional<Range> packet_size;
  std::vector<std::pair<Range, std::string>> stack;  // byte range -> "number" or value
  std::map<int64_t, int64_t> stack_values;           // first byte -> value (8-byte cells)
  std::vector<std::pair<int, int>> same_type;        // "rN.type=rM.type"
};

Spec parse(const PrevailCase& c) {
  static const std::regex type_re(R"(r(\d+)\.type\s*=\s*(\w+))");
  static const std::regex same_type_re(R"(r(\d+)\.type\s*=\s*r(\d+)\.type)");
  static const std::regex type_in_re(R"(r(\d+)\.type in \{([^}]*)\})");
  static const std::regex value_re(R"(r(\d+)\.(svalue|uvalue)=(.+))");
  static const std::regex field_re(R"(r(\d+)\.(\w+)=(.+))");
  static const std::regex stack_re(R"(s\[(\d+)\.\.\.(\d+)\]\.(type|svalue|uvalue)=(.+))");
  static const std::regex global_re(R"((packet_size|meta_offset)=(.+))");
  Spec spec;
  for (const std::string& text : c.pre) {
    std::smatch m;
    if (std::regex_match(text, m, same_type_re)) {
      spec.same_type.emplace_back(std::stoi(m[1]), std::stoi(m[2]));
    } else if (std::regex_match(text, m, type_in_re)) {
      std::string list = m[2];
      auto& types = spec.regs[std::stoi(m[1])].types;
      static const std::regex item(R"(\w+)");
      for (std::sregex_iterator it(list.begin(), list.end(), item), end; it != end; ++it) {
        types.push_back(it->str());
      }
    } else if (std::regex_match(text, m, type_re)) {
      spec.regs[std::stoi(m[1])].types = {m[2]};
    } else if (std::regex_match(text, m, value_re)) {
      RegisterSpec& r = spec.regs[std::stoi(m[1])];
      const std::string value = m[3];
      static const std::regex other(R"(r(\d+)\.(svalue|uvalue))");
      std::smatch o;
      if (std::regex_match(value, o, other)) {
        if (std::stoi(o[1]) == std::stoi(m[1])) {
          r.unsigned_is_signed = true;
        } else {
          r.link_to = std::stoi(o[1]);
        }
      } else if (m[2] == "svalue") {
        r.svalue = range_of(value);
      } else {
        r.uvalue = range_of(value);
      }
    } else if (std::regex_match(text, m, stack_re)) {
      const Range bytes{number(m[1]), number(m[2])};
      if (m[3] == "type") {
        if (m[4] != "number") throw Error("stack type " + m[4].str());
        spec.stack.emplace_back(bytes, "number");
      } else if (bytes.max - bytes.min == 7) {
        spec.stack_values[bytes.min] = number(m[4]);
      }
    } else if (std::regex_match(text, m, global_re)) {
      if (m[1] == "packet_size") spec.packet_size = range_of(m[2]);
    } else if (std::regex_match(text, m, field_re)) {
      RegisterSpec& r = spec.regs[std::stoi(m[1])];
      const std::string field = m[2];
      const std::string value = m[3];
      if (field == "stack_offset" || field == "ctx_offset" || field == "shared_offset" ||
          field == "packet_offset") {
        if (value == "packet_size") {
          r.offset_is_packet_size = true;
        } else {
          r.offset = range_of(value);
        }
      } else if (field == "shared_region_size") {
        r.region_size = number(value);
      } else if (field == "map_fd" || field == "map_fd_programs") {
        r.map_fd = number(value);
        r.program_map = field == "map_fd_programs";
      } else if (field == "stack_numeric_size") {
        const auto size = range_of(value);
        r.numeric_size = size ? size->min : 0;
      } else if (field != "type") {
        throw Error("pre-condition " + text);
      }
    } else {
      throw Error("pre-condition " + text);
    }
  }
  return spec;
}

Scalar number_value(const RegisterSpec& r) {
  Scalar v = Scalar::unknown();
  if (r.svalue) v.s64 = {r.svalue->min, r.svalue->max};
  if (r.uvalue) {
    v.u64 = {static_cast<uint64_t>(r.uvalue->min), static_cast<uint64_t>(r.uvalue->max)};
  }
  if (r.unsigned_is_signed) {
    v.s64.clamp_to(0, std::numeric_limits<int64_t>::max());
    v.u64.clamp_to(static_cast<uint64_t>(v.s64.min), static_cast<uint64_t>(v.s64.max));
  }
  v.sync();
  return v;
}

// A pointer offset: constant, or a variable part over a fixed base.
void set_offset(RegisterState& r, const Range& range, int64_t bias) {
  if (range.min == range.max) {
    r.off = static_cast<int32_t>(range.min - bias);
    r.value = Scalar::constant(0);
  } else {
    r.off = 0;
    r.value = Scalar::signed_range(range.min - bias, range.max - bias);
  }
}

void mark_numbers(VerifierState& s, int64_t first, int64_t last, int64_t top) {
  for (int64_t b = first; b <= last; ++b) {
    const auto off = static_cast<int>(b - top);
    if (off < -kStackBytes || off >= 0) continue;
    StackSlot& slot = s.frame().stack.slot_for_write(slot_index(off));
    slot.bytes[byte_in_slot(off)] = SlotByte::Misc;
  }
}

}  // namespace

EntrySetup entry_states(const PrevailCase& c, AssembledCase& code) {
  const Spec spec = parse(c);
  EntrySetup setup;
  // PREVAIL's test maps: key and value of 4 bytes, 4 entries, whatever the fd.
  const auto map_index = [&setup](int64_t fd, bool programs) {
    const std::string name = fmt::format("{}{}", programs ? "programs" : "map", fd);
    for (size_t i = 0; i < setup.maps.size(); ++i) {
      if (setup.maps[i].name == name) return static_cast<int32_t>(i);
    }
    ebpf::MapDefinition def;
    def.name = name;
    def.type = programs ? ebpf::MapType::ProgArray : ebpf::MapType::Unspec;
    def.key_size = 4;
    def.value_size = 4;
    def.max_entries = 4;
    setup.maps.push_back(def);
    return static_cast<int32_t>(setup.maps.size() - 1);
  };
  // PREVAIL's test platform holds one map for loads by index: index 0.
  map_index(-1, false);
  for (size_t i = 0; i < code.insns.size(); ++i) {
    const ebpf::Instruction& insn = code.insns[i];
    const bool by_index =
        insn.is_lddw() && (insn.src() == ebpf::kLddwMapIdx || insn.src() == ebpf::kLddwMapIdxValue);
    if (by_index && insn.imm != 0) {
      throw Error(fmt::format("invalid map index {} (have 1 maps)", insn.imm));
    }
    if (insn.is_lddw()) ++i;
  }
  for (const auto& [insn, fd] : code.fd_loads)
    code.insns[insn].imm = map_index(fd, false);
  const auto region_map = [&setup](int64_t size) {
    const std::string name = fmt::format("shared{}", size);
    for (size_t i = 0; i < setup.maps.size(); ++i) {
      if (setup.maps[i].name == name) return static_cast<int32_t>(i);
    }
    ebpf::MapDefinition def;
    def.name = name;
    def.type = ebpf::MapType::Array;
    def.key_size = 4;
    def.value_size = static_cast<uint32_t>(size);
    def.max_entries = 1;
    setup.maps.push_back(def);
    return static_cast<int32_t>(setup.maps.size() - 1);
  };

  // The stack's top as PREVAIL numbers stack offsets (r10.stack_offset, 512 by default).
  const int64_t top = spec.regs[kFramePointer].offset ? spec.regs[kFramePointer].offset->min : 512;
  // Every combination of the registers' type alternatives.
  std::vector<std::array<std::string, kRegisterCount>> combos(1);
  for (int r = 0; r < kRegisterCount; ++r) {
    const auto& types = spec.regs[r].types;
    if (types.size() <= 1) {
      for (auto& combo : combos)
        combo[r] = types.empty() ? "" : types.front();
      continue;
    }
    std::vector<std::array<std::string, kRegisterCount>> next;
    for (const auto& combo : combos) {
      for (const std::string& t : types) {
        auto copy = combo;
        copy[r] = t;
        next.push_back(copy);
      }
    }
    combos = std::move(next);
  }
  std::erase_if(combos, [&](const auto& combo) {
    for (const auto& [a, b] : spec.same_type) {
      if (combo[a] != combo[b]) return true;
    }
    return false;
  });

  const uint32_t packet_range =
      spec.packet_size ? static_cast<uint32_t>(std::max<int64_t>(spec.packet_size->min, 0)) : 0;
  for (const auto& combo : combos) {
    VerifierState s;
    s.frames.emplace_back();
    Frame& f = s.frame();
    f.regs[kFramePointer] = RegisterState::pointer(RegType::Stack);
    for (int r = 0; r < kRegisterCount; ++r) {
      const RegisterSpec& rs = spec.regs[r];
      const std::string& type = combo[r];
      if (type.empty() || r == kFramePointer) continue;
      RegisterState& reg = f.regs[r];
      if (type == "number") {
        reg = RegisterState::scalar(number_value(rs));
      } else if (type == "ctx") {
        reg = RegisterState::pointer(RegType::Ctx);
        if (rs.offset) set_offset(reg, *rs.offset, 0);
      } else if (type == "stack") {
        reg = RegisterState::pointer(RegType::Stack);
        if (rs.offset) set_offset(reg, *rs.offset, top);
        if (rs.numeric_size > 0 && rs.offset) {
          mark_numbers(s, rs.offset->min, rs.offset->min + rs.numeric_size - 1, top);
        }
      } else if (type == "packet") {
        reg =
            RegisterState::pointer(rs.offset_is_packet_size ? RegType::PacketEnd : RegType::Packet);
        if (rs.offset) set_offset(reg, *rs.offset, 0);
        if (reg.type == RegType::Packet) reg.range = packet_range;
      } else if (type == "shared") {
        reg = RegisterState::pointer(RegType::MapValue);
        reg.map = region_map(rs.region_size);
        if (rs.offset) set_offset(reg, *rs.offset, 0);
      } else if (type == "map_fd" || type == "map_fd_programs") {
        reg = RegisterState::pointer(RegType::MapPtr);
        reg.map = map_index(rs.map_fd, type == "map_fd_programs");
      } else {
        throw Error("register type " + type);
      }
      // A pointer whose address may be 0 (svalue includes it) may be NULL.
      if (reg.is_pointer() && reg.type != RegType::Stack && rs.svalue && rs.svalue->min <= 0 &&
          rs.svalue->max >= 0) {
        reg.maybe_null = true;
        reg.id = static_cast<uint32_t>(2000 + r);
      }
    }
    // Equal values: one scalar, linked.
    uint32_t next_id = 1000;
    for (int r = 0; r < kRegisterCount; ++r) {
      const int other = spec.regs[r].link_to;
      if (other < 0 || !f.regs[r].is_scalar() || !f.regs[other].is_scalar()) continue;
      const Scalar both = f.regs[r].value.meet(f.regs[other].value);
      const uint32_t id = f.regs[other].id != 0 ? f.regs[other].id : ++next_id;
      f.regs[r].value = f.regs[other].value = both;
      f.regs[r].id = f.regs[other].id = id;
    }
    for (const auto& [bytes, what] : spec.stack)
      mark_numbers(s, bytes.min, bytes.max, top);
    for (const auto& [first, value] : spec.stack_values) {
      const auto off = static_cast<int>(first - top);
      if (off < -kStackBytes || off >= 0 || byte_in_slot(off) != 0) continue;
      StackSlot& slot = f.stack.slot_for_write(slot_index(off));
      slot.bytes.fill(SlotByte::Spill);
      slot.spilled = RegisterState::constant(static_cast<uint64_t>(value));
    }
    setup.alternatives.push_back(std::move(s));
  }
  return setup;
}

}  // namespace nicsim::verifier::prevail
