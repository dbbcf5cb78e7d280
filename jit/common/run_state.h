#pragma once
// The state generated code reads and writes while a program runs, reached through one machine
// register. Its layout is a contract with every backend (they address fields by offsetof),
// so it is a plain struct; everything else about an invocation lives behind `invocation`.

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace nicsim::jit {

class Invocation;

// An address range tested inline: [begin, begin + size).
struct FastRange {
  uint64_t begin = 0;
  uint64_t size = 0;
};

enum class RunStatus : uint32_t {
  Running = 0,
  Aborted = 1,   // a fault; the invocation holds the diagnostic
  Finished = 2,  // ended early with r0 = 0 (legacy packet load out of range)
};

struct NativeRunState {
  // Checked mode: instructions left; blocks subtract their length on entry.
  uint64_t budget_left = 0;
  // r10 of frame 0; frame d's r10 is stack_top - d * 512.
  uint64_t stack_top = 0;
  // Native stack pointer at the epilogue of the entry code, restored to leave from any depth.
  uint64_t entry_stack_pointer = 0;
  // The live stack frames and the program's data (packet with metadata, or raw memory).
  FastRange live_stack;
  FastRange data;
  // The helper the helper stub calls, and the native return address of its call site.
  uint64_t helper = 0;
  uint64_t site = 0;
  // Slow paths return a second value here (loaded value, r0 after a failed tail call).
  uint64_t value = 0;
  uint32_t call_depth = 0;
  uint32_t max_depth = 0;
  uint32_t tail_calls = 0;
  RunStatus status = RunStatus::Running;
  Invocation* invocation = nullptr;
};

static_assert(std::is_standard_layout_v<NativeRunState>);

// Field offsets for the backends, checked to fit an 8-bit displacement.
namespace run_state {
constexpr int32_t kBudgetLeft = offsetof(NativeRunState, budget_left);
constexpr int32_t kStackTop = offsetof(NativeRunState, stack_top);
constexpr int32_t kEntryStackPointer = offsetof(NativeRunState, entry_stack_pointer);
constexpr int32_t kLiveStackBegin =
    offsetof(NativeRunState, live_stack) + offsetof(FastRange, begin);
constexpr int32_t kLiveStackSize = offsetof(NativeRunState, live_stack) + offsetof(FastRange, size);
constexpr int32_t kDataBegin = offsetof(NativeRunState, data) + offsetof(FastRange, begin);
constexpr int32_t kDataSize = offsetof(NativeRunState, data) + offsetof(FastRange, size);
constexpr int32_t kHelper = offsetof(NativeRunState, helper);
constexpr int32_t kSite = offsetof(NativeRunState, site);
constexpr int32_t kValue = offsetof(NativeRunState, value);
constexpr int32_t kCallDepth = offsetof(NativeRunState, call_depth);
constexpr int32_t kMaxDepth = offsetof(NativeRunState, max_depth);
constexpr int32_t kTailCalls = offsetof(NativeRunState, tail_calls);
constexpr int32_t kStatus = offsetof(NativeRunState, status);
static_assert(kStatus < 128, "run state fields must be reachable with 8-bit displacements");
}  // namespace run_state

}  // namespace nicsim::jit
