#pragma once
// Everything the verifier needs to know about the environment a program runs in, behind
// one interface (PREVAIL's "platform"): program types and their context layout, the helper
// functions and their prototypes, and the rules of each map type. The verifier core knows
// nothing about __sk_buff or bpf_map_lookup_elem; it asks the platform.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ebpf/program/program.h"

namespace nicsim::verifier {

using ebpf::MapDefinition;
using ebpf::MapType;
using ebpf::ProgramType;

// Argument kinds of helper prototypes (the kernel's enum bpf_arg_type, merged where the
// verifier treats them alike).
enum class ArgType : uint8_t {
  None,            // the helper takes fewer arguments
  Anything,        // any initialised value (a pointer here would leak)
  Scalar,          // a number
  ConstMapPtr,     // a map from lddw
  MapKey,          // points to key_size readable bytes
  MapValue,        // points to value_size readable bytes
  UninitMapValue,  // points to value_size bytes the helper writes
  MapValueOrNull,  // MapValue, or NULL
  Ctx,             // the program's context, unmodified
  CtxOrNull,
  ReadMem,  // points to readable memory, size in the next argument
  ReadMemOrNull,
  WriteMem,  // points to memory the helper writes, size in the next argument
  WriteMemOrNull,
  ReadWriteMem,     // points to initialized memory the helper reads and then writes (MEM_WRITE)
  FixedWriteMem,    // points to `fixed_size` bytes the helper writes
  ConstSize,        // size of the previous memory argument, > 0
  ConstSizeOrZero,  // size of the previous memory argument, >= 0
  ConstAllocSizeOrZero,  // size of memory to allocate (ringbuf_reserve)
  ReleaseRingbufMem,     // a ringbuf record from ringbuf_reserve (released by the call)
  SockCommon,            // any socket pointer, not NULL
  ReleaseSocket,         // an acquired socket (released by the call)
  BtfIdOrNull,           // a kernel object pointer, or NULL
  BtfId,                 // a kernel object pointer
  Callback,              // a subprogram (lddw src=4)
  StackOrNull,           // callback context: a stack pointer or NULL
  SpinLock,              // struct bpf_spin_lock inside a map value
  Timer,                 // struct bpf_timer inside a map value
  ConstString,           // pointer into a read-only map holding a NUL-terminated string
};

enum class RetType : uint8_t {
  Integer,
  Void,
  MapValueOrNull,  // map_lookup_elem and friends (a map for map-in-map lookups)
  MapValue,        // get_local_storage
  SocketOrNull,    // acquires a reference
  TcpSockOrNull,
  SockCommonOrNull,  // acquires a reference (skc_lookup_tcp)
  RingbufMemOrNull,  // acquires a reference, size from argument 2
  BtfIdOrNull,
  BtfId,
  MemOrNull,  // per_cpu_ptr and friends: read-only memory or NULL
};

struct HelperPrototype {
  int32_t id = 0;
  std::string_view name;  // without the bpf_ prefix
  RetType ret = RetType::Integer;
  std::array<ArgType, 5> args{};
  uint32_t fixed_size = 0;      // for FixedWriteMem
  bool changes_packet = false;  // invalidates packet pointers (bpf_helper_changes_pkt_data)
  int arg_count() const;
};

// What reading or writing a context field yields.
enum class CtxValue : uint8_t {
  Scalar,
  Packet,  // pointer to packet start
  PacketEnd,
  PacketMeta,
  SocketOrNull,      // bpf_sock * (PTR_TO_SOCKET_OR_NULL)
  SockCommonOrNull,  // bpf_sock * in __sk_buff (PTR_TO_SOCK_COMMON_OR_NULL)
  Unusable,          // part of a pointer field: the loaded register cannot be used
};

struct CtxAccess {
  CtxValue value = CtxValue::Scalar;
  // Width of the field read (a narrower load of it yields a zero-extended part).
  uint8_t field_size = 4;
};

// The rules of one program type.
class ProgramTypeRules {
 public:
  virtual ~ProgramTypeRules() = default;
  virtual ProgramType type() const = 0;
  virtual std::string_view name() const = 0;
  // Size of the context structure (for messages and bounds).
  virtual uint32_t context_size() const = 0;
  // An access of `size` bytes at `offset` of the context, nullopt if not allowed.
  virtual std::optional<CtxAccess> context_access(int64_t offset, int size, bool write,
                                                  bool sign_extending) const = 0;
  virtual bool helper_allowed(int32_t helper_id) const = 0;
  // Direct packet access (through data/data_end pointers).
  virtual bool packet_readable() const = 0;
  virtual bool packet_writable() const = 0;
  // Legacy packet loads (LD_ABS / LD_IND) through the skb context.
  virtual bool legacy_packet_loads() const = 0;
  // The values a program of this type may return in R0, if restricted.
  virtual std::optional<std::pair<int64_t, int64_t>> return_range() const = 0;
};

// What a map type allows.
struct MapTypeRules {
  bool lookup_returns_map = false;  // map-in-map: lookup yields an inner map pointer
  bool has_values = true;           // value pointers can be obtained by lookup
  bool is_program_array = false;
  bool is_ringbuf = false;
  bool value_is_map_or_prog = false;
};

class Platform {
 public:
  virtual ~Platform() = default;
  // nullptr for program types the platform does not model.
  virtual const ProgramTypeRules* program_type(ProgramType type) const = 0;
  // nullptr for unknown helper ids.
  virtual const HelperPrototype* helper(int32_t id) const = 0;
  virtual MapTypeRules map_type(MapType type) const = 0;
  // Whether `helper` may be called with a map of type `map`.
  virtual bool map_helper_compatible(MapType map, int32_t helper_id) const = 0;
};

// The Linux platform nicsim verifies against (kernel 6.12 rules).
const Platform& linux_platform();

// The program type nicsim assumes for a program whose section names none (Cilium's "2/1",
// OVS's "tail-3", Suricata's "filter"): XDP when the object or section name says "xdp",
// otherwise sched_cls, the type such objects are loaded as by tc.
ProgramType guess_program_type(std::string_view object_path, std::string_view section);

}  // namespace nicsim::verifier
