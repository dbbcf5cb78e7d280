#pragma once
// Waveforms of the SystemC model under the RTL's signal names (testbench/wave/
// core_wave_layout.h), built from the model's observer reports (model/observer.h): fetch,
// issue and the slot words, each lane's result, the memory ports, the helper port, the
// divider, per context its state, stall cause and registers, and the dispatcher's start. A
// signal has the RTL's value in every cycle where the model knows it; docs/rtl.md
// ("Waveforms") lists where the two dumps differ and why.

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "firmware/image/image.h"
#include "model/observer.h"
#include "testbench/wave/gtkw_writer.h"
#include "testbench/wave/vcd_writer.h"
#include "testbench/wave/wave_options.h"

namespace nicsim::wave {

class ModelWaveWriter : public model::RetireObserver {
 public:
  // Core 0 of a model with `contexts` contexts per core, at `clock_hz` (the RTL dump's time
  // base: cycle c spans [c, c+1) periods, registers change half a period in). Writes the save
  // file beside the dump; throws nicsim::Error when a file cannot be written.
  ModelWaveWriter(const firmware::Image& image, WaveOptions options, uint32_t contexts,
                  double clock_hz);
  ~ModelWaveWriter() override;

  void on_retire(const model::BundleRetire& retire) override;
  void on_fetch(uint64_t cycle, uint16_t core, uint8_t context, uint32_t address) override;
  void on_packet_start(const model::PacketStart& start) override;
  void on_abort(uint64_t exit_cycle, uint16_t core, uint8_t context) override;
  bool wants_every_cycle() const override { return true; }
  void on_cycle_end(uint64_t cycle, uint16_t core,
                    std::span<const model::ContextState> contexts) override;
  // Dumps every cycle before `end_cycle` (the system's cycle when the run is over), closes the
  // dump and converts it to FST if asked; throws nicsim::Error when that fails.
  void finish(uint64_t end_cycle);

  // The signals the model's dump has, grouped as in the RTL's save file.
  static GtkwLayout layout(uint32_t lanes, uint32_t contexts);

 private:
  // A context's registers as the RTL holds them through a cycle.
  struct ContextRegisters {
    bool running = false;
    bool blocked = false;
    bool fb_valid = false;
    uint32_t pc = 0;
    uint32_t fb_addr = 0;
  };
  // Everything core 0 did in one cycle, and its contexts' registers after the edge ending it.
  struct CycleRecord {
    uint64_t cycle = 0;
    std::optional<model::BundleRetire> retire;
    bool fetch = false;
    uint8_t fetch_context = 0;
    uint32_t fetch_address = 0;
    std::optional<model::PacketStart> start;  // starts at cycle + 1
    std::optional<uint64_t> divider_free;     // a division issued: the divider's next free cycle
    std::vector<uint8_t> stall;               // per context, nic_pkg::stall_e
    std::vector<ContextRegisters> after;
  };
  enum class WriteSource : uint8_t { Issue, Writeback, Divider, Other };
  struct Landing {
    uint8_t context;
    uint8_t reg;
    uint64_t value;
    WriteSource source;
    uint8_t lane;
  };

  void emit(const CycleRecord& record);
  void emit_idle_until(uint64_t cycle);
  void show_fetch(const CycleRecord& record);
  void show_issue(const CycleRecord& record);
  void show_memory_ports(const model::BundleRetire& retire, std::span<const firmware::Slot> slots);
  void show_landings(uint64_t cycle);
  void show_contexts(const std::vector<ContextRegisters>& registers);
  void note_landings(const model::BundleRetire& retire, std::span<const firmware::Slot> slots);
  std::span<const firmware::Slot> slots_at(uint32_t address) const;
  std::vector<uint64_t> words_;  // every bundle's slot words, lanes_ per bundle
  // Signals per lane: the fetch or issue words of the bundle at `address` (0 past the image).
  void show_words(bool fetch, std::optional<uint32_t> address);

  const firmware::Image& image_;
  WaveOptions options_;
  uint32_t contexts_;
  uint32_t lanes_;
  uint32_t ports_;
  uint64_t period_ps_;
  std::unique_ptr<VcdWriter> vcd_;
  struct LaneIds {
    size_t fetch_word, issue_word, now_value, addr, wb_valid, wb_data;
  };
  struct ContextIds {
    size_t running, stall, blocked, pc, fb_valid, fb_addr;
    std::vector<size_t> regs;
  };
  struct Ids {  // VcdWriter ids
    size_t clk, cycle, start, start_ctx, start_r1, start_r2;
    size_t sel_valid, sel_ctx, imem_addr;
    size_t issue, ic, valid, ctx, addr, commit, end, fault, r0;
    size_t dmem_ctx, dmem_valid, dmem_write, dmem_map, dmem_addr, dmem_size, dmem_wdata, dmem_rdata,
        dmem_map_fault;
    size_t helper_valid, helper_ctx, helper_id, helper_r0, helper_latency, helper_fault;
    size_t div_busy, div_valid, div_data;
    std::vector<LaneIds> lanes;
    std::vector<ContextIds> contexts;
  } s_{};
  void declare_signals();

  CycleRecord current_;                   // the cycle being stepped
  std::optional<CycleRecord> pending_;    // the last ended cycle, not dumped yet
  std::vector<ContextRegisters> during_;  // registers through the next cycle to dump
  std::vector<std::array<uint64_t, model::kNumStallCauses>> stalls_seen_;
  std::vector<bool> running_seen_;
  uint64_t next_cycle_ = 0;  // the next cycle to dump
  uint64_t divider_free_ = 0;
  std::multimap<uint64_t, Landing> landings_;
};

}  // namespace nicsim::wave
