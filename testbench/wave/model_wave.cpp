#include "testbench/wave/model_wave.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <span>

#include "firmware/isa/slot.h"

namespace nicsim::wave {

namespace {

constexpr const char* kTop = "nic.nic_top.";
constexpr const char* kCore = "nic.nic_top.u_core.";
constexpr uint32_t kStoredRegisters = 10;  // r0..r9; r10..r13 are not in the register file
constexpr uint32_t kAddressBits = 12;      // the RTL's instruction memory: 4096 bundles
// The VCD writer's widest signal is 128 bits: two ports' write data.
constexpr uint32_t kShownPorts = 2;

uint32_t context_bits(uint32_t contexts) {
  uint32_t bits = 1;
  while ((1u << bits) < contexts)
    ++bits;
  return bits;
}

std::string lane_word(uint32_t lane) {
  return fmt::format("{}g_decode[{}].u_decode.word_i", kCore, lane);
}

std::string register_name(uint32_t context, uint32_t reg) {
  return fmt::format("{}u_regfile.g_ctx[{}].g_reg[{}].wave_value", kCore, context, reg);
}

bool is_load(const firmware::Slot& slot) {
  return slot.op == firmware::OpClass::Load;
}

}  // namespace

ModelWaveWriter::ModelWaveWriter(const firmware::Image& image, WaveOptions options,
                                 uint32_t contexts, double clock_hz)
    : image_(image), options_(std::move(options)), contexts_(contexts) {
  period_ps_ = std::max<uint64_t>(2, static_cast<uint64_t>(1e12 / clock_hz / 2) * 2);
  vcd_ = std::make_unique<VcdWriter>(native_dump_path(options_, WaveFormat::Vcd), "1ps");
  const std::string top = kTop, core = kCore;
  const uint32_t ports = std::min<uint32_t>(image_.memory_ports, kShownPorts);
  s_.clk = vcd_->declare(top + "clk_i", 1);
  s_.cycle = vcd_->declare(top + "cycle_o", 64);
  s_.issue = vcd_->declare(core + "issue", 1);
  s_.ic = vcd_->declare(core + "ic", context_bits(contexts_));
  s_.valid = vcd_->declare(top + "retire_valid_o", 1);
  s_.ctx = vcd_->declare(top + "retire_ctx_o", context_bits(contexts_));
  s_.addr = vcd_->declare(top + "retire_addr_o", kAddressBits);
  s_.end = vcd_->declare(top + "retire_end_o", 1);
  s_.fault = vcd_->declare(top + "retire_fault_o", 1);
  s_.r0 = vcd_->declare(top + "retire_r0_o", 64);
  for (uint32_t l = 0; l < image_.lanes; ++l)
    s_.words.push_back(vcd_->declare(lane_word(l), 64));
  s_.mem_write = vcd_->declare(top + "dmem_write_o", std::max<uint32_t>(ports, 1));
  s_.mem_addr = vcd_->declare(top + "dmem_addr_o", 32 * std::max<uint32_t>(ports, 1));
  s_.mem_size = vcd_->declare(top + "dmem_size_o", 4 * std::max<uint32_t>(ports, 1));
  s_.mem_wdata = vcd_->declare(top + "dmem_wdata_o", 64 * std::max<uint32_t>(ports, 1));
  for (uint32_t c = 0; c < contexts_; ++c) {
    for (uint32_t r = 0; r < kStoredRegisters; ++r)
      s_.regs.push_back(vcd_->declare(register_name(c, r), 64));
  }
  GtkwLayout gtkw = layout(image_.lanes, contexts_);
  gtkw.dump_file = std::filesystem::path(options_.path).filename().string();
  gtkw.filter_path = options_.filter_path;
  write_gtkw(gtkw_path_for(options_.path), gtkw);
}

ModelWaveWriter::~ModelWaveWriter() {
  try {
    if (vcd_) finish(next_cycle_);
  } catch (const std::exception&) {
    // A destructor cannot report a failed FST conversion; finish() callers see it.
  }
}

GtkwLayout ModelWaveWriter::layout(uint32_t lanes, uint32_t contexts) {
  const std::string top = kTop, core = kCore;
  GtkwLayout g;
  g.groups.push_back(
      {"Clock", {{top + "clk_i", SignalFormat::Binary}, {top + "cycle_o", SignalFormat::Decimal}}});
  SignalGroup issue{"Issue",
                    {{core + "issue", SignalFormat::Binary},
                     {core + "ic", SignalFormat::Decimal},
                     {top + "retire_addr_o", SignalFormat::Decimal},
                     {top + "retire_end_o", SignalFormat::Binary},
                     {top + "retire_fault_o", SignalFormat::Binary},
                     {top + "retire_r0_o", SignalFormat::Hex}}};
  for (uint32_t l = 0; l < lanes; ++l)
    issue.signals.push_back({lane_word(l), SignalFormat::Slot});
  g.groups.push_back(issue);
  g.groups.push_back({"Memory ports",
                      {{top + "dmem_write_o", SignalFormat::Binary},
                       {top + "dmem_addr_o", SignalFormat::Hex},
                       {top + "dmem_size_o", SignalFormat::Hex},
                       {top + "dmem_wdata_o", SignalFormat::Hex}}});
  for (uint32_t c = 0; c < contexts; ++c) {
    SignalGroup ctx{fmt::format("Context {}", c), {}, c != 0};
    for (uint32_t r = 0; r < kStoredRegisters; ++r)
      ctx.signals.push_back({register_name(c, r), SignalFormat::Hex});
    g.groups.push_back(ctx);
  }
  return g;
}

void ModelWaveWriter::on_retire(const model::BundleRetire& retire) {
  // The waveform is core 0's, as the RTL's; past the window nothing is kept.
  if (retire.core != 0 || !vcd_ || retire.cycle >= options_.to_cycle) return;
  emit_until(retire.cycle);
  for (uint32_t i = 0; i < retire.register_write_count; ++i) {
    const model::RegisterWrite& w = retire.register_writes[i];
    if (w.reg < kStoredRegisters && retire.context < contexts_)
      landings_.emplace(w.land_cycle, Landing{retire.context, w.reg, w.value});
  }
  pending_ = retire;
}

void ModelWaveWriter::emit_until(uint64_t cycle) {
  // Past the window nothing more is dumped.
  const uint64_t end = std::min(cycle, options_.to_cycle);
  while (next_cycle_ < end)
    emit_cycle(next_cycle_++);
  if (next_cycle_ < cycle) next_cycle_ = cycle;
}

void ModelWaveWriter::show_bundle(const model::BundleRetire* retire) {
  const bool valid = retire != nullptr;
  vcd_->set(s_.issue, valid);
  vcd_->set(s_.valid, valid);
  if (!valid) {
    vcd_->set(s_.end, 0);
    vcd_->set(s_.fault, 0);
    vcd_->set(s_.mem_write, 0);
    return;
  }
  vcd_->set(s_.ic, retire->context);
  vcd_->set(s_.ctx, retire->context);
  vcd_->set(s_.addr, retire->address);
  vcd_->set(s_.end, retire->ends_packet);
  vcd_->set(s_.fault, retire->fault);
  if (retire->ends_packet) vcd_->set(s_.r0, retire->return_value);
  // The model reports addresses of its image; anything else shows as nops.
  const auto slots = retire->address < image_.bundle_count() ? image_.bundle(retire->address)
                                                             : std::span<const firmware::Slot>();
  for (uint32_t l = 0; l < s_.words.size(); ++l)
    vcd_->set(s_.words[l], l < slots.size() ? firmware::encode_slot(slots[l]) : 0);
  // The k-th memory operation of the bundle, in lane order, uses port k (nic_lsu); the model
  // reports the writes in that order.
  uint64_t write_mask = 0, addresses = 0, sizes = 0;
  uint64_t data[2] = {0, 0};
  uint32_t port = 0, next_write = 0;
  for (const firmware::Slot& slot : slots) {
    if (!firmware::is_memory_op(slot)) continue;
    const uint32_t p = port++;
    if (is_load(slot) || next_write >= retire->memory_write_count) continue;
    const model::MemoryWrite& w = retire->memory_writes[next_write++];
    if (p >= kShownPorts) continue;
    write_mask |= uint64_t{1} << p;
    addresses |= uint64_t{w.address} << (32 * p);
    sizes |= uint64_t{w.size} << (4 * p);
    data[p] = w.value;
  }
  vcd_->set(s_.mem_write, write_mask);
  if (write_mask != 0) {
    vcd_->set(s_.mem_addr, addresses);
    vcd_->set(s_.mem_size, sizes);
    vcd_->set(s_.mem_wdata, data[0], data[1]);
  }
}

void ModelWaveWriter::emit_cycle(uint64_t cycle) {
  const bool in_window = cycle >= options_.from_cycle && cycle < options_.to_cycle;
  const uint64_t start = cycle * period_ps_;
  vcd_->set(s_.clk, 0);
  vcd_->set(s_.cycle, cycle);
  const bool issued = pending_ && pending_->cycle == cycle;
  show_bundle(issued ? &*pending_ : nullptr);
  if (issued) pending_.reset();
  if (in_window) vcd_->stamp(start);
  // Registers take their new values at the rising edge that ends the cycle they land in.
  vcd_->set(s_.clk, 1);
  const auto [first, last] = landings_.equal_range(cycle);
  for (auto it = first; it != last; ++it)
    vcd_->set(s_.regs[it->second.context * kStoredRegisters + it->second.reg], it->second.value);
  landings_.erase(landings_.begin(), last);
  if (in_window) vcd_->stamp(start + period_ps_ / 2);
}

void ModelWaveWriter::finish(uint64_t end_cycle) {
  if (!vcd_) return;
  uint64_t end = std::max(end_cycle, next_cycle_ + (pending_ ? 1 : 0));
  if (!landings_.empty()) end = std::max(end, landings_.rbegin()->first + 1);
  emit_until(end);
  vcd_->close();
  vcd_.reset();
  finish_dump(options_, WaveFormat::Vcd);
}

}  // namespace nicsim::wave
