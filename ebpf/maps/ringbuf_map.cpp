#include "ebpf/maps/ringbuf_map.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "ebpf/maps/map_flags.h"

namespace nicsim::ebpf {

namespace {

constexpr uint64_t kMaxRecordSize = UINT32_MAX / 4;  // RINGBUF_MAX_RECORD_SZ

uint32_t header_length(const uint8_t* header) {
  uint32_t length;
  std::memcpy(&length, header, sizeof length);
  return length;
}

}  // namespace

RingbufMap::RingbufMap(const MapDefinition& def) : Map(def), data_(def.name, def.max_entries) {}

int RingbufMap::update(const void*, const void*, uint64_t) {
  return -kErrNotSupp;
}
int RingbufMap::remove(const void*) {
  return -kErrNotSupp;
}
int RingbufMap::host_lookup(const void*, void*) const {
  return -kErrNotSupp;
}
int RingbufMap::host_update(const void*, const void*, uint64_t) {
  return -kErrNotSupp;
}
int RingbufMap::get_next_key(const void*, void*) const {
  return -kErrNotSupp;
}

void RingbufMap::start_invocation(uint64_t invocation) {
  if (invocation == invocation_) return;
  invocation_ = invocation;
  producer_ = 0;
  record_offsets_.clear();
}

uint8_t* RingbufMap::reserve(uint64_t size, uint64_t invocation) {
  start_invocation(invocation);
  if (size > kMaxRecordSize) return nullptr;
  const uint64_t length = round_up_8(size + kHeaderSize);
  // The kernel keeps the producer at most size - 1 bytes ahead of the consumer.
  if (producer_ + length > capacity() - 1) return nullptr;
  uint8_t* header = data_.get() + producer_;
  const uint32_t busy_length = static_cast<uint32_t>(size) | kBusyBit;
  const auto page_offset = static_cast<uint32_t>(producer_ / kPageSize);
  std::memcpy(header, &busy_length, 4);
  std::memcpy(header + 4, &page_offset, 4);
  record_offsets_.push_back(static_cast<uint32_t>(producer_));
  producer_ += length;
  return header + kHeaderSize;
}

std::optional<uint32_t> RingbufMap::record_offset(uint64_t sample, uint64_t invocation) const {
  if (invocation != invocation_) return std::nullopt;
  const auto base = reinterpret_cast<uint64_t>(data_.get());
  if (sample < base + kHeaderSize || sample >= base + capacity()) return std::nullopt;
  const auto offset = static_cast<uint32_t>(sample - base - kHeaderSize);
  if (!std::binary_search(record_offsets_.begin(), record_offsets_.end(), offset))
    return std::nullopt;
  return offset;
}

std::optional<uint32_t> RingbufMap::open_reservation(uint64_t sample, uint64_t invocation) const {
  const std::optional<uint32_t> offset = record_offset(sample, invocation);
  if (!offset) return std::nullopt;
  const uint32_t length = header_length(data_.get() + *offset);
  if (!(length & kBusyBit)) return std::nullopt;
  return length & ~(kBusyBit | kDiscardBit);
}

bool RingbufMap::commit(uint64_t sample, bool discard, uint64_t invocation) {
  if (!open_reservation(sample, invocation)) return false;
  uint8_t* header = data_.get() + *record_offset(sample, invocation);
  uint32_t length = header_length(header) & ~kBusyBit;
  if (discard) length |= kDiscardBit;
  std::memcpy(header, &length, 4);
  return true;
}

}  // namespace nicsim::ebpf
