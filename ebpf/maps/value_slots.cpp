#include "ebpf/maps/value_slots.h"

#include <fmt/format.h>

#include <cstring>

#include "ebpf/maps/map_flags.h"
#include "ebpf/util/error.h"

namespace nicsim::ebpf {

ZeroedBuffer::ZeroedBuffer(std::string_view map_name, size_t bytes)
    : data_(static_cast<uint8_t*>(std::calloc(bytes == 0 ? 1 : bytes, 1))) {
  if (!data_)
    throw Error(fmt::format("map '{}': cannot allocate {} bytes of storage", map_name, bytes));
}

namespace {

size_t checked_storage_size(std::string_view map_name, uint32_t slot_count, size_t slot_stride) {
  // 128-bit product: max_entries * value_size * num_cpus can exceed 64 bits.
  const unsigned __int128 total = static_cast<unsigned __int128>(slot_stride) * slot_count;
  if (total > (uint64_t{1} << 40))
    throw Error(fmt::format("map '{}': {} entries of {} bytes exceed nicsim's memory limit",
                            map_name, slot_count, slot_stride));
  return static_cast<size_t>(total);
}

}  // namespace

ValueSlots::ValueSlots(std::string_view map_name, uint32_t slot_count, uint32_t value_size,
                       uint32_t copies)
    : slot_count_(slot_count),
      value_size_(value_size),
      copies_(copies == 0 ? 1 : copies),
      copy_stride_(round_up_8(value_size == 0 ? 1 : value_size)),
      slot_stride_(copy_stride_ * copies_),
      base_(map_name, checked_storage_size(map_name, slot_count, slot_stride_)),
      live_(slot_count, false) {}

size_t ValueSlots::host_size() const {
  return copies_ == 1 ? value_size_ : copies_ * copy_stride_;
}

void ValueSlots::read_host(uint32_t slot, void* out) const {
  auto* dst = static_cast<uint8_t*>(out);
  if (copies_ == 1) {
    std::memcpy(dst, value(slot), value_size_);
    return;
  }
  for (uint32_t cpu = 0; cpu < copies_; ++cpu) {
    std::memcpy(dst + cpu * copy_stride_, value(slot, cpu), value_size_);
    std::memset(dst + cpu * copy_stride_ + value_size_, 0, copy_stride_ - value_size_);
  }
}

void ValueSlots::write_host(uint32_t slot, const void* in) {
  const auto* src = static_cast<const uint8_t*>(in);
  if (copies_ == 1) {
    std::memcpy(value(slot), src, value_size_);
    return;
  }
  for (uint32_t cpu = 0; cpu < copies_; ++cpu)
    std::memcpy(value(slot, cpu), src + cpu * copy_stride_, value_size_);
}

void ValueSlots::write(uint32_t slot, const void* in, uint32_t copy) {
  if (copy != kAllCopies) {
    std::memcpy(value(slot, copy), in, value_size_);
    return;
  }
  for (uint32_t cpu = 0; cpu < copies_; ++cpu)
    std::memcpy(value(slot, cpu), in, value_size_);
}

void ValueSlots::clear(uint32_t slot) {
  std::memset(value(slot), 0, slot_stride_);
}

int64_t ValueSlots::slot_of(uint64_t addr) const {
  const auto begin = reinterpret_cast<uint64_t>(base_.get());
  if (addr < begin) return -1;
  const uint64_t slot = (addr - begin) / slot_stride_;
  return slot < slot_count_ ? static_cast<int64_t>(slot) : -1;
}

bool ValueSlots::owns_range(uint64_t addr, uint64_t len) const {
  if (len == 0) return false;
  const int64_t slot = slot_of(addr);
  if (slot < 0 || !live_[slot]) return false;
  const uint64_t offset_in_copy =
      (addr - reinterpret_cast<uint64_t>(base_.get())) % slot_stride_ % copy_stride_;
  return len <= value_size_ && offset_in_copy <= value_size_ - len;
}

}  // namespace nicsim::ebpf
