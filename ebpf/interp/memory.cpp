#include "ebpf/interp/memory.h"

#include <fmt/format.h>

#include <vector>

#include "ebpf/isa/opcodes.h"

namespace nicsim::ebpf::interp {

namespace {

uint64_t read_sized(uint64_t addr, int n) {
  switch (n) {
    case 1:
      return MemoryAccess::read_host<1>(addr);
    case 2:
      return MemoryAccess::read_host<2>(addr);
    case 4:
      return MemoryAccess::read_host<4>(addr);
    default:
      return MemoryAccess::read_host<8>(addr);
  }
}

uint64_t sign_extend_sized(uint64_t value, int n) {
  switch (n) {
    case 1:
      return alu::sign_extend<8>(value);
    case 2:
      return alu::sign_extend<16>(value);
    case 4:
      return alu::sign_extend<32>(value);
    default:
      return value;
  }
}

bool overlaps(uint64_t addr, int n, uint64_t begin, uint64_t end) {
  return addr < end && addr + static_cast<uint64_t>(n) > begin;
}

}  // namespace

bool MemoryAccess::overlaps_context(uint64_t addr, int n) const {
  if (context_ == nullptr) return false;
  const auto begin = reinterpret_cast<uint64_t>(context_);
  return overlaps(addr, n, begin, begin + kXdpMdSize);
}

bool MemoryAccess::overlaps_stack(uint64_t addr, int n) const {
  return overlaps(addr, n, area_begin_, area_end_);
}

bool MemoryAccess::load_context(uint64_t addr, int n, bool sign_extend, uint64_t& value) {
  const auto offset =
      static_cast<int64_t>(addr) - static_cast<int64_t>(reinterpret_cast<uint64_t>(context_));
  const ContextField* field = sign_extend ? nullptr : find_xdp_context_field(offset, n);
  if (field == nullptr) {
    fault_ = fmt::format(
        "invalid {}read of {} bytes at xdp_md{:+d} (readable fields: data, "
        "data_end, data_meta, ingress_ifindex, rx_queue_index, egress_ifindex)",
        sign_extend ? "sign-extending " : "", n, offset);
    return false;
  }
  const auto* shadow = reinterpret_cast<const uint8_t*>(context_) + field->shadow_offset;
  value = field->shadow_size == 8 ? read_host<8>(shadow) : read_host<4>(shadow);
  return true;
}

void MemoryAccess::register_regions() {
  std::vector<MemoryRegion> regions;
  regions.reserve(2);
  // Only the live frames: a helper handed a pointer into a returned call's frame must fail.
  regions.push_back(MemoryRegion{live_begin_, area_end_, true, RegionKind::Stack});
  if (context_ != nullptr) {
    const auto begin = reinterpret_cast<uint64_t>(context_);
    regions.push_back(MemoryRegion{begin, begin + kXdpMdSize, false, RegionKind::Context});
  } else if (data_size_ != 0) {
    regions.push_back(
        MemoryRegion{data_begin_, data_begin_ + data_size_, true, RegionKind::RawMemory});
  }
  runtime_->set_regions(std::move(regions));
  regions_stale_ = false;
  registered_live_begin_ = live_begin_;
}

bool MemoryAccess::load_slow(uint64_t addr, int n, bool sign_extend, uint64_t& value) {
  sync_regions();
  if (overlaps_context(addr, n)) return load_context(addr, n, sign_extend, value);
  if (!overlaps_stack(addr, n) && runtime_ != nullptr && runtime_->accessible(addr, n, false)) {
    value = read_sized(addr, n);
    if (sign_extend) value = sign_extend_sized(value, n);
    return true;
  }
  refuse("read", addr, n);
  return false;
}

uint8_t* MemoryAccess::writable_slow(uint64_t addr, int n) {
  sync_regions();
  if (overlaps_context(addr, n)) {
    const auto offset =
        static_cast<int64_t>(addr) - static_cast<int64_t>(reinterpret_cast<uint64_t>(context_));
    fault_ = fmt::format("invalid write of {} bytes at xdp_md{:+d}: the context is read-only", n,
                         offset);
    return nullptr;
  }
  if (!overlaps_stack(addr, n) && runtime_ != nullptr) {
    if (runtime_->accessible(addr, n, true)) return reinterpret_cast<uint8_t*>(addr);
    if (runtime_->accessible(addr, n, false)) {
      fault_ = fmt::format("invalid write of {} bytes at 0x{:x}: the memory is read-only", n, addr);
      return nullptr;
    }
  }
  refuse("write", addr, n);
  return nullptr;
}

bool MemoryAccess::legacy_packet_load(int64_t offset, int n, uint64_t& value) const {
  const uint64_t begin = context_ != nullptr ? context_->data : data_begin_;
  const uint64_t end = context_ != nullptr ? context_->data_end : data_begin_ + data_size_;
  const uint64_t length = end - begin;
  if (offset < 0 || static_cast<uint64_t>(offset) > length ||
      length - static_cast<uint64_t>(offset) < static_cast<uint64_t>(n))
    return false;
  value = 0;
  const auto* bytes = reinterpret_cast<const uint8_t*>(begin + static_cast<uint64_t>(offset));
  for (int i = 0; i < n; ++i)
    value = (value << 8) | bytes[i];
  return true;
}

void MemoryAccess::refuse(const char* verb, uint64_t addr, int n) {
  const uint64_t fp = live_begin_ + kStackSize;  // the current (deepest) frame's r10
  // Near the stack (its guard bands hold nothing else), the address can only come from
  // frame-pointer arithmetic: a stack underflow reads better as fp-520 than as a host address.
  if (addr >= area_begin_ - kStackGuard && addr < area_end_ + kStackGuard) {
    const auto offset = static_cast<int64_t>(addr - fp);
    fault_ = fmt::format("invalid {} of {} bytes at fp{:+d}: outside the {}-byte stack frame", verb,
                         n, offset, kStackSize);
    return;
  }
  const char* regions = context_ != nullptr ? "stack, context, packet or map value"
                                            : "stack, input memory or map value";
  fault_ = fmt::format("invalid {} of {} bytes at 0x{:x} (not {})", verb, n, addr, regions);
}

}  // namespace nicsim::ebpf::interp
