#pragma once
// Checked memory access for the interpreter. Two ranges are tested inline, the live stack
// frames and the data the program was given (the XDP packet with its metadata, or the raw
// memory of a bpf_conformance run); everything else goes out of line: xdp_md context loads
// (translated to the 64-bit shadow), then Runtime::accessible (map values, ringbuf records).
// A refused access leaves a one-line reason in fault() and the caller aborts the program.

#include <cstdint>
#include <cstring>
#include <string>

#include "ebpf/interp/alu.h"
#include "ebpf/runtime/runtime.h"
#include "ebpf/runtime/xdp.h"

namespace nicsim::ebpf::interp {

class MemoryAccess {
 public:
  // Unused bytes the stack area is padded with on both sides, so that an address this close
  // to it can only come from frame-pointer arithmetic and is reported relative to r10.
  static constexpr uint64_t kStackGuard = 4096;

  void set_runtime(Runtime* runtime) { runtime_ = runtime; }
  // All call frames [area_begin, area_end); frame 0 at the top, deeper frames below it.
  void set_stack_area(uint64_t area_begin, uint64_t area_end) {
    area_begin_ = area_begin;
    area_end_ = area_end;
  }
  // The frames of the active calls: [lowest frame's start, area end).
  void set_live_stack(uint64_t begin) {
    live_begin_ = begin;
    live_size_ = area_end_ - begin;
  }
  // Raw runs: the memory r1 points at.
  void set_raw_memory(uint64_t begin, uint64_t end) {
    context_ = nullptr;
    set_data(begin, end);
    regions_stale_ = true;
  }
  // XDP runs: the context r1 points at; its packet range is re-read by refresh_packet().
  void set_context(XdpContextShadow* context) {
    context_ = context;
    refresh_packet();
    regions_stale_ = true;
  }
  void refresh_packet() {
    if (context_ != nullptr) set_data(context_->data_meta, context_->data_end);
  }
  // The Runtime's region list (what helpers check pointer arguments against) must describe
  // this run before a helper or the slow path consults it. Registering allocates, so it is
  // done on first need only, and again when the live stack frames change.
  void invalidate_regions() { regions_stale_ = true; }
  void sync_regions() {
    if (regions_stale_ || registered_live_begin_ != live_begin_) register_regions();
  }

  template <int N>
  bool load(uint64_t addr, uint64_t& value) {
    if (fast(addr, N)) {
      value = read_host<N>(addr);
      return true;
    }
    return load_slow(addr, N, false, value);
  }
  template <int N>
  bool load_signed(uint64_t addr, uint64_t& value) {
    if (fast(addr, N)) {
      value = alu::sign_extend<N * 8>(read_host<N>(addr));
      return true;
    }
    return load_slow(addr, N, true, value);
  }
  template <int N>
  bool store(uint64_t addr, uint64_t value) {
    uint8_t* target = fast(addr, N) ? host(addr) : writable_slow(addr, N);
    if (target == nullptr) return false;
    write_host<N>(target, value);
    return true;
  }
  // The host bytes a read-modify-write (atomic) operates on, or nullptr.
  template <int N>
  uint8_t* read_write(uint64_t addr) {
    return fast(addr, N) ? host(addr) : writable_slow(addr, N);
  }

  template <int N>
  static uint64_t read_host(const uint8_t* p) {
    if constexpr (N == 1) return *p;
    if constexpr (N == 2) return read_as<uint16_t>(p);
    if constexpr (N == 4) return read_as<uint32_t>(p);
    if constexpr (N == 8) return read_as<uint64_t>(p);
  }
  template <int N>
  static uint64_t read_host(uint64_t addr) {
    return read_host<N>(host(addr));
  }
  template <int N>
  static void write_host(uint8_t* p, uint64_t value) {
    if constexpr (N == 1) *p = static_cast<uint8_t>(value);
    if constexpr (N == 2) write_as<uint16_t>(p, static_cast<uint16_t>(value));
    if constexpr (N == 4) write_as<uint32_t>(p, static_cast<uint32_t>(value));
    if constexpr (N == 8) write_as<uint64_t>(p, value);
  }

  // LD_ABS/LD_IND: `n` bytes at `offset` into the packet (XDP data..data_end, or the raw
  // memory), big-endian. False when they lie outside it.
  bool legacy_packet_load(int64_t offset, int n, uint64_t& value) const;

  const std::string& fault() const { return fault_; }
  void clear_fault() { fault_.clear(); }

 private:
  static uint8_t* host(uint64_t addr) { return reinterpret_cast<uint8_t*>(addr); }
  template <typename T>
  static T read_as(const uint8_t* p) {
    T v;
    std::memcpy(&v, p, sizeof(T));  // programs may access unaligned addresses
    return v;
  }
  template <typename T>
  static void write_as(uint8_t* p, T v) {
    std::memcpy(p, &v, sizeof(T));
  }
  // [addr, addr + n) inside a fast range, written so that no sum can wrap around.
  static bool within(uint64_t addr, uint64_t n, uint64_t begin, uint64_t size) {
    const uint64_t delta = addr - begin;
    return delta < size && size - delta >= n;
  }
  bool fast(uint64_t addr, uint64_t n) const {
    return within(addr, n, live_begin_, live_size_) || within(addr, n, data_begin_, data_size_);
  }

  void set_data(uint64_t begin, uint64_t end) {
    data_begin_ = begin;
    data_size_ = end - begin;
  }
  void register_regions();
  bool load_slow(uint64_t addr, int n, bool sign_extend, uint64_t& value);
  uint8_t* writable_slow(uint64_t addr, int n);
  bool load_context(uint64_t addr, int n, bool sign_extend, uint64_t& value);
  bool overlaps_context(uint64_t addr, int n) const;
  bool overlaps_stack(uint64_t addr, int n) const;
  void refuse(const char* verb, uint64_t addr, int n);

  uint64_t live_begin_ = 0;
  uint64_t live_size_ = 0;
  uint64_t data_begin_ = 0;
  uint64_t data_size_ = 0;
  uint64_t area_begin_ = 0;
  uint64_t area_end_ = 0;
  XdpContextShadow* context_ = nullptr;
  Runtime* runtime_ = nullptr;
  bool regions_stale_ = true;
  uint64_t registered_live_begin_ = 0;
  std::string fault_;
};

}  // namespace nicsim::ebpf::interp
