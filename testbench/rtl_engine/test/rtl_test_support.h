#pragma once
// Hand-assembled images for the RTL engine's directed tests (no compiler involved).

#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ebpf/program/program.h"
#include "ebpf/runtime/runtime.h"
#include "firmware/asm/nic_asm.h"
#include "firmware/image/image.h"
#include "testbench/rtl_engine/rtl_engine.h"

namespace nicsim::rtl::test {

inline firmware::Image asm_image(std::string_view text, uint8_t lanes = 4,
                                 firmware::EntryKind entry = firmware::EntryKind::Raw,
                                 std::vector<int32_t> units = {},
                                 std::vector<std::pair<int32_t, std::string>> routines = {}) {
  firmware::AsmOptions options;
  options.max_lanes = lanes;
  const firmware::AssembledCode code = firmware::assemble_nic(text, options);
  firmware::Image image;
  image.program_name = "asm";
  image.lanes = lanes;
  image.memory_ports = lanes < 2 ? lanes : 2;
  image.entry_kind = entry;
  for (auto bundle : code.bundles) {
    bundle.resize(lanes);
    image.code.insert(image.code.end(), bundle.begin(), bundle.end());
  }
  image.constants = code.constants;
  image.program_bundles = static_cast<uint32_t>(code.bundles.size());
  for (const auto& [id, label] : routines) {
    const uint32_t entry = code.labels.at(label);
    image.helpers.push_back({id, firmware::HelperKind::Routine, entry, label});
    image.program_bundles = std::min(image.program_bundles, entry);
  }
  for (int32_t id : units)
    image.helpers.push_back({id, firmware::HelperKind::Unit, 0, ""});
  firmware::validate_image(image);
  return image;
}

// An object without maps, for raw (bpf_conformance contract) runs.
struct EmptyWorld {
  ebpf::ElfObject object = ebpf::make_single_program_object({});
  std::unique_ptr<ebpf::Runtime> runtime = std::make_unique<ebpf::Runtime>(object);
};

inline std::vector<uint8_t> numbered_packet(size_t n = 64) {
  std::vector<uint8_t> p(n);
  for (size_t i = 0; i < n; ++i)
    p[i] = static_cast<uint8_t>(i);
  return p;
}

struct RtlRun {
  ebpf::ExecutionResult result;
  model::PacketStats stats;
};

inline RtlRun run_rtl(std::string_view text, size_t length = 64) {
  EmptyWorld world;
  RtlEngine engine(asm_image(text), *world.runtime);
  auto memory = numbered_packet(length);
  RtlRun run;
  run.result = engine.run_raw(memory);
  run.stats = engine.last_outcome().stats;
  return run;
}

}  // namespace nicsim::rtl::test
