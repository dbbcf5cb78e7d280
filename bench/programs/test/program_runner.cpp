#include "bench/programs/test/program_runner.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "ebpf/engine/engine.h"
#include "ebpf/runtime/map_json.h"
#include "ebpf/util/error.h"

namespace nicsim::bench::test {

ProgramRunner::ProgramRunner(const std::string& name, bool load_default_maps) {
  const std::string directory = NICSIM_PROGRAMS_DIR;
  load(directory + "/" + name + ".o", "");
  const std::string maps_path = directory + "/" + name + ".maps.json";
  if (load_default_maps && std::filesystem::exists(maps_path)) {
    std::ifstream in(maps_path);
    ebpf::load_map_contents(*runtime_, nlohmann::json::parse(in), maps_path);
  }
}

ProgramRunner ProgramRunner::from_object(const std::string& object_path,
                                         const std::string& program) {
  ProgramRunner runner;
  runner.load(object_path, program);
  return runner;
}

void ProgramRunner::load(const std::string& object_path, const std::string& program_name) {
  object_ = std::make_unique<ebpf::ElfObject>(ebpf::load_elf_file(object_path));
  runtime_ = std::make_unique<ebpf::Runtime>(*object_);
  const ebpf::Program* xdp = nullptr;
  if (!program_name.empty()) {
    xdp = &object_->find_program(program_name);
  } else {
    for (const ebpf::Program& program : object_->programs) {
      if (program.type != ebpf::ProgramType::Xdp) continue;
      if (xdp != nullptr) throw Error(object_path + ": more than one XDP program");
      xdp = &program;
    }
  }
  if (xdp == nullptr) throw Error(object_path + ": no XDP program");
  interpreter_ = std::make_unique<ebpf::Interpreter>(*xdp, *runtime_);
}

XdpOutcome ProgramRunner::run(std::span<const uint8_t> frame, uint32_t ingress_ifindex,
                              uint32_t rx_queue_index) {
  ebpf::XdpFrame xdp_frame(frame, ingress_ifindex, rx_queue_index);
  const ebpf::ExecutionResult result = interpreter_->run_xdp(xdp_frame);
  XdpOutcome outcome;
  outcome.action = ebpf::xdp_action_of(result);
  outcome.packet.assign(xdp_frame.packet().begin(), xdp_frame.packet().end());
  outcome.redirect = runtime_->redirect();
  outcome.diagnostic = result.diagnostic;
  return outcome;
}

ebpf::Map& ProgramRunner::map(const std::string& name) {
  const int index = object_->find_map(name);
  if (index < 0) throw Error(fmt::format("{}: no map '{}'", object_->path, name));
  return runtime_->map(static_cast<size_t>(index));
}

std::vector<uint8_t> lookup(const ebpf::Map& map, std::span<const uint8_t> key) {
  std::vector<uint8_t> value(map.host_value_size());
  if (map.host_lookup(key.data(), value.data()) != 0) value.clear();
  return value;
}

}  // namespace nicsim::bench::test
