// `nicsim jit --target nic --disasm`: every bundle, then each slot with the eBPF instructions
// it came from.

#include <fmt/format.h>

#include <map>

#include "ebpf/asm/disassembler.h"
#include "firmware/asm/nic_asm.h"
#include "jit/nic/compiler.h"

namespace nicsim::jit::nic {

std::string disassemble_image(const firmware::Image& image) {
  std::string out;
  out += fmt::format(
      "; program '{}': {} lanes, {} memory ports, {} entry, {} program bundles, {} "
      "routine bundles\n",
      image.program_name, image.lanes, image.memory_ports,
      image.entry_kind == firmware::EntryKind::Xdp ? "xdp" : "raw", image.program_bundles,
      image.bundle_count() - image.program_bundles);
  for (size_t i = 0; i < image.constants.size(); ++i)
    out += fmt::format("; pool[{}] = 0x{:x}\n", i, image.constants[i]);
  for (size_t i = 0; i < image.maps.size(); ++i) {
    const auto& m = image.maps[i];
    out += fmt::format("; map {} '{}': {} key {} value {} entries {} at 0x{:08x} ({} slots)\n", i,
                       m.name, ebpf::map_type_name(m.type), m.key_size, m.value_size, m.max_entries,
                       m.base, m.capacity);
  }
  std::map<uint32_t, std::string> routine_at;
  for (const auto& h : image.helpers) {
    if (h.kind == firmware::HelperKind::Routine) routine_at[h.entry] = h.name;
  }
  std::vector<ebpf::Instruction> source;
  for (uint64_t raw : image.source)
    source.push_back(ebpf::Instruction::from_raw(raw));

  for (size_t n = 0; n < image.bundle_count(); ++n) {
    if (auto it = routine_at.find(static_cast<uint32_t>(n)); it != routine_at.end())
      out += fmt::format("routine {}:\n", it->second);
    const auto slots = image.bundle(n);
    out += fmt::format("{:04}: {}\n", n, firmware::disassemble_bundle(slots, image.constants));
    if (slots.size() == 1 && image.origins.empty()) continue;
    for (size_t lane = 0; lane < slots.size(); ++lane) {
      if (slots[lane].op == firmware::OpClass::Nop) continue;
      std::string from;
      if (!image.origins.empty()) {
        for (uint32_t index : image.origins[n * image.lanes + lane]) {
          std::string text = "?";
          try {
            text = ebpf::disassemble_instruction(source, index);
          } catch (const std::exception&) {
          }
          from += fmt::format("{}{}: {}", from.empty() ? "" : " | ", index, text);
        }
      }
      out += fmt::format("      {:<36} ; {}\n",
                         firmware::disassemble_slot(slots[lane], image.constants),
                         from.empty() ? "-" : from);
    }
  }
  return out;
}

}  // namespace nicsim::jit::nic
