#pragma once
// Several observers on one model (NicSystem takes one): the waveform writer and the pipeline
// trace together, for instance.

#include <vector>

#include "model/observer.h"

namespace nicsim::model {

// Several observers on one system, called in the order they were added.
class ObserverFanout : public RetireObserver {
 public:
  void add(RetireObserver* observer) { observers_.push_back(observer); }
  void on_retire(const BundleRetire& retire) override {
    for (RetireObserver* o : observers_)
      o->on_retire(retire);
  }
  void on_fetch(uint64_t cycle, uint16_t core, uint8_t context, uint32_t address) override {
    for (RetireObserver* o : observers_)
      o->on_fetch(cycle, core, context, address);
  }
  void on_packet_start(const PacketStart& start) override {
    for (RetireObserver* o : observers_)
      o->on_packet_start(start);
  }
  void on_abort(uint64_t exit_cycle, uint16_t core, uint8_t context) override {
    for (RetireObserver* o : observers_)
      o->on_abort(exit_cycle, core, context);
  }
  bool wants_every_cycle() const override {
    for (const RetireObserver* o : observers_)
      if (o->wants_every_cycle()) return true;
    return false;
  }
  void on_cycle_end(uint64_t cycle, uint16_t core,
                    std::span<const ContextState> contexts) override {
    for (RetireObserver* o : observers_)
      o->on_cycle_end(cycle, core, contexts);
  }

 private:
  std::vector<RetireObserver*> observers_;
};

}  // namespace nicsim::model
