#pragma once
// BPF_MAP_TYPE_RINGBUF. Records are laid out as in the kernel: an 8-byte header (length with
// the busy and discard bits, page offset) then the data, rounded up to 8 bytes. The consumer
// is modelled as reading everything between two invocations: a program may produce at most
// capacity - 1 bytes of records (headers included) per invocation, and reservations are
// never moved or wrapped, so a reserved pointer is plain contiguous memory. A reservation
// left open when the invocation ends is dropped (the verifier forbids that case anyway).
//
// Map operations other than these (lookup, update, delete, get_next_key) are not supported
// by ring buffers; they return -ENOTSUPP as in the kernel.

#include <optional>
#include <vector>

#include "ebpf/maps/map.h"
#include "ebpf/maps/value_slots.h"

namespace nicsim::ebpf {

class RingbufMap : public Map {
 public:
  static constexpr uint32_t kHeaderSize = 8;  // BPF_RINGBUF_HDR_SZ
  static constexpr uint32_t kBusyBit = 1u << 31;
  static constexpr uint32_t kDiscardBit = 1u << 30;

  explicit RingbufMap(const MapDefinition& def);

  void* lookup(const void*) override { return nullptr; }
  int update(const void* key, const void* value, uint64_t flags) override;
  int remove(const void* key) override;
  int host_lookup(const void* key, void* value_out) const override;
  int host_update(const void* key, const void* value, uint64_t flags) override;
  int get_next_key(const void* key, void* next_key) const override;
  // Reservations are made accessible through Runtime::add_ringbuf_region instead.
  bool owns_value_range(uint64_t, uint64_t) const override { return false; }

  uint32_t capacity() const { return def().max_entries; }
  // Room for a `size`-byte record during invocation `invocation`, or nullptr when the ring
  // is full (or size is above the kernel's record limit).
  uint8_t* reserve(uint64_t size, uint64_t invocation);
  // The data size of the open reservation whose data starts at `sample`, if there is one.
  std::optional<uint32_t> open_reservation(uint64_t sample, uint64_t invocation) const;
  // Closes the open reservation at `sample`; false if there is none.
  bool commit(uint64_t sample, bool discard, uint64_t invocation);
  // Bytes of ring used in the current invocation.
  uint64_t used(uint64_t invocation) const { return invocation == invocation_ ? producer_ : 0; }

 private:
  void start_invocation(uint64_t invocation);
  // Offset of `sample`'s header when `sample` is the data of a record of this invocation.
  std::optional<uint32_t> record_offset(uint64_t sample, uint64_t invocation) const;

  ZeroedBuffer data_;
  uint64_t invocation_ = UINT64_MAX;
  uint64_t producer_ = 0;
  std::vector<uint32_t> record_offsets_;  // this invocation's records, in order
};

}  // namespace nicsim::ebpf
