#include "jit/common/access_checker.h"

#include <fmt/format.h>

#include <cstring>

#include "ebpf/isa/opcodes.h"

namespace nicsim::jit {

using ebpf::kStackSize;

namespace {

uint64_t read_sized(uint64_t address, int size) {
  const auto* p = reinterpret_cast<const uint8_t*>(address);
  uint64_t value = 0;
  std::memcpy(&value, p, static_cast<size_t>(size));  // little-endian host
  return value;
}

uint64_t sign_extend(uint64_t value, int size) {
  switch (size) {
    case 1:
      return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int8_t>(value)));
    case 2:
      return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int16_t>(value)));
    case 4:
      return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(value)));
    default:
      return value;
  }
}

bool overlaps(uint64_t address, int size, uint64_t begin, uint64_t end) {
  return address < end && address + static_cast<uint64_t>(size) > begin;
}

}  // namespace

bool AccessChecker::overlaps_context(uint64_t address, int size) const {
  if (context_ == nullptr) return false;
  const auto begin = reinterpret_cast<uint64_t>(context_);
  return overlaps(address, size, begin, begin + ebpf::kXdpMdSize);
}

bool AccessChecker::overlaps_stack(uint64_t address, int size) const {
  return overlaps(address, size, area_begin_, area_end_);
}

bool AccessChecker::load_context(uint64_t address, int size, bool sign_extend, uint64_t& value) {
  const auto offset = static_cast<int64_t>(address - reinterpret_cast<uint64_t>(context_));
  const ebpf::ContextField* field =
      sign_extend ? nullptr : ebpf::find_xdp_context_field(offset, size);
  if (field == nullptr) {
    fault_ = fmt::format(
        "invalid {}read of {} bytes at xdp_md{:+d} (readable fields: data, "
        "data_end, data_meta, ingress_ifindex, rx_queue_index, egress_ifindex)",
        sign_extend ? "sign-extending " : "", size, offset);
    return false;
  }
  value =
      read_sized(reinterpret_cast<uint64_t>(context_) + field->shadow_offset, field->shadow_size);
  return true;
}

bool AccessChecker::load(const NativeRunState& state, uint64_t address, int size,
                         bool sign_extend_value, uint64_t& value) {
  const bool fast = within(state.live_stack, address, size) || within(state.data, address, size);
  if (!fast) {
    if (overlaps_context(address, size))
      return load_context(address, size, sign_extend_value, value);
    if (overlaps_stack(address, size) || runtime_ == nullptr ||
        !runtime_->accessible(address, size, false)) {
      refuse(state, "read", address, size);
      return false;
    }
  }
  value = read_sized(address, size);
  if (sign_extend_value) value = sign_extend(value, size);
  return true;
}

bool AccessChecker::check_write(const NativeRunState& state, uint64_t address, int size) {
  if (within(state.live_stack, address, size) || within(state.data, address, size)) return true;
  if (overlaps_context(address, size)) {
    const auto offset = static_cast<int64_t>(address - reinterpret_cast<uint64_t>(context_));
    fault_ = fmt::format("invalid write of {} bytes at xdp_md{:+d}: the context is read-only", size,
                         offset);
    return false;
  }
  if (!overlaps_stack(address, size) && runtime_ != nullptr) {
    if (runtime_->accessible(address, size, true)) return true;
    if (runtime_->accessible(address, size, false)) {
      fault_ = fmt::format("invalid write of {} bytes at 0x{:x}: the memory is read-only", size,
                           address);
      return false;
    }
  }
  refuse(state, "write", address, size);
  return false;
}

bool AccessChecker::legacy_load(const NativeRunState& state, int64_t offset, int size,
                                uint64_t& value) const {
  const uint64_t begin = context_ != nullptr ? context_->data : state.data.begin;
  const uint64_t end =
      context_ != nullptr ? context_->data_end : state.data.begin + state.data.size;
  const uint64_t length = end - begin;
  if (offset < 0 || static_cast<uint64_t>(offset) > length ||
      length - static_cast<uint64_t>(offset) < static_cast<uint64_t>(size))
    return false;
  value = 0;
  const auto* bytes = reinterpret_cast<const uint8_t*>(begin + static_cast<uint64_t>(offset));
  for (int i = 0; i < size; ++i)
    value = (value << 8) | bytes[i];
  return true;
}

void AccessChecker::refuse(const NativeRunState& state, const char* verb, uint64_t address,
                           int size) {
  const uint64_t fp = state.live_stack.begin + kStackSize;  // the deepest live frame's r10
  // Near the stack (its guard bands hold nothing else), the address can only come from
  // frame-pointer arithmetic: a stack underflow reads better as fp-520 than as a host address.
  if (address >= area_begin_ - kStackGuard && address < area_end_ + kStackGuard) {
    const auto offset = static_cast<int64_t>(address - fp);
    fault_ = fmt::format("invalid {} of {} bytes at fp{:+d}: outside the {}-byte stack frame", verb,
                         size, offset, kStackSize);
    return;
  }
  const char* regions = context_ != nullptr ? "stack, context, packet or map value"
                                            : "stack, input memory or map value";
  fault_ = fmt::format("invalid {} of {} bytes at 0x{:x} (not {})", verb, size, address, regions);
}

}  // namespace nicsim::jit
