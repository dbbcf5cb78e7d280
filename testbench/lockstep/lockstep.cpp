#include "testbench/lockstep/lockstep.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <sstream>
#include <tuple>

#include "firmware/asm/nic_asm.h"
#include "model/system/nic_system.h"
#include "testbench/rtl_engine/rtl_system.h"

namespace nicsim::lockstep {

namespace {

struct WriteKey {
  uint16_t core;
  uint8_t context;
  uint8_t reg;
  uint64_t value;
  auto tie() const { return std::tie(core, context, reg, value); }
  bool operator<(const WriteKey& o) const { return tie() < o.tie(); }
  bool operator==(const WriteKey& o) const { return tie() == o.tie(); }
};

class ModelCollector : public model::RetireObserver {
 public:
  void on_retire(const model::BundleRetire& retire) override { retires.push_back(retire); }
  std::vector<model::BundleRetire> retires;
};

class RtlCollector : public rtl::RtlObserver {
 public:
  void on_retire(const rtl::RtlRetire& retire) override { retires.push_back(retire); }
  void on_register_write(const rtl::RtlRegisterWrite& write) override { writes.push_back(write); }
  void on_packet_start(const rtl::RtlPacketStart& start) override { starts.push_back(start); }
  std::vector<rtl::RtlRetire> retires;
  std::vector<rtl::RtlRegisterWrite> writes;
  std::vector<rtl::RtlPacketStart> starts;
};

std::string describe(const model::BundleRetire& r) {
  std::string s = fmt::format("core {} context {} bundle {}", r.core, r.context, r.address);
  for (uint8_t i = 0; i < r.register_write_count; ++i) {
    const auto& w = r.register_writes[i];
    s += fmt::format("; r{} = 0x{:x} (lands at {})", w.reg, w.value, w.land_cycle);
  }
  for (uint8_t i = 0; i < r.memory_write_count; ++i) {
    const auto& w = r.memory_writes[i];
    s += fmt::format("; [0x{:x}]:{} = 0x{:x}", w.address, w.size, w.value);
  }
  if (r.ends_packet)
    s += fmt::format("; ends ({}r0 = 0x{:x})", r.fault ? "fault, " : "", r.return_value);
  return s;
}

std::string describe(const rtl::RtlRetire& r) {
  std::string s = fmt::format("core {} context {} bundle {}", r.core, r.context, r.address);
  for (uint8_t i = 0; i < r.memory_write_count; ++i) {
    const auto& w = r.memory_writes[i];
    s += fmt::format("; [0x{:x}]:{} = 0x{:x}", w.address, w.size, w.value);
  }
  if (r.ends_packet)
    s += fmt::format("; ends ({}r0 = 0x{:x})", r.fault ? "fault, " : "", r.return_value);
  return s;
}

std::string describe_writes(const std::vector<WriteKey>& writes) {
  if (writes.empty()) return "none";
  std::string s;
  for (const WriteKey& w : writes)
    s += fmt::format("{}core {} context {} r{} = 0x{:x}", s.empty() ? "" : "; ", w.core, w.context,
                     w.reg, w.value);
  return s;
}

std::string describe_stats(const model::PacketOutcome& o) {
  const model::PacketStats& s = o.stats;
  return fmt::format(
      "r0 {} aborted {} | dispatch {} start {} exit {} release {} bundles {} ebpf {} stalls "
      "[{}]",
      o.result.return_value, o.result.aborted, s.dispatch_cycle, s.start_cycle, s.exit_cycle,
      s.release_cycle, s.bundles, s.ebpf_instructions, fmt::join(s.stalls, " "));
}

class Comparator {
 public:
  Comparator(const firmware::Image& image, LockstepResult& result)
      : image_(image), result_(result) {}

  // False at the first divergence (then result_.report says what).
  bool compare_cycle(uint64_t cycle, ModelCollector& model, RtlCollector& rtl) {
    auto& m = model.retires;
    auto& r = rtl.retires;
    std::sort(m.begin(), m.end(), [](auto& a, auto& b) { return a.core < b.core; });
    std::sort(r.begin(), r.end(), [](auto& a, auto& b) { return a.core < b.core; });
    bool ok = true;
    std::string what;
    if (m.size() != r.size()) {
      ok = false;
      what = fmt::format("the model retired {} bundle(s), the RTL {}", m.size(), r.size());
    }
    for (size_t i = 0; ok && i < m.size(); ++i) {
      if (!same(cycle, m[i], r[i], what)) ok = false;
    }
    if (!ok) {
      fail(cycle, what, m, r);
      return false;
    }
    for (const model::BundleRetire& rec : m) {
      ++result_.bundles;
      result_.memory_writes += rec.memory_write_count;
      for (uint8_t i = 0; i < rec.register_write_count; ++i) {
        const auto& w = rec.register_writes[i];
        expected_[w.land_cycle].push_back({rec.core, rec.context, w.reg, w.value});
      }
    }
    // A packet starting on a context supersedes writes still owed to its last packet: the RTL
    // drops them from the cycle it loads the context (the one before the start).
    for (const rtl::RtlPacketStart& s : rtl.starts) {
      for (auto it = expected_.lower_bound(s.cycle - 1); it != expected_.end(); ++it) {
        auto& list = it->second;
        list.erase(std::remove_if(list.begin(), list.end(),
                                  [&](const WriteKey& k) {
                                    return k.core == s.core && k.context == s.context;
                                  }),
                   list.end());
      }
    }
    std::vector<WriteKey> want;
    if (auto it = expected_.find(cycle); it != expected_.end()) {
      want = std::move(it->second);
      expected_.erase(it);
    }
    std::vector<WriteKey> got;
    for (const rtl::RtlRegisterWrite& w : rtl.writes)
      got.push_back({w.core, w.context, w.reg, w.value});
    std::sort(want.begin(), want.end());
    std::sort(got.begin(), got.end());
    if (want != got) {
      fail(cycle,
           fmt::format("register writes landing in cycle {} differ: model {} | RTL {}", cycle,
                       describe_writes(want), describe_writes(got)),
           m, r);
      return false;
    }
    result_.register_writes += got.size();
    m.clear();
    r.clear();
    rtl.writes.clear();
    rtl.starts.clear();
    return true;
  }

  void fail(uint64_t cycle, const std::string& what, const std::vector<model::BundleRetire>& m,
            const std::vector<rtl::RtlRetire>& r) {
    result_.diverged = true;
    result_.divergence_cycle = cycle;
    std::ostringstream out;
    out << fmt::format("lockstep divergence in cycle {}: {}\n", cycle, what);
    for (const auto& rec : m)
      out << fmt::format("  model: {}\n         {}\n", describe(rec), bundle_text(rec.address));
    if (m.empty()) out << "  model: no bundle retired\n";
    for (const auto& rec : r)
      out << fmt::format("  rtl:   {}\n         {}\n", describe(rec), bundle_text(rec.address));
    if (r.empty()) out << "  rtl:   no bundle retired\n";
    result_.report = out.str();
  }

 private:
  bool same(uint64_t cycle, const model::BundleRetire& m, const rtl::RtlRetire& r,
            std::string& what) {
    if (m.core != r.core || m.context != r.context || m.address != r.address) {
      what = "different bundles retired";
      return false;
    }
    if (m.ends_packet != r.ends_packet || m.fault != r.fault) {
      what = "the packet end differs";
      return false;
    }
    if (m.ends_packet && m.return_value != r.return_value && !(m.fault && r0_in_flight(m, cycle))) {
      what = "the return value differs";
      return false;
    }
    if (m.memory_write_count != r.memory_write_count) {
      what = "the number of memory writes differs";
      return false;
    }
    for (uint8_t i = 0; i < m.memory_write_count; ++i) {
      const auto& a = m.memory_writes[i];
      const auto& b = r.memory_writes[i];
      if (a.address != b.address || a.size != b.size || a.value != b.value) {
        what = fmt::format("memory write {} differs", i);
        return false;
      }
    }
    return true;
  }

  // At a fault the model reports r0 with every write of earlier bundles applied, the RTL the
  // register file's r0: they differ only while a write to r0 is still on its way.
  bool r0_in_flight(const model::BundleRetire& m, uint64_t cycle) const {
    for (auto it = expected_.lower_bound(cycle); it != expected_.end(); ++it) {
      for (const WriteKey& k : it->second)
        if (k.core == m.core && k.context == m.context && k.reg == 0) return true;
    }
    return false;
  }

  std::string bundle_text(uint32_t address) const {
    if (address >= image_.bundle_count()) return "(outside the image)";
    return firmware::disassemble_bundle(image_.bundle(address), image_.constants);
  }

  const firmware::Image& image_;
  LockstepResult& result_;
  std::map<uint64_t, std::vector<WriteKey>> expected_;
};

bool same_outcome(const model::PacketOutcome& a, const model::PacketOutcome& b) {
  return a.result.return_value == b.result.return_value && a.result.aborted == b.result.aborted &&
         a.result.instructions == b.result.instructions &&
         a.stats.dispatch_cycle == b.stats.dispatch_cycle &&
         a.stats.start_cycle == b.stats.start_cycle && a.stats.exit_cycle == b.stats.exit_cycle &&
         a.stats.release_cycle == b.stats.release_cycle && a.stats.bundles == b.stats.bundles &&
         a.stats.ebpf_instructions == b.stats.ebpf_instructions &&
         a.stats.stalls == b.stats.stalls && a.redirect.kind == b.redirect.kind &&
         a.redirect.ifindex == b.redirect.ifindex && a.redirect.map_index == b.redirect.map_index &&
         a.redirect.key == b.redirect.key && a.redirect.flags == b.redirect.flags;
}

}  // namespace

LockstepResult run_lockstep(const firmware::Image& image, ebpf::Runtime& model_runtime,
                            ebpf::Runtime& rtl_runtime, std::span<const LockstepPacket> packets,
                            const model::ModelConfig& config, const LockstepOptions& options) {
  LockstepResult result;
  model::NicSystem model_system(image, model_runtime, config);
  rtl::RtlSystem rtl_system(image, rtl_runtime, config);
  ModelCollector model_records;
  RtlCollector rtl_records;
  model_system.set_observer(&model_records);
  rtl_system.set_observer(&rtl_records);

  std::vector<model::PacketJob> model_jobs(packets.size());
  std::vector<model::PacketJob> rtl_jobs(packets.size());
  std::vector<model::PacketOutcome> model_outcomes(packets.size());
  std::vector<model::PacketOutcome> rtl_outcomes(packets.size());
  for (size_t i = 0; i < packets.size(); ++i) {
    model_jobs[i].outcome = &model_outcomes[i];
    rtl_jobs[i].outcome = &rtl_outcomes[i];
    model_jobs[i].frame = packets[i].model_frame;
    rtl_jobs[i].frame = packets[i].rtl_frame;
    model_jobs[i].arrival_cycle = rtl_jobs[i].arrival_cycle = packets[i].arrival_cycle;
    model_jobs[i].time_ns = rtl_jobs[i].time_ns = packets[i].time_ns;
    model_system.submit(&model_jobs[i]);
    rtl_system.submit(&rtl_jobs[i]);
  }

  Comparator comparator(image, result);
  while (model_system.busy() || rtl_system.busy()) {
    const uint64_t cycle = model_system.cycle();
    if (model_system.busy() != rtl_system.busy()) {
      comparator.fail(
          cycle,
          fmt::format("the model is {}, the RTL {}", model_system.busy() ? "busy" : "idle",
                      rtl_system.busy() ? "busy" : "idle"),
          {}, {});
      return result;
    }
    if (cycle >= options.max_cycles) {
      comparator.fail(cycle, "the run exceeded the cycle limit", {}, {});
      return result;
    }
    model_system.step();
    rtl_system.step();
    ++result.cycles;
    if (!comparator.compare_cycle(cycle, model_records, rtl_records)) return result;
  }

  result.model_outcomes = std::move(model_outcomes);
  result.rtl_outcomes = std::move(rtl_outcomes);
  for (size_t i = 0; i < packets.size(); ++i) {
    const auto& a = result.model_outcomes[i];
    const auto& b = result.rtl_outcomes[i];
    bool ok = same_outcome(a, b);
    const auto pa = packets[i].model_frame->packet();
    const auto pb = packets[i].rtl_frame->packet();
    if (!std::equal(pa.begin(), pa.end(), pb.begin(), pb.end())) ok = false;
    if (!ok && !result.diverged) {
      result.diverged = true;
      result.divergence_cycle = std::max(a.stats.exit_cycle, b.stats.exit_cycle);
      result.report = fmt::format("packet {} outcome differs:\n  model: {}\n  rtl:   {}", i,
                                  describe_stats(a), describe_stats(b));
    }
  }
  return result;
}

}  // namespace nicsim::lockstep
