#pragma once
// A pipeline trace in the Kanata log format (version 0004, read by the Konata viewer), for
// either engine: every fetched bundle is one row that moves through F (the fetch cycle), Q
// (waiting in its context's fetch buffer), X (the issue cycle, EX) and retires the cycle after;
// a bundle that never issues (its packet hit the cycle budget) is flushed. The engines feed it
// through their observers (model: wave::ModelKanataObserver; RTL: rtl::RtlKanataObserver).

#include <cstdint>
#include <map>
#include <ostream>
#include <vector>

#include "firmware/image/image.h"

namespace nicsim::wave {

class KanataWriter {
 public:
  // `out` must outlive the writer; `image` labels each bundle with its disassembly.
  KanataWriter(std::ostream& out, const firmware::Image& image, uint32_t contexts_per_core);

  // A bundle enters a context's fetch buffer in `cycle`.
  void fetch(uint64_t cycle, uint16_t core, uint8_t context, uint32_t address);
  // The context's buffered bundle issues in `cycle`; an ending bundle is labelled with r0.
  void issue(uint64_t cycle, uint16_t core, uint8_t context, bool ends_packet, bool fault,
             uint64_t return_value);
  // The packet ended without a bundle at `exit_cycle` (cycle budget): the buffer is flushed.
  void abort(uint64_t exit_cycle, uint16_t core, uint8_t context);
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

}  // namespace nicsim::wave
