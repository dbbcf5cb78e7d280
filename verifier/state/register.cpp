#include "verifier/state/register.h"

#include <fmt/format.h>

namespace nicsim::verifier {

std::string_view reg_type_name(RegType type) {
  switch (type) {
    case RegType::NotInit:
      return "?";
    case RegType::Scalar:
      return "scalar";
    case RegType::Ctx:
      return "ctx";
    case RegType::Stack:
      return "fp";
    case RegType::Packet:
      return "pkt";
    case RegType::PacketMeta:
      return "pkt_meta";
    case RegType::PacketEnd:
      return "pkt_end";
    case RegType::MapPtr:
      return "map_ptr";
    case RegType::MapValue:
      return "map_value";
    case RegType::MapKey:
      return "map_key";
    case RegType::Mem:
      return "mem";
    case RegType::Socket:
      return "sock";
    case RegType::SockCommon:
      return "sock_common";
    case RegType::TcpSock:
      return "tcp_sock";
    case RegType::BtfId:
      return "ptr_";
    case RegType::Func:
      return "func";
  }
  return "?";
}

RegisterState RegisterState::scalar(const Scalar& value) {
  RegisterState r;
  r.type = RegType::Scalar;
  r.value = value;
  return r;
}

RegisterState RegisterState::pointer(RegType type, int32_t off) {
  RegisterState r;
  r.type = type;
  r.off = off;
  r.value = Scalar::constant(0);
  return r;
}

std::string type_string(const RegisterState& reg) {
  std::string s;
  if (reg.read_only) s += "rdonly_";
  if (reg.ringbuf) s += "ringbuf_";
  s += reg_type_name(reg.type);
  if (reg.maybe_null) s += reg.type == RegType::BtfId ? "or_null_" : "_or_null";
  return s;
}

std::string describe(const RegisterState& reg, const MapShape* map, int current_frame) {
  if (reg.type == RegType::Scalar && reg.value.is_const()) {
    return format_signed(static_cast<int64_t>(reg.value.const_value()));
  }
  std::string out = type_string(reg);
  if (reg.type == RegType::Stack) {
    if (reg.frame != current_frame) out += fmt::format("[{}]", reg.frame);
    if (reg.value.is_const()) return out + format_signed(reg.const_offset());
  }
  std::string fields;
  const auto add = [&fields](const std::string& item) {
    if (item.empty()) return;
    fields += fields.empty() ? "" : ",";
    fields += item;
  };
  if (reg.id != 0) add(fmt::format("id={}", reg.id));
  if (reg.ref_id != 0) add(fmt::format("ref_obj_id={}", reg.ref_id));
  const bool has_map =
      reg.type == RegType::MapPtr || reg.type == RegType::MapValue || reg.type == RegType::MapKey;
  if (has_map && map != nullptr) {
    if (!map->name.empty()) add(fmt::format("map={}", map->name));
    add(fmt::format("ks={},vs={}", map->key_size, map->value_size));
  }
  if (reg.type != RegType::Scalar && reg.off != 0) add("off=" + format_signed(reg.off));
  if (reg.is_packet_pointer()) add("r=" + format_unsigned(reg.range));
  if (reg.type == RegType::Mem) add("sz=" + format_unsigned(reg.mem_size));
  if (reg.value.is_const()) {
    if (reg.value.const_value() != 0) {
      add("imm=" + format_signed(static_cast<int64_t>(reg.value.const_value())));
    }
  } else {
    add(reg.value.to_string());
  }
  return out + "(" + fields + ")";
}

}  // namespace nicsim::verifier
