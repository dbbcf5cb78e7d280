#pragma once
// Runs one bundled XDP program (as built into NICSIM_PROGRAMS_DIR) on the reference
// interpreter, with its default map contents loaded, and reports what happened to each packet.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ebpf/elf/elf_loader.h"
#include "ebpf/interp/interpreter.h"
#include "ebpf/runtime/runtime.h"
#include "testbench/traffic/packet.h"

namespace nicsim::bench::test {

struct XdpOutcome {
  ebpf::XdpAction action = ebpf::XdpAction::Aborted;
  std::vector<uint8_t> packet;  // the frame after the program (what TX/redirect would send)
  ebpf::RedirectTarget redirect;
  std::string diagnostic;  // why the interpreter aborted the run, if it did
};

class ProgramRunner {
 public:
  // A bundled program: `NICSIM_PROGRAMS_DIR/<name>.o` with, when `load_default_maps`, its
  // default map contents `<name>.maps.json` if it has any.
  explicit ProgramRunner(const std::string& name, bool load_default_maps = true);
  // Program `program` (by section or function name; "" for the object's only XDP program) of
  // the object at `object_path`, with empty maps.
  static ProgramRunner from_object(const std::string& object_path, const std::string& program);

  XdpOutcome run(std::span<const uint8_t> frame, uint32_t ingress_ifindex = 1,
                 uint32_t rx_queue_index = 0);
  XdpOutcome run(const traffic::Packet& packet) {
    return run(packet.bytes, packet.ingress_ifindex, packet.rx_queue_index);
  }

  ebpf::Runtime& runtime() { return *runtime_; }
  const ebpf::ElfObject& object() const { return *object_; }
  // The map named `name`; fails the test (throws) when the object has none.
  ebpf::Map& map(const std::string& name);

 private:
  ProgramRunner() = default;
  void load(const std::string& object_path, const std::string& program);

  std::unique_ptr<ebpf::ElfObject> object_;
  std::unique_ptr<ebpf::Runtime> runtime_;
  std::unique_ptr<ebpf::Interpreter> interpreter_;
};

// The host-side value of `key` in `map` (all CPUs' copies for per-CPU maps), or empty when
// the key is absent.
std::vector<uint8_t> lookup(const ebpf::Map& map, std::span<const uint8_t> key);

template <typename T>
std::span<const uint8_t> bytes_of(const T& value) {
  return {reinterpret_cast<const uint8_t*>(&value), sizeof value};
}

}  // namespace nicsim::bench::test
