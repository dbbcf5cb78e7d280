#include "testbench/rtl_engine/rtl_core.h"

#include <fmt/format.h>

#include "Vnic_top.h"
#include "Vnic_top___024root.h"
#include "Vnic_top_traced.h"
#include "Vnic_top_traced___024root.h"
#include "ebpf/util/error.h"
#include "firmware/isa/slot.h"
#include "verilated.h"
#include "verilated_fst_c.h"

namespace nicsim::rtl {

namespace {

template <std::size_t N>
uint64_t read_bits(const VlWide<N>& w, uint32_t lo, uint32_t width) {
  uint64_t v = 0;
  for (uint32_t i = 0; i < width; ++i) {
    const uint32_t bit = lo + i;
    v |= static_cast<uint64_t>((w[bit / 32] >> (bit % 32)) & 1u) << i;
  }
  return v;
}

template <std::size_t N>
uint64_t read_word64(const VlWide<N>& w, uint32_t index) {
  return static_cast<uint64_t>(w[2 * index]) | (static_cast<uint64_t>(w[2 * index + 1]) << 32);
}

template <std::size_t N>
void write_word64(VlWide<N>& w, uint32_t index, uint64_t value) {
  w[2 * index] = static_cast<uint32_t>(value);
  w[2 * index + 1] = static_cast<uint32_t>(value >> 32);
}

// Lowers the clock after a rising edge's eval(). Verilator 5.006 detects the edge by comparing
// clk_i with the value its last eval() saw, so the low phase would need an eval() of its own,
// which reruns all logic the inputs reach and changes nothing: no logic is sensitive to the
// falling edge, and the next eval() reruns that logic anyway with the next cycle's inputs
// before anything reads it. Where the generated model exposes the value last seen, it is set
// as that eval() would set it; otherwise the eval() runs.
template <typename Model>
void lower_clock(Model& top) {
  top.clk_i = 0;
  if constexpr (requires { top.rootp->__Vtrigrprev__TOP__clk_i; })
    top.rootp->__Vtrigrprev__TOP__clk_i = 0;
  else
    top.eval();
}

constexpr uint32_t kCtxBits = 2;  // $clog2(kRtlContexts)
static_assert(kRtlContexts == 4, "the port accessors below assume 4 contexts");

// Resets the core and writes the image into its memories while reset is held (the core does
// not run meanwhile). A bundle narrower than the core is padded with nops, which changes
// nothing (lane i of bundle n stays lane i).
template <typename Model>
void reset_and_load(Model& top, uint32_t index, const firmware::Image& image) {
  top.core_id_i = static_cast<uint8_t>(index);
  top.entry_i = static_cast<uint16_t>(image.entry_bundle);
  top.raw_entry_i = image.entry_kind == firmware::EntryKind::Raw;
  top.clk_i = 0;
  top.rst_ni = 0;
  top.eval();
  const auto edge = [&] {
    top.clk_i = 1;
    top.eval();
    top.clk_i = 0;
    top.eval();
  };
  edge();  // nic_top samples the configuration inputs into its registers
  top.imem_we_i = 1;
  for (size_t n = 0; n < image.bundle_count(); ++n) {
    const auto slots = image.bundle(n);
    for (uint32_t lane = 0; lane < kRtlLanes; ++lane) {
      const uint64_t word = lane < slots.size() ? firmware::encode_slot(slots[lane]) : 0;
      write_word64(top.imem_wdata_i, lane, word);
    }
    top.imem_waddr_i = static_cast<uint16_t>(n);
    edge();
  }
  top.imem_we_i = 0;
  top.pool_we_i = 1;
  for (size_t i = 0; i < image.constants.size(); ++i) {
    top.pool_waddr_i = static_cast<uint16_t>(i);
    top.pool_wdata_i = image.constants[i];
    edge();
  }
  top.pool_we_i = 0;
  top.rst_ni = 1;
  top.eval();
}

}  // namespace

template <typename F>
decltype(auto) RtlCore::with_top(F&& f) const {
  return traced_ ? f(*traced_) : f(*plain_);
}

RtlCore::RtlCore(uint32_t index, const firmware::Image& image, bool traced)
    : index_(index), context_(std::make_unique<VerilatedContext>()) {
  if (image.lanes > kRtlLanes)
    throw Error(fmt::format("image '{}': {} lanes, but the RTL core is built with {}",
                            image.program_name, image.lanes, kRtlLanes));
  if (image.memory_ports > kRtlMemPorts)
    throw Error(fmt::format("image '{}': {} memory ports, but the RTL core is built with {}",
                            image.program_name, image.memory_ports, kRtlMemPorts));
  if (image.bundle_count() > kRtlImemDepth)
    throw Error(fmt::format("image '{}': {} bundles do not fit the instruction memory ({})",
                            image.program_name, image.bundle_count(), kRtlImemDepth));
  if (image.constants.size() > kRtlPoolDepth)
    throw Error(fmt::format("image '{}': {} constants do not fit the pool ({})", image.program_name,
                            image.constants.size(), kRtlPoolDepth));
  if (traced) {
    context_->traceEverOn(true);
    traced_ = std::make_unique<Vnic_top_traced>(context_.get(), "nic");
    reset_and_load(*traced_, index, image);
  } else {
    plain_ = std::make_unique<Vnic_top>(context_.get(), "nic");
    reset_and_load(*plain_, index, image);
  }
}

RtlCore::~RtlCore() {
  close_trace();
  with_top([](auto& top) { top.final(); });
}

void RtlCore::settle() {
  with_top([&](auto& top) { top.eval(); });
}

void RtlCore::clock_edge() {
  with_top([&](auto& top) {
    const uint64_t cycle_start = edges_ * 2 * half_period_ps_;
    if (trace_ && trace_enabled_) dump(cycle_start);
    top.clk_i = 1;
    top.eval();
    if (trace_ && trace_enabled_) dump(cycle_start + half_period_ps_);
    lower_clock(top);
    ++edges_;
  });
}

void RtlCore::dump(uint64_t time_ps) {
  trace_->dump(time_ps);
}

void RtlCore::set_cycle_inputs(const StartInputs* start, uint32_t abort_mask, bool helper_busy) {
  with_top([&](auto& top) {
    top.abort_i = static_cast<uint8_t>(abort_mask);
    top.helper_busy_i = helper_busy;
    top.start_i = start != nullptr;
    if (start == nullptr) return;
    top.start_ctx_i = static_cast<uint8_t>(start->context);
    top.start_pkt_data_i = start->pkt_data;
    top.start_pkt_end_i = start->pkt_end;
    top.start_pkt_meta_i = start->pkt_meta;
    top.start_ingress_i = start->ingress_ifindex;
    top.start_rx_queue_i = start->rx_queue_index;
    top.start_cpu_id_i = start->cpu_id;
    top.start_time_ns_i = start->time_ns;
  });
}

void RtlCore::set_memory_response(uint32_t port, uint64_t data, bool map_fault) {
  with_top([&](auto& top) {
    write_word64(top.dmem_rdata_i, port, data);
    if (map_fault)
      top.dmem_map_fault_i |= static_cast<uint8_t>(1u << port);
    else
      top.dmem_map_fault_i &= static_cast<uint8_t>(~(1u << port));
  });
}

void RtlCore::set_helper_response(uint64_t r0, uint32_t latency, bool fault, uint32_t pkt_data,
                                  uint32_t pkt_end, uint32_t pkt_meta) {
  with_top([&](auto& top) {
    top.helper_r0_i = r0;
    top.helper_latency_i = static_cast<uint16_t>(std::min<uint32_t>(latency, 0xffff));
    top.helper_fault_i = fault;
    top.helper_pkt_data_i = pkt_data;
    top.helper_pkt_end_i = pkt_end;
    top.helper_pkt_meta_i = pkt_meta;
  });
}

uint32_t RtlCore::memory_context() const {
  return with_top([&](auto& top) { return top.dmem_ctx_o; });
}

MemoryRequest RtlCore::memory_request(uint32_t port) const {
  return with_top([&](auto& top) {
    MemoryRequest r;
    r.valid = (top.dmem_valid_o >> port) & 1;
    r.write = (top.dmem_write_o >> port) & 1;
    r.map = (top.dmem_map_o >> port) & 1;
    r.address = static_cast<uint32_t>(top.dmem_addr_o >> (32 * port));
    r.size = (top.dmem_size_o >> (4 * port)) & 0xf;
    return r;
  });
}

uint32_t RtlCore::pending_requests() const {
  return with_top([&](auto& top) {
    return static_cast<uint32_t>(top.dmem_valid_o) |
           (static_cast<uint32_t>(top.helper_valid_o) << kRtlMemPorts);
  });
}

bool RtlCore::helper_valid() const {
  return with_top([&](auto& top) { return top.helper_valid_o; });
}
uint32_t RtlCore::helper_context() const {
  return with_top([&](auto& top) { return top.helper_ctx_o; });
}
int32_t RtlCore::helper_id() const {
  return with_top([&](auto& top) { return static_cast<int32_t>(top.helper_id_o); });
}
uint64_t RtlCore::helper_argument(uint32_t i) const {
  return with_top([&](auto& top) { return read_word64(top.helper_args_o, i); });
}

RetiredBundle RtlCore::retired() const {
  return with_top([&](auto& top) {
    RetiredBundle r;
    r.valid = top.retired_valid_o;
    if (!r.valid) return r;
    r.context = top.retired_ctx_o;
    r.address = top.retired_addr_o;
    r.commit = top.retired_commit_o;
    r.end = top.retired_end_o;
    r.fault = top.retired_fault_o;
    r.r0 = top.retired_r0_o;
    return r;
  });
}

uint64_t RtlCore::retired_write_data(uint32_t port) const {
  return with_top([&](auto& top) { return read_word64(top.retired_wdata_o, port); });
}

RegisterWritePort RtlCore::register_write(uint32_t port) const {
  return with_top([&](auto& top) {
    RegisterWritePort w;
    w.valid = (top.rf_wr_valid_o >> port) & 1;
    if (!w.valid) return w;
    w.context = (top.rf_wr_ctx_o >> (kCtxBits * port)) & ((1u << kCtxBits) - 1);
    // A packet that starts in the context at this edge takes precedence over the write
    // (nic_core offers the port's write without that mask).
    if (top.start_i && top.start_ctx_i == w.context) {
      w.valid = false;
      return w;
    }
    w.reg = (top.rf_wr_reg_o >> (4 * port)) & 0xf;
    if (port < kRtlPortHelper) {
      w.value = read_word64(top.rf_wr_data_o, port);
    } else {
      // A helper port writes this cycle's answer or the result held from an earlier one.
      const uint32_t c = port - kRtlPortHelper;
      w.value = ((top.rf_wr_helper_now_o >> c) & 1) ? top.helper_r0_i
                                                    : read_word64(top.rf_wr_helper_held_o, c);
    }
    return w;
  });
}

bool RtlCore::fetch_valid() const {
  return with_top([&](auto& top) { return top.fetch_valid_o; });
}
uint32_t RtlCore::fetch_context() const {
  return with_top([&](auto& top) { return top.fetch_ctx_o; });
}
uint32_t RtlCore::fetch_address() const {
  return with_top([&](auto& top) { return top.fetch_addr_o; });
}
bool RtlCore::running(uint32_t context) const {
  return with_top([&](auto& top) { return (top.running_o >> context) & 1; });
}
uint32_t RtlCore::stall_bits() const {
  return with_top([](auto& top) { return static_cast<uint32_t>(top.stall_o); });
}
uint64_t RtlCore::context_r0(uint32_t context) const {
  return with_top([&](auto& top) { return read_word64(top.ctx_r0_o, context); });
}
uint64_t RtlCore::cycle() const {
  return with_top([&](auto& top) { return top.cycle_o; });
}

void RtlCore::open_trace(const std::string& path, double clock_hz) {
  if (!traced_)
    throw Error(fmt::format("RTL core {}: a waveform needs the core built with tracing", index_));
  close_trace();
  half_period_ps_ = static_cast<uint64_t>(1e12 / clock_hz / 2);
  if (half_period_ps_ == 0) half_period_ps_ = 1;
  trace_ = std::make_unique<VerilatedFstC>();
  traced_->trace(trace_.get(), 99);
  context_->timeunit(-12);
  context_->timeprecision(-12);
  trace_->set_time_unit("1ps");
  trace_->set_time_resolution("1ps");
  trace_->open(path.c_str());
  if (!trace_->isOpen()) {
    trace_.reset();
    throw Error(fmt::format("cannot write the waveform '{}'", path));
  }
}

void RtlCore::close_trace() {
  if (!trace_) return;
  trace_->close();
  trace_.reset();
}

}  // namespace nicsim::rtl
