#pragma once
// A pipeline trace in the Kanata log format (version 0004, read by the Konata viewer): every
// fetched bundle is one row that moves through F (the fetch cycle), Q (waiting in its
// context's fetch buffer), X (the issue cycle, EX) and retires the cycle after; a bundle that
// never issues (its packet hit the cycle budget) is flushed.

#include <cstdint>
#include <map>
#include <ostream>
#include <vector>

#include "firmware/image/image.h"
#include "testbench/rtl_engine/rtl_observer.h"

namespace nicsim::rtl {

class KanataWriter : public RtlObserver {
 public:
  // `out` must outlive the writer; `image` labels each bundle with its disassembly.
  KanataWriter(std::ostream& out, const firmware::Image& image, uint32_t contexts_per_core);

  void on_fetch(uint64_t cycle, uint16_t core, uint8_t context, uint16_t address) override;
  void on_retire(const RtlRetire& retire) override;
  void on_abort(uint64_t cycle, uint16_t core, uint8_t context) override;
  void on_register_write(const RtlRegisterWrite&) override {}
  // Ends the stages still open (the last bundles retire); call once after the run.
  void finish();

 private:
  struct InFlight {
    uint64_t id = 0;
    uint64_t fetch_cycle = 0;
  };
  void advance_to(uint64_t cycle);
  uint32_t thread(uint16_t core, uint8_t context) const { return core * contexts_ + context; }

  std::ostream& out_;
  const firmware::Image& image_;
  uint32_t contexts_;
  bool started_ = false;
  uint64_t cycle_ = 0;
  uint64_t next_id_ = 0;
  uint64_t next_retire_ = 0;
  std::map<uint32_t, InFlight> buffered_;  // thread -> bundle in its fetch buffer
  std::vector<uint64_t> to_queue_;         // fetched last cycle: F ends, Q starts
  std::vector<uint64_t> to_retire_;        // issued last cycle: X ends, retire
};

}  // namespace nicsim::rtl
