#include "ebpf/runtime/helper_support.h"

#include <fmt/format.h>

namespace nicsim::ebpf::helper_support {

namespace {

bool check_access(Runtime& runtime, std::string_view helper, std::string_view what,
                  uint64_t address, uint64_t length, bool write) {
  if (length == 0 || runtime.accessible(address, length, write)) return true;
  runtime.raise_fault(fmt::format("helper {}: {} pointer {:#x} is not {} for {} bytes", helper,
                                  what, address, write ? "writable" : "readable", length));
  return false;
}

}  // namespace

bool check_readable(Runtime& runtime, std::string_view helper, std::string_view what,
                    uint64_t address, uint64_t length) {
  return check_access(runtime, helper, what, address, length, false);
}

bool check_writable(Runtime& runtime, std::string_view helper, std::string_view what,
                    uint64_t address, uint64_t length) {
  return check_access(runtime, helper, what, address, length, true);
}

Map* map_argument(Runtime& runtime, std::string_view helper, uint64_t value) {
  Map* map = runtime.map_from_pointer(value);
  if (map == nullptr)
    runtime.raise_fault(fmt::format("helper {}: argument {:#x} is not a map", helper, value));
  return map;
}

XdpFrame* xdp_frame_argument(Runtime& runtime, std::string_view helper, uint64_t ctx) {
  XdpFrame* frame = runtime.frame();
  if (frame == nullptr) {
    runtime.raise_fault(
        fmt::format("helper {}: no XDP frame (the program is not running on a packet)", helper));
    return nullptr;
  }
  if (ctx != reinterpret_cast<uint64_t>(frame->context())) {
    runtime.raise_fault(
        fmt::format("helper {}: context pointer {:#x} is not the XDP context", helper, ctx));
    return nullptr;
  }
  return frame;
}

}  // namespace nicsim::ebpf::helper_support
