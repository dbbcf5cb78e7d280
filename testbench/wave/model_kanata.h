#pragma once
// The model's pipeline trace: its observer reports (fetch, issue, budget abort) fed to the
// Kanata writer both engines share, so that the model's trace has the RTL's stages and rows.

#include "model/observer.h"
#include "testbench/wave/kanata_writer.h"

namespace nicsim::wave {

class ModelKanataObserver : public model::RetireObserver {
 public:
  explicit ModelKanataObserver(KanataWriter& writer) : writer_(writer) {}

  void on_fetch(uint64_t cycle, uint16_t core, uint8_t context, uint32_t address) override {
    writer_.fetch(cycle, core, context, address);
  }
  void on_retire(const model::BundleRetire& r) override {
    writer_.issue(r.cycle, r.core, r.context, r.ends_packet, r.fault, r.return_value);
  }
  void on_abort(uint64_t exit_cycle, uint16_t core, uint8_t context) override {
    writer_.abort(exit_cycle, core, context);
  }

 private:
  KanataWriter& writer_;
};

}  // namespace nicsim::wave
