#pragma once
// Waveforms of the SystemC model, built from what it reports per issued bundle (model/
// observer.h), under the RTL's signal names (nic.nic_top...), so that one GTKWave save file
// layout serves both engines. The model reports less than the RTL shows: the issuing bundle
// and its slot words, the retire/exit signals, the memory ports' writes and the register file;
// not fetch, stall causes, memory reads or helper calls (docs/rtl.md, "Waveforms").

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
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
  // Dumps every cycle before `end_cycle` (the system's cycle when the run is over), closes the
  // dump and converts it to FST if asked; throws nicsim::Error when that fails.
  void finish(uint64_t end_cycle);

  // The signals the model's dump has, grouped as in the RTL's save file.
  static GtkwLayout layout(uint32_t lanes, uint32_t contexts);

 private:
  struct Signals {
    size_t clk, cycle, issue, ic, valid, ctx, addr, end, fault, r0;
    std::vector<size_t> words;
    size_t mem_write, mem_addr, mem_size, mem_wdata;
    std::vector<size_t> regs;  // [context * 10 + reg]
  };
  struct Landing {
    uint8_t context;
    uint8_t reg;
    uint64_t value;
  };

  void emit_until(uint64_t cycle);  // every cycle before `cycle`
  void emit_cycle(uint64_t cycle);
  void show_bundle(const model::BundleRetire* retire);

  const firmware::Image& image_;
  WaveOptions options_;
  uint32_t contexts_;
  uint64_t period_ps_;
  std::unique_ptr<VcdWriter> vcd_;
  Signals s_{};
  uint64_t next_cycle_ = 0;
  std::optional<model::BundleRetire> pending_;  // core 0's bundle of cycle next_cycle_ or later
  std::multimap<uint64_t, Landing> landings_;
};

}  // namespace nicsim::wave
