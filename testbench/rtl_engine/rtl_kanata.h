#pragma once
// The RTL engine's pipeline trace: its observer records fed to the Kanata writer both engines
// share (testbench/wave/kanata_writer.h).

#include "testbench/rtl_engine/rtl_observer.h"
#include "testbench/wave/kanata_writer.h"

namespace nicsim::rtl {

class RtlKanataObserver : public RtlObserver {
 public:
  explicit RtlKanataObserver(wave::KanataWriter& writer) : writer_(writer) {}

  void on_fetch(uint64_t cycle, uint16_t core, uint8_t context, uint16_t address) override {
    writer_.fetch(cycle, core, context, address);
  }
  void on_retire(const RtlRetire& r) override {
    writer_.issue(r.cycle, r.core, r.context, r.ends_packet, r.fault, r.return_value);
  }
  void on_abort(uint64_t cycle, uint16_t core, uint8_t context) override {
    writer_.abort(cycle, core, context);
  }
  void on_register_write(const RtlRegisterWrite&) override {}

 private:
  wave::KanataWriter& writer_;
};

}  // namespace nicsim::rtl
