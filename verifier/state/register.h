#pragma once
// What the verifier knows about one register: its type (the kernel's bpf_reg_type) and,
// for scalars, the value; for pointers, the region, a fixed offset and a variable offset.

#include <cstdint>
#include <string>
#include <string_view>

#include "verifier/domain/scalar.h"

namespace nicsim::verifier {

enum class RegType : uint8_t {
  NotInit,     // never written (reading it is "!read_ok")
  Scalar,      // a number
  Ctx,         // PTR_TO_CTX: the program's context
  Stack,       // PTR_TO_STACK: into a frame's stack (frame pointer + offset)
  Packet,      // PTR_TO_PACKET: into packet data, `range` bytes proven readable
  PacketMeta,  // PTR_TO_PACKET_META
  PacketEnd,   // PTR_TO_PACKET_END: one past the packet (only for comparisons)
  MapPtr,      // CONST_PTR_TO_MAP: the map itself (helper argument)
  MapValue,    // PTR_TO_MAP_VALUE: into a map value
  MapKey,      // PTR_TO_MAP_KEY: a callback's key argument
  Mem,         // PTR_TO_MEM: sized memory a helper handed out (ringbuf record...)
  Socket,      // PTR_TO_SOCKET
  SockCommon,  // PTR_TO_SOCK_COMMON
  TcpSock,     // PTR_TO_TCP_SOCK
  BtfId,       // PTR_TO_BTF_ID: a kernel object (task_struct, socket...)
  Func,        // PTR_TO_FUNC: address of a subprogram (callbacks)
};

// The kernel's name of a type in logs and messages ("scalar", "fp", "pkt", ...).
std::string_view reg_type_name(RegType type);

struct RegisterState {
  RegType type = RegType::NotInit;
  bool maybe_null = false;  // PTR_MAYBE_NULL: must be compared with 0 before use
  bool ringbuf = false;     // Mem: a ringbuf record (MEM_RINGBUF)
  bool read_only = false;   // MEM_RDONLY
  uint8_t frame = 0;        // Stack: the frame the pointer points into
  int32_t off = 0;          // pointers: fixed offset
  // Scalars: the value. Pointers: the variable part of the offset (constant 0 if none).
  Scalar value = Scalar::unknown();
  // Links registers holding the same pointer (null checks, packet ranges) or the same
  // scalar (bounds learned on one apply to all). 0: no link.
  uint32_t id = 0;
  uint32_t ref_id = 0;    // acquired reference that must be released (socket, ringbuf record)
  uint32_t range = 0;     // Packet/PacketMeta: bytes proven readable from fixed offset 0
  int32_t map = -1;       // MapPtr/MapValue/MapKey: index of the map in the object
  uint32_t mem_size = 0;  // Mem/MapKey/BtfId: size of the region
  int32_t target = -1;    // Func: first instruction of the subprogram
  // Packet pointers made invalid by a helper that may move the packet become scalars; this
  // records the call (instruction index) for a better message if they are dereferenced.
  int32_t invalidated_at = -1;
  // Packet: instruction index of the comparison that last extended `range` (facts).
  int32_t range_proof = -1;

  static RegisterState scalar(const Scalar& value);
  static RegisterState constant(uint64_t v) { return scalar(Scalar::constant(v)); }
  static RegisterState unknown_scalar() { return scalar(Scalar::unknown()); }
  static RegisterState pointer(RegType type, int32_t off = 0);

  bool is_init() const { return type != RegType::NotInit; }
  bool is_scalar() const { return type == RegType::Scalar; }
  bool is_pointer() const { return type != RegType::NotInit && type != RegType::Scalar; }
  bool is_packet_pointer() const { return type == RegType::Packet || type == RegType::PacketMeta; }
  bool is_const() const { return is_scalar() && value.is_const(); }
  // Pointer with a known, constant total offset.
  bool has_const_offset() const { return value.is_const(); }
  // Total constant offset (fixed + variable) when has_const_offset().
  int64_t const_offset() const {
    return static_cast<int64_t>(off) + static_cast<int64_t>(value.const_value());
  }

  friend bool operator==(const RegisterState&, const RegisterState&) = default;
};

// "scalar(umax=255,var_off=(0x0; 0xff))", "fp-8", "pkt(id=1,off=14,r=34)",
// "map_value(map=counters,ks=4,vs=8)" as the kernel log prints registers. `maps` gives map
// names and sizes (may be empty), `current_frame` decides whether "fp" shows its frame.
struct MapShape {
  std::string_view name;
  uint32_t key_size = 0;
  uint32_t value_size = 0;
};
std::string describe(const RegisterState& reg, const MapShape* map = nullptr,
                     int current_frame = 0);
// The type as messages name it: "map_value_or_null", "ringbuf_mem", "scalar".
std::string type_string(const RegisterState& reg);

}  // namespace nicsim::verifier
