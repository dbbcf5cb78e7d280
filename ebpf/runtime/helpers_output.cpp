// Program output to user space: bpf_perf_event_output and the ring buffer helpers. Every
// record is captured with Runtime::record_event.

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

#include "ebpf/maps/prog_array_map.h"
#include "ebpf/maps/ringbuf_map.h"
#include "ebpf/runtime/helper_functions.h"
#include "ebpf/runtime/helper_support.h"

namespace nicsim::ebpf {

using namespace helper_support;

namespace {

constexpr uint64_t kIndexMask = 0xffffffffull;             // BPF_F_INDEX_MASK
constexpr uint64_t kCurrentCpu = kIndexMask;               // BPF_F_CURRENT_CPU
constexpr uint64_t kContextLengthMask = 0xfffffull << 32;  // BPF_F_CTXLEN_MASK
constexpr uint64_t kRingbufWakeupFlags = 3;                // BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP

std::vector<uint8_t> copy_bytes(uint64_t address, uint64_t length) {
  const auto* begin = host_pointer<const uint8_t>(address);
  return length == 0 ? std::vector<uint8_t>{} : std::vector<uint8_t>(begin, begin + length);
}

RingbufMap* ringbuf_argument(Runtime& runtime, std::string_view helper, uint64_t value) {
  Map* map = map_argument(runtime, helper, value);
  if (map == nullptr) return nullptr;
  auto* ring = dynamic_cast<RingbufMap*>(map);
  if (ring == nullptr)
    runtime.raise_fault(fmt::format("helper {}: map '{}' ({}) is not a ring buffer", helper,
                                    map->def().name, map_type_name(map->def().type)));
  return ring;
}

// Submits or discards the reservation `sample` of whichever ring buffer holds it.
uint64_t commit_reservation(Runtime& runtime, std::string_view helper, uint64_t sample,
                            bool discard) {
  for (size_t i = 0; i < runtime.map_count(); ++i) {
    auto* ring = dynamic_cast<RingbufMap*>(&runtime.map(i));
    if (ring == nullptr) continue;
    const std::optional<uint32_t> size = ring->open_reservation(sample, runtime.invocation_index());
    if (!size) continue;
    ring->commit(sample, discard, runtime.invocation_index());
    runtime.remove_ringbuf_region(sample);
    if (!discard)
      runtime.record_event(static_cast<uint32_t>(i), runtime.cpu(), copy_bytes(sample, *size));
    return 0;
  }
  runtime.raise_fault(fmt::format("helper {}: pointer {:#x} is not an open ring buffer reservation",
                                  helper, sample));
  return 0;
}

}  // namespace

uint64_t helper_perf_event_output(uint64_t ctx, uint64_t map_ptr, uint64_t flags, uint64_t data,
                                  uint64_t size, Runtime* runtime) {
  XdpFrame* frame = nullptr;
  if (runtime->frame() != nullptr) {
    frame = xdp_frame_argument(*runtime, "perf_event_output", ctx);
    if (frame == nullptr) return 0;
  }
  Map* map = map_argument(*runtime, "perf_event_output", map_ptr);
  if (map == nullptr) return 0;
  if (dynamic_cast<PerfEventArrayMap*>(map) == nullptr) {
    runtime->raise_fault(
        fmt::format("helper perf_event_output: map '{}' ({}) is not a perf "
                    "event array",
                    map->def().name, map_type_name(map->def().type)));
    return 0;
  }
  if (!check_readable(*runtime, "perf_event_output", "data", data, size)) return 0;
  if (flags & ~(kIndexMask | kContextLengthMask)) return error_result(-EINVAL);
  // XDP: the upper 32 bits ask for that many packet bytes to follow the data.
  const uint64_t packet_bytes = (flags & kContextLengthMask) >> 32;
  if (packet_bytes > 0 && (frame == nullptr || packet_bytes > frame->length()))
    return error_result(-EFAULT);
  uint64_t index = flags & kIndexMask;
  if (index == kCurrentCpu) index = runtime->cpu();
  if (index >= map->def().max_entries) return error_result(-E2BIG);

  std::vector<uint8_t> record = copy_bytes(data, size);
  if (packet_bytes > 0) record.insert(record.end(), frame->data(), frame->data() + packet_bytes);
  runtime->record_event(static_cast<uint32_t>(runtime->map_index(map)),
                        static_cast<uint32_t>(index), std::move(record));
  return 0;
}

uint64_t helper_ringbuf_output(uint64_t map_ptr, uint64_t data, uint64_t size, uint64_t flags,
                               uint64_t, Runtime* runtime) {
  RingbufMap* ring = ringbuf_argument(*runtime, "ringbuf_output", map_ptr);
  if (ring == nullptr) return 0;
  if (!check_readable(*runtime, "ringbuf_output", "data", data, size)) return 0;
  if (flags & ~kRingbufWakeupFlags) return error_result(-EINVAL);
  uint8_t* record = ring->reserve(size, runtime->invocation_index());
  if (record == nullptr) return error_result(-EAGAIN);
  if (size > 0) std::memcpy(record, host_pointer<const void>(data), size);
  ring->commit(reinterpret_cast<uint64_t>(record), false, runtime->invocation_index());
  runtime->record_event(static_cast<uint32_t>(runtime->map_index(ring)), runtime->cpu(),
                        copy_bytes(data, size));
  return 0;
}

uint64_t helper_ringbuf_reserve(uint64_t map_ptr, uint64_t size, uint64_t flags, uint64_t, uint64_t,
                                Runtime* runtime) {
  RingbufMap* ring = ringbuf_argument(*runtime, "ringbuf_reserve", map_ptr);
  if (ring == nullptr) return 0;
  if (flags != 0) return 0;
  uint8_t* record = ring->reserve(size, runtime->invocation_index());
  if (record == nullptr) return 0;
  const auto begin = reinterpret_cast<uint64_t>(record);
  runtime->add_ringbuf_region(begin, begin + size);
  return begin;
}

uint64_t helper_ringbuf_submit(uint64_t sample, uint64_t, uint64_t, uint64_t, uint64_t,
                               Runtime* runtime) {
  return commit_reservation(*runtime, "ringbuf_submit", sample, false);
}

uint64_t helper_ringbuf_discard(uint64_t sample, uint64_t, uint64_t, uint64_t, uint64_t,
                                Runtime* runtime) {
  return commit_reservation(*runtime, "ringbuf_discard", sample, true);
}

}  // namespace nicsim::ebpf
