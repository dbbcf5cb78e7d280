#pragma once
// Preallocated value storage shared by the map implementations: `slot_count` slots, each
// holding `copies` values (one per CPU for per-CPU maps, else one). Storage is allocated once
// and never moves, so pointers handed to programs stay valid while their slot is live.
// Copies are 8-byte aligned (round_up(value_size, 8) apart), as in the kernel's layouts.

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>
#include <vector>

namespace nicsim::ebpf {

// Zero-filled heap memory from calloc: the pages of large, sparsely used maps cost nothing
// until touched. Throws nicsim::Error naming `map_name` when the allocation fails.
class ZeroedBuffer {
 public:
  ZeroedBuffer(std::string_view map_name, size_t bytes);
  uint8_t* get() const { return data_.get(); }

 private:
  struct FreeDeleter {
    void operator()(uint8_t* p) const { std::free(p); }
  };
  std::unique_ptr<uint8_t, FreeDeleter> data_;
};

class ValueSlots {
 public:
  // Throws nicsim::Error naming `map_name` when the storage cannot be allocated.
  ValueSlots(std::string_view map_name, uint32_t slot_count, uint32_t value_size, uint32_t copies);

  uint32_t slot_count() const { return slot_count_; }
  uint32_t value_size() const { return value_size_; }
  uint32_t copies() const { return copies_; }
  // Bytes one slot takes in the bpf(2) syscall layout: copies * round_up(value_size, 8) for
  // per-CPU maps, value_size otherwise.
  size_t host_size() const;
  // Bytes between consecutive slots, and between a slot's copies.
  size_t slot_stride() const { return slot_stride_; }
  size_t copy_stride() const { return copy_stride_; }

  uint8_t* value(uint32_t slot, uint32_t copy = 0) {
    return base_.get() + slot * slot_stride_ + copy * copy_stride_;
  }
  const uint8_t* value(uint32_t slot, uint32_t copy = 0) const {
    return base_.get() + slot * slot_stride_ + copy * copy_stride_;
  }

  // Copies between a slot and the syscall layout (see host_size()).
  void read_host(uint32_t slot, void* out) const;
  void write_host(uint32_t slot, const void* in);
  // Writes `in` (value_size bytes) to one copy, or to every copy when `copy` is kAllCopies.
  static constexpr uint32_t kAllCopies = UINT32_MAX;
  void write(uint32_t slot, const void* in, uint32_t copy);
  void clear(uint32_t slot);

  bool live(uint32_t slot) const { return live_[slot]; }
  void set_live(uint32_t slot, bool live) { live_[slot] = live; }

  // Slot whose storage contains `addr`, or -1.
  int64_t slot_of(uint64_t addr) const;
  // True when [addr, addr + len) lies inside the value bytes of one copy of a live slot.
  bool owns_range(uint64_t addr, uint64_t len) const;

 private:
  uint32_t slot_count_;
  uint32_t value_size_;
  uint32_t copies_;
  size_t copy_stride_;
  size_t slot_stride_;
  ZeroedBuffer base_;
  std::vector<bool> live_;
};

}  // namespace nicsim::ebpf
