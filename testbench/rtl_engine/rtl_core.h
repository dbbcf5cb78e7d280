#pragma once
// One Verilated NIC core (rtl/nic_top.sv) with typed access to its flattened ports. The image
// is written into the core's instruction memory and constant pool while reset is held; after
// that, a cycle is: read the memory and helper requests (they depend on the core's state only,
// so the last clock edge settled them), set this cycle's inputs and answers, clock_edge(), read
// the retired bundle (registered in nic_top, so it is still there after the edge). Every
// eval() reruns all logic the inputs reach; settle() — one more eval() before the edge — is
// needed only to read the outputs that depend on this cycle's answers (register writes,
// fetch) or to dump them into a waveform.

#include <cstdint>
#include <memory>
#include <string>

#include "firmware/image/image.h"
#include "testbench/rtl_engine/rtl_shape.h"

class Vnic_top;
class Vnic_top_traced;
class VerilatedContext;
class VerilatedFstC;

namespace nicsim::rtl {

template <typename Model>
class RtlPorts;

struct StartInputs {
  uint32_t context = 0;
  uint32_t pkt_data = 0;
  uint32_t pkt_end = 0;
  uint32_t pkt_meta = 0;
  uint32_t ingress_ifindex = 0;
  uint32_t rx_queue_index = 0;
  uint32_t cpu_id = 0;
  uint64_t time_ns = 0;
};

struct MemoryRequest {
  bool valid = false;
  bool write = false;  // a store or a read-modify-write
  bool map = false;    // map window: the answer says whether the value is live
  uint32_t address = 0;
  uint32_t size = 0;
};

// The bundle that issued in the cycle before the last clock edge (nic_top's retired_*_o).
struct RetiredBundle {
  bool valid = false;
  uint32_t context = 0;
  uint32_t address = 0;
  bool commit = false;  // its memory writes take place
  bool end = false;     // it ends its packet
  bool fault = false;
  uint64_t r0 = 0;
};

struct RegisterWritePort {
  bool valid = false;
  uint32_t context = 0;
  uint32_t reg = 0;
  uint64_t value = 0;
};

class RtlCore {
 public:
  // Throws nicsim::Error when the image does not fit the Verilated shape (more lanes or memory
  // ports, more bundles or constants than the memories hold). `traced` picks the build of the
  // core with waveform tracing compiled in (slower; needed by open_trace).
  RtlCore(uint32_t index, const firmware::Image& image, bool traced = false);
  ~RtlCore();
  RtlCore(const RtlCore&) = delete;
  RtlCore& operator=(const RtlCore&) = delete;

  uint32_t index() const { return index_; }
  // Settles the outputs that depend on this cycle's inputs (clock low).
  void settle();
  // Rising edge: registers take their next values from this cycle's inputs; the cycle counter
  // advances. Needs no settle() before it.
  void clock_edge();
  // The same on the ports of the build this core runs (with_ports), inline in a loop
  // instantiated for that build (rtl_ports.h).
  template <typename Model>
  void clock_edge(RtlPorts<Model>& ports);

  // Calls f with the RtlPorts of whichever Verilated build this core runs (both have the same
  // ports), so that a caller can instantiate its cycle loop once per build instead of
  // dispatching on the build at every access. Defined in rtl_ports.h.
  template <typename F>
  decltype(auto) with_ports(F&& f) const;

  // ---- inputs of the current cycle ----
  // The dispatcher's start (nullptr: no packet starts), the contexts whose cycle budget ends
  // (abort_i) and whether a lower core took the helper port: set together, once per cycle.
  void set_cycle_inputs(const StartInputs* start, uint32_t abort_mask, bool helper_busy);
  void set_memory_response(uint32_t port, uint64_t data, bool map_fault);
  void set_helper_response(uint64_t r0, uint32_t latency, bool fault, uint32_t pkt_data,
                           uint32_t pkt_end, uint32_t pkt_meta);

  // ---- outputs ----
  uint32_t memory_context() const;
  MemoryRequest memory_request(uint32_t port) const;
  // Bit p (p < kRtlMemPorts): memory port p carries a request; bit kRtlMemPorts: a helper call.
  // One look at the core in a cycle without requests.
  uint32_t pending_requests() const;
  bool helper_valid() const;
  uint32_t helper_context() const;
  int32_t helper_id() const;
  uint64_t helper_argument(uint32_t i) const;  // r1 + i

  // After clock_edge(): the bundle that issued in the cycle just clocked, and the data its
  // memory port p wrote (meaningful for the ports that carried a write request).
  RetiredBundle retired() const;
  uint64_t retired_write_data(uint32_t port) const;
  // After settle():
  RegisterWritePort register_write(uint32_t port) const;
  bool fetch_valid() const;
  uint32_t fetch_context() const;
  uint32_t fetch_address() const;

  // The core's state (settled by the last clock edge):
  bool running(uint32_t context) const;
  // The contexts' RtlStall codes this cycle as bit planes: bit k of context c's code at
  // k * kRtlContexts + c.
  uint32_t stall_bits() const;
  uint64_t context_r0(uint32_t context) const;
  uint64_t cycle() const;

  // ---- waveforms ----
  bool traceable() const { return traced_ != nullptr; }
  // Traces every signal of the core into an FST file from now on (time in ps at `clock_hz`),
  // with Verilator's FST writer (a VCD is converted from it afterwards: fst2vcd is fast, while
  // converting the other way is not). Throws nicsim::Error on a core built without tracing.
  void open_trace(const std::string& path, double clock_hz);
  void close_trace();
  bool tracing() const { return trace_ != nullptr; }
  // Dumps the current values (trace_enabled_ gates dumping for a time window).
  void set_trace_enabled(bool enabled) { trace_enabled_ = enabled; }

 private:
  void dump(uint64_t time_ps);

  uint32_t index_;
  std::unique_ptr<VerilatedContext> context_;
  std::unique_ptr<Vnic_top> plain_;
  std::unique_ptr<Vnic_top_traced> traced_;
  std::unique_ptr<VerilatedFstC> trace_;
  bool trace_enabled_ = true;
  uint64_t half_period_ps_ = 2000;
  uint64_t edges_ = 0;
};

}  // namespace nicsim::rtl
