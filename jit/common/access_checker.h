#pragma once
// The run-time memory checks of checked code, out of line: what an access that missed the
// inline ranges (live stack, packet or raw memory) may still reach: an xdp_md field (loads are
// translated to the 64-bit context shadow, as the kernel rewrites them), a map value or ringbuf
// record (Runtime::accessible). The rules and the wording of refusals are the interpreter's, so
// that both engines abort the same programs with the same diagnostic.

#include <cstdint>
#include <string>

#include "ebpf/runtime/runtime.h"
#include "ebpf/runtime/xdp.h"
#include "jit/common/run_state.h"

namespace nicsim::jit {

class AccessChecker {
 public:
  // Unused bytes on each side of the stack area (as in the interpreter), so that addresses near
  // the stack can only come from frame-pointer arithmetic and are described relative to it.
  static constexpr uint64_t kStackGuard = 4096;

  void set_runtime(const ebpf::Runtime* runtime) { runtime_ = runtime; }
  // Every call frame: [begin, end), frame 0 at the top, with kStackGuard unused bytes around.
  void set_stack_area(uint64_t begin, uint64_t end) {
    area_begin_ = begin;
    area_end_ = end;
  }
  // XDP runs: the context r1 points at (nullptr for raw runs).
  void set_context(ebpf::XdpContextShadow* context) { context_ = context; }
  ebpf::XdpContextShadow* context() const { return context_; }

  // `state` supplies the inline ranges (live stack, data). False with fault() set when the
  // access is refused; loads return the value (sign-extended when asked) in `value`.
  bool load(const NativeRunState& state, uint64_t address, int size, bool sign_extend,
            uint64_t& value);
  bool check_write(const NativeRunState& state, uint64_t address, int size);
  // LD_ABS/LD_IND: `size` bytes at `offset` into the packet (XDP data..data_end) or the raw
  // memory, big-endian; false when outside.
  bool legacy_load(const NativeRunState& state, int64_t offset, int size, uint64_t& value) const;

  const std::string& fault() const { return fault_; }
  void clear_fault() { fault_.clear(); }

 private:
  bool load_context(uint64_t address, int size, bool sign_extend, uint64_t& value);
  bool overlaps_context(uint64_t address, int size) const;
  bool overlaps_stack(uint64_t address, int size) const;
  void refuse(const NativeRunState& state, const char* verb, uint64_t address, int size);

  const ebpf::Runtime* runtime_ = nullptr;
  uint64_t area_begin_ = 0;
  uint64_t area_end_ = 0;
  ebpf::XdpContextShadow* context_ = nullptr;
  std::string fault_;
};

// [address, address + size) inside `range`, computed so that no sum can wrap around.
inline bool within(const FastRange& range, uint64_t address, uint64_t size) {
  const uint64_t delta = address - range.begin;
  return delta < range.size && range.size - delta >= size;
}

}  // namespace nicsim::jit
