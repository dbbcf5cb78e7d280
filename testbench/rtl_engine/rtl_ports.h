#pragma once
// Typed access to the flattened ports of one Verilated build of nic_top (Vnic_top or
// Vnic_top_traced: both have the same ports), inline, so that a cycle loop instantiated for one
// build reaches the ports without a call or a branch on the build per access. Included only by
// the wrapper's own sources (it pulls in the generated headers); everything else goes through
// RtlCore.

#include <algorithm>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "Vnic_top.h"
#include "Vnic_top___024root.h"
#include "Vnic_top_traced.h"
#include "Vnic_top_traced___024root.h"
#include "testbench/rtl_engine/rtl_core.h"
#include "testbench/rtl_engine/rtl_edge.h"
#include "verilated.h"

namespace nicsim::rtl {

template <typename Model>
class RtlPorts {
 public:
  static constexpr bool kTraceable = std::is_same_v<Model, Vnic_top_traced>;

  explicit RtlPorts(Model& top) : top_(top), root_(*top.rootp) {}
  Model& top() { return top_; }

  // ---- inputs ----
  void set_cycle_inputs(const StartInputs* start, uint32_t abort_mask, bool helper_busy) {
    root_.abort_i = static_cast<uint8_t>(abort_mask);
    root_.helper_busy_i = helper_busy;
    root_.start_i = start != nullptr;
    if (start == nullptr) return;
    root_.start_ctx_i = static_cast<uint8_t>(start->context);
    root_.start_pkt_data_i = start->pkt_data;
    root_.start_pkt_end_i = start->pkt_end;
    root_.start_pkt_meta_i = start->pkt_meta;
    root_.start_ingress_i = start->ingress_ifindex;
    root_.start_rx_queue_i = start->rx_queue_index;
    root_.start_cpu_id_i = start->cpu_id;
    root_.start_time_ns_i = start->time_ns;
  }
  void set_memory_response(uint32_t port, uint64_t data, bool map_fault) {
    write_word64(root_.dmem_rdata_i, port, data);
    if (map_fault)
      root_.dmem_map_fault_i |= static_cast<uint8_t>(1u << port);
    else
      root_.dmem_map_fault_i &= static_cast<uint8_t>(~(1u << port));
  }
  void set_helper_response(uint64_t r0, uint32_t latency, bool fault, uint32_t pkt_data,
                           uint32_t pkt_end, uint32_t pkt_meta) {
    root_.helper_r0_i = r0;
    root_.helper_latency_i = static_cast<uint16_t>(std::min<uint32_t>(latency, 0xffff));
    root_.helper_fault_i = fault;
    root_.helper_pkt_data_i = pkt_data;
    root_.helper_pkt_end_i = pkt_end;
    root_.helper_pkt_meta_i = pkt_meta;
  }

  // Rising edge, then the clock lowered without evaluating the low phase (rtl_edge.h).
  void raise_clock() { evaluate_rising_edge(top_); }
  void lower_clock() { lower_clock_after_edge(top_); }

  // ---- outputs (see RtlCore for when each is meaningful) ----
  uint32_t memory_context() const { return root_.dmem_ctx_o; }
  MemoryRequest memory_request(uint32_t port) const {
    MemoryRequest r;
    r.valid = (root_.dmem_valid_o >> port) & 1;
    r.write = (root_.dmem_write_o >> port) & 1;
    r.map = (root_.dmem_map_o >> port) & 1;
    r.address = static_cast<uint32_t>(root_.dmem_addr_o >> (32 * port));
    r.size = (root_.dmem_size_o >> (4 * port)) & 0xf;
    return r;
  }
  uint32_t pending_requests() const {
    return static_cast<uint32_t>(root_.dmem_valid_o) |
           (static_cast<uint32_t>(root_.helper_valid_o) << kRtlMemPorts);
  }
  bool helper_valid() const { return root_.helper_valid_o; }
  uint32_t helper_context() const { return root_.helper_ctx_o; }
  int32_t helper_id() const { return static_cast<int32_t>(root_.helper_id_o); }
  uint64_t helper_argument(uint32_t i) const { return read_word64(root_.helper_args_o, i); }

  bool retired_valid() const { return root_.retired_valid_o; }
  RetiredBundle retired() const {
    RetiredBundle r;
    r.valid = root_.retired_valid_o;
    if (!r.valid) return r;
    r.context = root_.retired_ctx_o;
    r.address = root_.retired_addr_o;
    r.commit = root_.retired_commit_o;
    r.end = root_.retired_end_o;
    r.fault = root_.retired_fault_o;
    r.r0 = root_.retired_r0_o;
    return r;
  }
  uint64_t retired_write_data(uint32_t port) const {
    return read_word64(root_.retired_wdata_o, port);
  }
  RegisterWritePort register_write(uint32_t port) const {
    RegisterWritePort w;
    // nic_core offers each port's valid bit from the state alone: the issuing bundle's ports
    // write only if it commits, a helper port also with this cycle's answer.
    w.valid = (root_.rf_wr_valid_o >> port) & 1;
    if (port < kRtlPortWriteback) {
      w.valid = w.valid && root_.rf_wr_commit_o;
    } else if (port >= kRtlPortHelper) {
      w.valid = w.valid || helper_writes_now(port - kRtlPortHelper);
    }
    if (!w.valid) return w;
    w.context = (root_.rf_wr_ctx_o >> (kCtxBits * port)) & ((1u << kCtxBits) - 1);
    // A packet that starts in the context at this edge takes precedence over the write
    // (nic_core offers the port's write without that mask).
    if (root_.start_i && root_.start_ctx_i == w.context) {
      w.valid = false;
      return w;
    }
    w.reg = (root_.rf_wr_reg_o >> (4 * port)) & 0xf;
    if (port < kRtlPortHelper) {
      w.value = read_word64(root_.rf_wr_data_o, port);
    } else {
      // A helper port writes this cycle's answer or the result held from an earlier one.
      const uint32_t c = port - kRtlPortHelper;
      w.value =
          helper_writes_now(c) ? root_.helper_r0_i : read_word64(root_.rf_wr_helper_held_o, c);
    }
    return w;
  }
  // The helper answering in this cycle writes r0 of its context with a latency of 1.
  bool helper_writes_now(uint32_t context) const {
    return root_.rf_wr_helper_now_o && root_.helper_ctx_o == context;
  }
  bool fetch_valid() const { return root_.fetch_valid_o; }
  uint32_t fetch_context() const { return root_.fetch_ctx_o; }
  uint32_t fetch_address() const { return root_.fetch_addr_o; }
  bool running(uint32_t context) const { return (root_.running_o >> context) & 1; }
  uint32_t stall_bits() const { return static_cast<uint32_t>(root_.stall_o); }
  uint64_t context_r0(uint32_t context) const { return read_word64(root_.ctx_r0_o, context); }
  uint64_t cycle() const { return root_.cycle_o; }

  template <std::size_t N>
  static uint64_t read_word64(const VlWide<N>& w, uint32_t index) {
    return static_cast<uint64_t>(w[2 * index]) | (static_cast<uint64_t>(w[2 * index + 1]) << 32);
  }
  template <std::size_t N>
  static void write_word64(VlWide<N>& w, uint32_t index, uint64_t value) {
    w[2 * index] = static_cast<uint32_t>(value);
    w[2 * index + 1] = static_cast<uint32_t>(value >> 32);
  }

 private:
  static constexpr uint32_t kCtxBits = 2;  // $clog2(kRtlContexts)
  static_assert(kRtlContexts == 4, "the port accessors assume 4 contexts");

  Model& top_;
  // The ports are read and written in the model's root, where the generated code keeps them:
  // the model's own members are references to them, one more load per access.
  std::remove_reference_t<decltype(*std::declval<Model&>().rootp)>& root_;
};

template <typename F>
decltype(auto) RtlCore::with_ports(F&& f) const {
  if (traced_) {
    RtlPorts<Vnic_top_traced> ports(*traced_);
    return f(ports);
  }
  RtlPorts<Vnic_top> ports(*plain_);
  return f(ports);
}

template <typename Model>
[[gnu::always_inline]] inline void RtlCore::clock_edge(RtlPorts<Model>& ports) {
  if constexpr (RtlPorts<Model>::kTraceable) {
    const bool dumping = trace_ && trace_enabled_;
    const uint64_t cycle_start = edges_ * 2 * half_period_ps_;
    if (dumping) dump(cycle_start);
    ports.raise_clock();
    if (dumping) dump(cycle_start + half_period_ps_);
  } else {
    ports.raise_clock();  // a build without tracing has no waveform to dump into
  }
  ports.lower_clock();
  ++edges_;
}

}  // namespace nicsim::rtl
