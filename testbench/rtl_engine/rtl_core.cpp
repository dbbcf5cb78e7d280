#include "testbench/rtl_engine/rtl_core.h"

#include <fmt/format.h>

#include "ebpf/util/error.h"
#include "firmware/isa/slot.h"
#include "testbench/rtl_engine/rtl_ports.h"
#include "verilated_fst_c.h"

namespace nicsim::rtl {

namespace {

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
      RtlPorts<Model>::write_word64(top.imem_wdata_i, lane, word);
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
  with_ports([](auto& ports) { ports.top().final(); });
}

void RtlCore::settle() {
  with_ports([](auto& ports) { ports.top().eval(); });
}

void RtlCore::clock_edge() {
  with_ports([&](auto& ports) { clock_edge(ports); });
}

void RtlCore::dump(uint64_t time_ps) {
  trace_->dump(time_ps);
}

void RtlCore::set_cycle_inputs(const StartInputs* start, uint32_t abort_mask, bool helper_busy) {
  with_ports([&](auto& ports) { ports.set_cycle_inputs(start, abort_mask, helper_busy); });
}

void RtlCore::set_memory_response(uint32_t port, uint64_t data, bool map_fault) {
  with_ports([&](auto& ports) { ports.set_memory_response(port, data, map_fault); });
}

void RtlCore::set_helper_response(uint64_t r0, uint32_t latency, bool fault, uint32_t pkt_data,
                                  uint32_t pkt_end, uint32_t pkt_meta) {
  with_ports([&](auto& ports) {
    ports.set_helper_response(r0, latency, fault, pkt_data, pkt_end, pkt_meta);
  });
}

uint32_t RtlCore::memory_context() const {
  return with_ports([](auto& ports) { return ports.memory_context(); });
}
MemoryRequest RtlCore::memory_request(uint32_t port) const {
  return with_ports([&](auto& ports) { return ports.memory_request(port); });
}
uint32_t RtlCore::pending_requests() const {
  return with_ports([](auto& ports) { return ports.pending_requests(); });
}
bool RtlCore::helper_valid() const {
  return with_ports([](auto& ports) { return ports.helper_valid(); });
}
uint32_t RtlCore::helper_context() const {
  return with_ports([](auto& ports) { return ports.helper_context(); });
}
int32_t RtlCore::helper_id() const {
  return with_ports([](auto& ports) { return ports.helper_id(); });
}
uint64_t RtlCore::helper_argument(uint32_t i) const {
  return with_ports([&](auto& ports) { return ports.helper_argument(i); });
}
RetiredBundle RtlCore::retired() const {
  return with_ports([](auto& ports) { return ports.retired(); });
}
uint64_t RtlCore::retired_write_data(uint32_t port) const {
  return with_ports([&](auto& ports) { return ports.retired_write_data(port); });
}
RegisterWritePort RtlCore::register_write(uint32_t port) const {
  return with_ports([&](auto& ports) { return ports.register_write(port); });
}
bool RtlCore::fetch_valid() const {
  return with_ports([](auto& ports) { return ports.fetch_valid(); });
}
uint32_t RtlCore::fetch_context() const {
  return with_ports([](auto& ports) { return ports.fetch_context(); });
}
uint32_t RtlCore::fetch_address() const {
  return with_ports([](auto& ports) { return ports.fetch_address(); });
}
bool RtlCore::running(uint32_t context) const {
  return with_ports([&](auto& ports) { return ports.running(context); });
}
uint32_t RtlCore::stall_bits() const {
  return with_ports([](auto& ports) { return ports.stall_bits(); });
}
uint64_t RtlCore::context_r0(uint32_t context) const {
  return with_ports([&](auto& ports) { return ports.context_r0(context); });
}
uint64_t RtlCore::cycle() const {
  return with_ports([](auto& ports) { return ports.cycle(); });
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
