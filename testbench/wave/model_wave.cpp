#include "testbench/wave/model_wave.h"

#include <algorithm>
#include <filesystem>

#include "firmware/isa/address_map.h"
#include "firmware/isa/slot.h"
#include "testbench/wave/core_wave_layout.h"

namespace nicsim::wave {

namespace {

constexpr uint32_t kAddressBits = 12;  // the RTL's instruction memory: 4096 bundles
// The VCD writer's widest signal is 128 bits: two ports' data.
constexpr uint32_t kShownPorts = 2;
constexpr uint8_t kNoStall = 7;  // nic_pkg::StallNone; the causes share model::StallCause's order

uint32_t context_bits(uint32_t contexts) {
  uint32_t bits = 1;
  while ((1u << bits) < contexts)
    ++bits;
  return bits;
}

// The model reports these lanes' register writes first, in lane order; an hcall's and an
// exit's r0 come after them.
bool lane_writes_register(const firmware::Slot& slot) {
  return firmware::registers_written(slot) != 0 && slot.op != firmware::OpClass::HCall &&
         !firmware::is_exit_op(slot);
}

}  // namespace

ModelWaveWriter::ModelWaveWriter(const firmware::Image& image, WaveOptions options,
                                 uint32_t contexts, double clock_hz)
    : image_(image),
      options_(std::move(options)),
      contexts_(contexts),
      lanes_(image.lanes),
      ports_(std::clamp<uint32_t>(image.memory_ports, 1, kShownPorts)) {
  period_ps_ = std::max<uint64_t>(2, static_cast<uint64_t>(1e12 / clock_hz / 2) * 2);
  for (size_t b = 0; b < image_.bundle_count(); ++b) {
    const auto slots = image_.bundle(b);
    for (uint32_t l = 0; l < lanes_; ++l)
      words_.push_back(l < slots.size() ? firmware::encode_slot(slots[l]) : 0);
  }
  vcd_ = std::make_unique<VcdWriter>(native_dump_path(options_, WaveFormat::Vcd), "1ps");
  declare_signals();
  during_.assign(contexts_, {});
  stalls_seen_.assign(contexts_, {});
  running_seen_.assign(contexts_, false);
  GtkwLayout gtkw = layout(lanes_, contexts_);
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
  return core_wave_layout(lanes, contexts, WaveEngine::Model);
}

void ModelWaveWriter::declare_signals() {
  const std::string top = kWaveTop, core = kWaveCore;
  const uint32_t cb = context_bits(contexts_);
  const auto d = [this](const std::string& path, uint32_t width) {
    return vcd_->declare(path, width);
  };
  s_.clk = d(top + "clk_i", 1);
  s_.cycle = d(top + "cycle_o", 64);
  s_.start = d(top + "start_i", 1);
  s_.start_ctx = d(top + "start_ctx_i", cb);
  s_.start_r1 = d(core + "start_r1", 64);
  s_.start_r2 = d(core + "start_r2", 64);
  s_.sel_valid = d(core + "u_fetch.sel_valid", 1);
  s_.sel_ctx = d(core + "u_fetch.sel_ctx", cb);
  s_.imem_addr = d(core + "u_fetch.imem_addr_o", kAddressBits);
  s_.issue = d(core + "issue", 1);
  s_.ic = d(core + "ic", cb);
  s_.valid = d(top + "retire_valid_o", 1);
  s_.ctx = d(top + "retire_ctx_o", cb);
  s_.addr = d(top + "retire_addr_o", kAddressBits);
  s_.commit = d(top + "retire_commit_o", 1);
  s_.end = d(top + "retire_end_o", 1);
  s_.fault = d(top + "retire_fault_o", 1);
  s_.r0 = d(top + "retire_r0_o", 64);
  s_.dmem_ctx = d(top + "dmem_ctx_o", cb);
  s_.dmem_valid = d(top + "dmem_valid_o", ports_);
  s_.dmem_write = d(top + "dmem_write_o", ports_);
  s_.dmem_map = d(top + "dmem_map_o", ports_);
  s_.dmem_addr = d(top + "dmem_addr_o", 32 * ports_);
  s_.dmem_size = d(top + "dmem_size_o", 4 * ports_);
  s_.dmem_wdata = d(top + "dmem_wdata_o", 64 * ports_);
  s_.dmem_rdata = d(top + "dmem_rdata_i", 64 * ports_);
  s_.dmem_map_fault = d(top + "dmem_map_fault_i", ports_);
  s_.helper_valid = d(top + "helper_valid_o", 1);
  s_.helper_ctx = d(top + "helper_ctx_o", cb);
  s_.helper_id = d(top + "helper_id_o", 32);
  s_.helper_r0 = d(top + "helper_r0_i", 64);
  s_.helper_latency = d(top + "helper_latency_i", 16);
  s_.helper_fault = d(top + "helper_fault_i", 1);
  s_.div_busy = d(core + "u_divider.busy_o", 1);
  s_.div_valid = d(core + "u_divider.wr_valid_o", 1);
  s_.div_data = d(core + "u_divider.wr_data_o", 64);
  for (uint32_t l = 0; l < lanes_; ++l) {
    s_.lanes.push_back({d(fetch_word_signal(l), 64), d(issue_word_signal(l), 64),
                        d(lane_signal(l, "now_value_o"), 64), d(lane_signal(l, "addr_o"), 64),
                        d(writeback_signal(l, "wr_valid_o"), 1),
                        d(writeback_signal(l, "wr_data_o"), 64)});
  }
  for (uint32_t c = 0; c < contexts_; ++c) {
    ContextIds ids{d(context_signal(c, "wave_running"), 1),
                   d(context_signal(c, "wave_stall"), 3),
                   d(context_signal(c, "wave_blocked"), 1),
                   d(fetch_context_signal(c, "wave_pc"), kAddressBits),
                   d(context_signal(c, "wave_fb_valid"), 1),
                   d(fetch_context_signal(c, "wave_fb_addr"), kAddressBits),
                   {}};
    for (uint32_t r = 0; r < kWaveStoredRegisters; ++r)
      ids.regs.push_back(d(register_signal(c, r), 64));
    s_.contexts.push_back(std::move(ids));
  }
}

std::span<const firmware::Slot> ModelWaveWriter::slots_at(uint32_t address) const {
  // The model reports addresses of its image; anything else shows as nops.
  return address < image_.bundle_count() ? image_.bundle(address)
                                         : std::span<const firmware::Slot>();
}

void ModelWaveWriter::show_words(bool fetch, std::optional<uint32_t> address) {
  const bool known = address && *address < image_.bundle_count();
  for (uint32_t l = 0; l < lanes_; ++l) {
    const uint64_t word = known ? words_[*address * lanes_ + l] : 0;
    vcd_->set(fetch ? s_.lanes[l].fetch_word : s_.lanes[l].issue_word, word);
  }
}

// ---- the model's reports (core 0 only: the waveform is one core's, as the RTL's) ----

void ModelWaveWriter::on_fetch(uint64_t, uint16_t core, uint8_t context, uint32_t address) {
  if (core != 0 || context >= contexts_) return;
  current_.fetch = true;
  current_.fetch_context = context;
  current_.fetch_address = address;
}

void ModelWaveWriter::on_retire(const model::BundleRetire& retire) {
  if (retire.core != 0 || retire.context >= contexts_) return;
  current_.retire = retire;
  note_landings(retire, slots_at(retire.address));
}

void ModelWaveWriter::note_landings(const model::BundleRetire& retire,
                                    std::span<const firmware::Slot> slots) {
  uint32_t next = 0;
  for (uint32_t l = 0; l < slots.size() && next < retire.register_write_count; ++l) {
    if (!lane_writes_register(slots[l])) continue;
    const model::RegisterWrite& w = retire.register_writes[next++];
    const WriteSource source = firmware::uses_divider(slots[l]) ? WriteSource::Divider
                               : w.land_cycle == retire.cycle   ? WriteSource::Issue
                                                                : WriteSource::Writeback;
    landings_.emplace(w.land_cycle,
                      Landing{retire.context, w.reg, w.value, source, static_cast<uint8_t>(l)});
    // The divider is busy from the cycle after a division issues until its result lands.
    if (source == WriteSource::Divider) current_.divider_free = w.land_cycle + 1;
  }
  for (; next < retire.register_write_count; ++next) {
    const model::RegisterWrite& w = retire.register_writes[next];
    landings_.emplace(w.land_cycle, Landing{retire.context, w.reg, w.value, WriteSource::Other, 0});
  }
}

void ModelWaveWriter::on_packet_start(const model::PacketStart& start) {
  // The dispatcher announces a start in the cycle before (start_i): that cycle has ended but
  // is not dumped yet. At its edge the context's registers are set and the writes still owed
  // to its last packet are dropped.
  if (start.core != 0 || start.context >= contexts_ || !pending_ ||
      pending_->cycle + 1 != start.cycle)
    return;
  pending_->start = start;
  ContextRegisters& after = pending_->after[start.context];
  after.running = true;
  after.blocked = false;
  after.fb_valid = false;
  after.pc = start.entry;
  const uint64_t edge = pending_->cycle;
  for (auto it = landings_.lower_bound(edge); it != landings_.end();)
    it = it->second.context == start.context ? landings_.erase(it) : std::next(it);
  for (uint32_t r = 0; r < kWaveStoredRegisters; ++r) {
    const uint64_t value = r == 1 ? start.r1 : r == 2 ? start.r2 : 0;
    landings_.emplace(
        edge, Landing{start.context, static_cast<uint8_t>(r), value, WriteSource::Other, 0});
  }
}

void ModelWaveWriter::on_abort(uint64_t exit_cycle, uint16_t core, uint8_t context) {
  // The budget abort stops the context at the edge ending its exit cycle.
  if (core == 0 && context < contexts_ && pending_ && pending_->cycle == exit_cycle)
    pending_->after[context].running = false;
}

void ModelWaveWriter::on_cycle_end(uint64_t cycle, uint16_t core,
                                   std::span<const model::ContextState> contexts) {
  if (core != 0 || !vcd_) return;
  if (pending_) {
    emit(*pending_);
    pending_.reset();
  }
  current_.cycle = cycle;
  current_.stall.assign(contexts_, kNoStall);
  current_.after.resize(contexts_);
  for (uint32_t c = 0; c < contexts_ && c < contexts.size(); ++c) {
    const model::ContextState& ctx = contexts[c];
    const bool running = ctx.phase == model::ContextPhase::Running;
    // The cause charged this cycle is the counter that grew (a context that starts has fresh
    // statistics).
    if (running) {
      for (size_t k = 0; k < ctx.stats.stalls.size(); ++k) {
        const uint64_t before = running_seen_[c] ? stalls_seen_[c][k] : 0;
        if (ctx.stats.stalls[k] > before) current_.stall[c] = static_cast<uint8_t>(k);
      }
    }
    stalls_seen_[c] = ctx.stats.stalls;
    running_seen_[c] = running;
    ContextRegisters& after = current_.after[c];
    after.running = running;
    after.blocked = cycle + 1 < ctx.blocked_until;
    after.fb_valid = ctx.fb_valid;
    after.pc = ctx.fetch_pc;
    after.fb_addr = ctx.fb_addr;
  }
  pending_ = std::move(current_);
  current_ = CycleRecord{};
}

// ---- dumping ----

void ModelWaveWriter::emit_idle_until(uint64_t cycle) {
  while (next_cycle_ < cycle) {
    CycleRecord idle;
    idle.cycle = next_cycle_;
    idle.stall.assign(contexts_, kNoStall);
    idle.after = during_;
    emit(idle);
  }
}

void ModelWaveWriter::emit(const CycleRecord& record) {
  emit_idle_until(record.cycle);
  const uint64_t cycle = record.cycle;
  next_cycle_ = cycle + 1;
  if (cycle >= options_.to_cycle) {  // past the window: only the state is kept
    during_ = record.after;
    landings_.erase(landings_.begin(), landings_.upper_bound(cycle));
    return;
  }
  const bool in_window = cycle >= options_.from_cycle;
  const uint64_t start = cycle * period_ps_;

  // The cycle's values: combinational signals and the registers as the last edge left them.
  vcd_->set(s_.clk, 0);
  vcd_->set(s_.cycle, cycle);
  vcd_->set(s_.start, record.start.has_value());
  if (record.start) {
    vcd_->set(s_.start_ctx, record.start->context);
    vcd_->set(s_.start_r1, record.start->r1);
    vcd_->set(s_.start_r2, record.start->r2);
  }
  vcd_->set(s_.div_busy, cycle < divider_free_);
  if (record.divider_free) divider_free_ = *record.divider_free;
  show_fetch(record);
  show_issue(record);
  show_landings(cycle);
  show_contexts(during_);
  for (uint32_t c = 0; c < contexts_; ++c)
    vcd_->set(s_.contexts[c].stall, record.stall[c]);
  if (in_window) vcd_->stamp(start);

  // After the rising edge that ends the cycle: the registers' new values.
  vcd_->set(s_.clk, 1);
  vcd_->set(s_.cycle, cycle + 1);
  const auto last = landings_.upper_bound(cycle);
  for (auto it = landings_.begin(); it != last; ++it) {
    const Landing& l = it->second;
    if (l.reg < kWaveStoredRegisters) vcd_->set(s_.contexts[l.context].regs[l.reg], l.value);
  }
  landings_.erase(landings_.begin(), last);
  show_contexts(record.after);
  if (in_window) vcd_->stamp(start + period_ps_ / 2);
  during_ = record.after;
}

void ModelWaveWriter::show_fetch(const CycleRecord& record) {
  // Without a fetch the RTL's select rests on context 0 and reads its PC's bundle.
  const uint32_t address = record.fetch ? record.fetch_address : during_[0].pc;
  vcd_->set(s_.sel_valid, record.fetch);
  vcd_->set(s_.sel_ctx, record.fetch ? record.fetch_context : 0);
  vcd_->set(s_.imem_addr, address);
  show_words(true, address);
}

void ModelWaveWriter::show_issue(const CycleRecord& record) {
  const model::BundleRetire* retire = record.retire ? &*record.retire : nullptr;
  const uint8_t ic = retire ? retire->context : 0;
  for (size_t signal : {s_.issue, s_.valid})
    vcd_->set(signal, retire != nullptr);
  for (size_t signal : {s_.ic, s_.ctx, s_.dmem_ctx, s_.helper_ctx})
    vcd_->set(signal, ic);
  if (retire == nullptr) {
    // Issue selection rests on context 0: its fetch buffer's address shows, and the words the
    // instruction memory's issue port reads there (the FB holds the address only).
    const ContextRegisters& rest = during_[0];
    vcd_->set(s_.addr, rest.fb_addr);
    show_words(false, rest.fb_addr);
    for (size_t signal : {s_.commit, s_.end, s_.fault, s_.dmem_valid, s_.helper_valid})
      vcd_->set(signal, 0);
    return;
  }
  const model::HelperCall& helper = retire->helper;
  const bool helper_fault = helper.valid && helper.fault;
  vcd_->set(s_.addr, retire->address);
  show_words(false, retire->address);
  vcd_->set(s_.commit, !(retire->fault && !helper_fault));
  vcd_->set(s_.end, retire->ends_packet);
  vcd_->set(s_.fault, retire->fault);
  if (retire->ends_packet) vcd_->set(s_.r0, retire->return_value);
  vcd_->set(s_.helper_valid, helper.valid);
  if (helper.valid) {
    vcd_->set(s_.helper_id, static_cast<uint32_t>(helper.id));
    vcd_->set(s_.helper_r0, helper.r0);
    vcd_->set(s_.helper_latency, helper.latency);
    vcd_->set(s_.helper_fault, helper.fault);
  }
  const auto slots = slots_at(retire->address);
  show_memory_ports(*retire, slots);
}

void ModelWaveWriter::show_memory_ports(const model::BundleRetire& retire,
                                        std::span<const firmware::Slot> slots) {
  // The k-th memory operation of the bundle, in lane order, uses port k (nic_lsu). The model
  // reports reads (loads, read-modify-writes) and writes in lane order; a bundle that faulted
  // reports neither for the faulting lane and the ones after it.
  uint64_t valid = 0, write = 0, map = 0, addresses = 0, sizes = 0, map_fault = 0;
  bool any_read = false;
  uint64_t wdata[kShownPorts] = {}, rdata[kShownPorts] = {};
  uint32_t port = 0, next_read = 0, next_write = 0;
  for (uint32_t l = 0; l < slots.size(); ++l) {
    const firmware::Slot& slot = slots[l];
    if (!firmware::is_memory_op(slot)) continue;
    const uint32_t p = port++;
    const bool reads = slot.op != firmware::OpClass::Store;
    const bool writes = slot.op != firmware::OpClass::Load;
    const model::MemoryRead* read =
        reads && next_read < retire.memory_read_count ? &retire.memory_reads[next_read++] : nullptr;
    const model::MemoryWrite* written = writes && next_write < retire.memory_write_count
                                            ? &retire.memory_writes[next_write++]
                                            : nullptr;
    if ((reads && read == nullptr) || (writes && written == nullptr)) continue;
    const uint32_t address = read ? read->address : written->address;
    const uint8_t size = read ? read->size : written->size;
    vcd_->set(s_.lanes[l].addr, address);
    const firmware::Region region = firmware::region_of(address);
    // The context window is answered inside the core; an access the AGU refuses (an ldnf out
    // of bounds) leaves the port idle; a map value that is not live is the map engine's answer.
    if (p >= ports_ || region == firmware::Region::Context) continue;
    if (read && read->refused && region != firmware::Region::Map) continue;
    valid |= uint64_t{1} << p;
    write |= uint64_t{writes} << p;
    map |= uint64_t{region == firmware::Region::Map} << p;
    map_fault |= uint64_t{read && read->refused} << p;
    addresses |= uint64_t{address} << (32 * p);
    sizes |= uint64_t{size} << (4 * p);
    if (written) wdata[p] = written->value;
    if (read) rdata[p] = read->value;
    any_read |= read != nullptr;
  }
  vcd_->set(s_.dmem_valid, valid);
  if (valid == 0) return;
  vcd_->set(s_.dmem_write, write);
  vcd_->set(s_.dmem_map, map);
  vcd_->set(s_.dmem_addr, addresses);
  vcd_->set(s_.dmem_size, sizes);
  vcd_->set(s_.dmem_map_fault, map_fault);
  if (write != 0) vcd_->set(s_.dmem_wdata, wdata[0], wdata[1]);
  if (any_read) vcd_->set(s_.dmem_rdata, rdata[0], rdata[1]);
}

void ModelWaveWriter::show_landings(uint64_t cycle) {
  // Results of the cycle: a lane's value at issue, the writeback pipelines' and the divider's
  // outputs in the cycle they write the register file.
  for (const LaneIds& lane : s_.lanes)
    vcd_->set(lane.wb_valid, 0);
  vcd_->set(s_.div_valid, 0);
  const auto [first, last] = landings_.equal_range(cycle);
  for (auto it = first; it != last; ++it) {
    const Landing& l = it->second;
    switch (l.source) {
      case WriteSource::Issue:
        vcd_->set(s_.lanes[l.lane].now_value, l.value);
        break;
      case WriteSource::Writeback:
        vcd_->set(s_.lanes[l.lane].wb_valid, 1);
        vcd_->set(s_.lanes[l.lane].wb_data, l.value);
        break;
      case WriteSource::Divider:
        vcd_->set(s_.div_valid, 1);
        vcd_->set(s_.div_data, l.value);
        break;
      case WriteSource::Other:
        break;
    }
  }
}

void ModelWaveWriter::show_contexts(const std::vector<ContextRegisters>& registers) {
  for (uint32_t c = 0; c < contexts_; ++c) {
    const ContextIds& ids = s_.contexts[c];
    const ContextRegisters& r = registers[c];
    vcd_->set(ids.running, r.running);
    vcd_->set(ids.blocked, r.blocked);
    vcd_->set(ids.pc, r.pc);
    vcd_->set(ids.fb_valid, r.fb_valid);
    vcd_->set(ids.fb_addr, r.fb_addr);
  }
}

void ModelWaveWriter::finish(uint64_t end_cycle) {
  if (!vcd_) return;
  if (pending_) {
    emit(*pending_);
    pending_.reset();
  }
  uint64_t end = std::max(end_cycle, next_cycle_);
  if (!landings_.empty()) end = std::max(end, landings_.rbegin()->first + 1);
  emit_idle_until(std::min(end, options_.to_cycle));
  vcd_->close();
  vcd_.reset();
  finish_dump(options_, WaveFormat::Vcd);
}

}  // namespace nicsim::wave
