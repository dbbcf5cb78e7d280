#include "testbench/rtl_engine/rtl_core.h"

#include <fmt/format.h>

#include "Vnic_top.h"
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

constexpr uint32_t kCtxBits = 2;  // $clog2(kRtlContexts)
static_assert(kRtlContexts == 4, "the port accessors below assume 4 contexts");

}  // namespace

RtlCore::RtlCore(uint32_t index, const firmware::Image& image)
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
  context_->traceEverOn(true);
  top_ = std::make_unique<Vnic_top>(context_.get(), "nic");
  top_->core_id_i = static_cast<uint8_t>(index);
  top_->entry_i = static_cast<uint16_t>(image.entry_bundle);
  top_->raw_entry_i = image.entry_kind == firmware::EntryKind::Raw;
  top_->clk_i = 0;
  top_->rst_ni = 0;
  top_->eval();
  load_image(image);
  top_->rst_ni = 1;
  top_->eval();
}

RtlCore::~RtlCore() {
  close_trace();
  if (top_) top_->final();
}

void RtlCore::load_image(const firmware::Image& image) {
  // Reset is held: the core does not run while its memories are written. A bundle narrower
  // than the core is padded with nops, which changes nothing (lane i of bundle n stays lane i).
  const auto edge = [&] {
    top_->clk_i = 1;
    top_->eval();
    top_->clk_i = 0;
    top_->eval();
  };
  top_->imem_we_i = 1;
  for (size_t n = 0; n < image.bundle_count(); ++n) {
    const auto slots = image.bundle(n);
    for (uint32_t lane = 0; lane < kRtlLanes; ++lane) {
      const uint64_t word = lane < slots.size() ? firmware::encode_slot(slots[lane]) : 0;
      write_word64(top_->imem_wdata_i, lane, word);
    }
    top_->imem_waddr_i = static_cast<uint16_t>(n);
    edge();
  }
  top_->imem_we_i = 0;
  top_->pool_we_i = 1;
  for (size_t i = 0; i < image.constants.size(); ++i) {
    top_->pool_waddr_i = static_cast<uint16_t>(i);
    top_->pool_wdata_i = image.constants[i];
    edge();
  }
  top_->pool_we_i = 0;
}

void RtlCore::eval() {
  top_->eval();
}

void RtlCore::clock_edge() {
  const uint64_t cycle_start = edges_ * 2 * half_period_ps_;
  if (trace_ && trace_enabled_) dump(cycle_start);
  top_->clk_i = 1;
  top_->eval();
  if (trace_ && trace_enabled_) dump(cycle_start + half_period_ps_);
  top_->clk_i = 0;
  ++edges_;
}

void RtlCore::dump(uint64_t time_ps) {
  trace_->dump(time_ps);
}

void RtlCore::set_start(const StartInputs* start) {
  top_->start_i = start != nullptr;
  if (start == nullptr) return;
  top_->start_ctx_i = static_cast<uint8_t>(start->context);
  top_->start_pkt_data_i = start->pkt_data;
  top_->start_pkt_end_i = start->pkt_end;
  top_->start_pkt_meta_i = start->pkt_meta;
  top_->start_ingress_i = start->ingress_ifindex;
  top_->start_rx_queue_i = start->rx_queue_index;
  top_->start_cpu_id_i = start->cpu_id;
  top_->start_time_ns_i = start->time_ns;
}

void RtlCore::set_abort(uint32_t context_mask) {
  top_->abort_i = static_cast<uint8_t>(context_mask);
}

void RtlCore::set_helper_busy(bool busy) {
  top_->helper_busy_i = busy;
}

void RtlCore::set_memory_response(uint32_t port, uint64_t data, bool map_fault) {
  write_word64(top_->dmem_rdata_i, port, data);
  if (map_fault)
    top_->dmem_map_fault_i |= static_cast<uint8_t>(1u << port);
  else
    top_->dmem_map_fault_i &= static_cast<uint8_t>(~(1u << port));
}

void RtlCore::set_helper_response(uint64_t r0, uint32_t latency, bool fault, uint32_t pkt_data,
                                  uint32_t pkt_end, uint32_t pkt_meta) {
  top_->helper_r0_i = r0;
  top_->helper_latency_i = static_cast<uint16_t>(std::min<uint32_t>(latency, 0xffff));
  top_->helper_fault_i = fault;
  top_->helper_pkt_data_i = pkt_data;
  top_->helper_pkt_end_i = pkt_end;
  top_->helper_pkt_meta_i = pkt_meta;
}

uint32_t RtlCore::memory_context() const {
  return top_->dmem_ctx_o;
}

MemoryRequest RtlCore::memory_request(uint32_t port) const {
  MemoryRequest r;
  r.valid = (top_->dmem_valid_o >> port) & 1;
  r.write = (top_->dmem_write_o >> port) & 1;
  r.map = (top_->dmem_map_o >> port) & 1;
  r.address = static_cast<uint32_t>(top_->dmem_addr_o >> (32 * port));
  r.size = (top_->dmem_size_o >> (4 * port)) & 0xf;
  return r;
}

uint64_t RtlCore::memory_write_data(uint32_t port) const {
  return read_word64(top_->dmem_wdata_o, port);
}

bool RtlCore::helper_valid() const {
  return top_->helper_valid_o;
}
uint32_t RtlCore::helper_context() const {
  return top_->helper_ctx_o;
}
int32_t RtlCore::helper_id() const {
  return static_cast<int32_t>(top_->helper_id_o);
}
uint64_t RtlCore::helper_argument(uint32_t i) const {
  return read_word64(top_->helper_args_o, i);
}

bool RtlCore::retire_valid() const {
  return top_->retire_valid_o;
}
uint32_t RtlCore::retire_context() const {
  return top_->retire_ctx_o;
}
uint32_t RtlCore::retire_address() const {
  return top_->retire_addr_o;
}
bool RtlCore::retire_commit() const {
  return top_->retire_commit_o;
}
bool RtlCore::retire_end() const {
  return top_->retire_end_o;
}
bool RtlCore::retire_fault() const {
  return top_->retire_fault_o;
}
uint64_t RtlCore::retire_r0() const {
  return top_->retire_r0_o;
}

RegisterWritePort RtlCore::register_write(uint32_t port) const {
  RegisterWritePort w;
  w.valid = (top_->rf_wr_valid_o >> port) & 1;
  if (!w.valid) return w;
  w.context = (top_->rf_wr_ctx_o >> (kCtxBits * port)) & ((1u << kCtxBits) - 1);
  w.reg = (top_->rf_wr_reg_o >> (4 * port)) & 0xf;
  w.value = read_word64(top_->rf_wr_data_o, port);
  return w;
}

bool RtlCore::fetch_valid() const {
  return top_->fetch_valid_o;
}
uint32_t RtlCore::fetch_context() const {
  return top_->fetch_ctx_o;
}
uint32_t RtlCore::fetch_address() const {
  return top_->fetch_addr_o;
}
bool RtlCore::running(uint32_t context) const {
  return (top_->running_o >> context) & 1;
}
RtlStall RtlCore::stall(uint32_t context) const {
  return static_cast<RtlStall>((top_->stall_o >> (3 * context)) & 7);
}
uint64_t RtlCore::context_r0(uint32_t context) const {
  return read_word64(top_->ctx_r0_o, context);
}
uint64_t RtlCore::cycle() const {
  return top_->cycle_o;
}

void RtlCore::open_trace(const std::string& path, double clock_hz) {
  close_trace();
  half_period_ps_ = static_cast<uint64_t>(1e12 / clock_hz / 2);
  if (half_period_ps_ == 0) half_period_ps_ = 1;
  trace_ = std::make_unique<VerilatedFstC>();
  top_->trace(trace_.get(), 99);
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
