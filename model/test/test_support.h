#pragma once
// Images written directly in NIC assembly, for tests of the model that do not involve the
// compiler.

#include <memory>
#include <string_view>
#include <vector>

#include "ebpf/program/program.h"
#include "ebpf/runtime/runtime.h"
#include "firmware/asm/nic_asm.h"
#include "firmware/image/image.h"

namespace nicsim::model::test {

struct AsmImageOptions {
  uint8_t lanes = 4;
  uint8_t memory_ports = 2;
  firmware::EntryKind entry = firmware::EntryKind::Raw;
  // Routines: (helper id, label of the entry) — labels must follow the program's code.
  std::vector<std::pair<int32_t, std::string>> routines;
  std::vector<int32_t> units;  // hardware helpers the program calls
  std::string routines_start;  // label of the first routine bundle ("" = no routines)
};

inline firmware::Image image_from_asm(std::string_view text, const AsmImageOptions& options = {}) {
  firmware::AsmOptions asm_options;
  asm_options.max_lanes = options.lanes;
  const firmware::AssembledCode code = firmware::assemble_nic(text, asm_options);
  firmware::Image image;
  image.program_name = "asm";
  image.lanes = options.lanes;
  image.memory_ports = options.memory_ports;
  image.entry_kind = options.entry;
  for (auto bundle : code.bundles) {
    bundle.resize(options.lanes);
    image.code.insert(image.code.end(), bundle.begin(), bundle.end());
  }
  image.constants = code.constants;
  image.program_bundles = options.routines_start.empty()
                              ? static_cast<uint32_t>(code.bundles.size())
                              : code.labels.at(options.routines_start);
  for (const auto& [id, label] : options.routines)
    image.helpers.push_back({id, firmware::HelperKind::Routine, code.labels.at(label), label});
  for (int32_t id : options.units)
    image.helpers.push_back({id, firmware::HelperKind::Unit, 0, ""});
  firmware::validate_image(image);
  return image;
}

// An object with no maps for raw (bpf_conformance style) runs.
struct EmptyWorld {
  ebpf::ElfObject object = ebpf::make_single_program_object({});
  std::unique_ptr<ebpf::Runtime> runtime = std::make_unique<ebpf::Runtime>(object);
};

}  // namespace nicsim::model::test
