#include "jit/nic/emit.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "firmware/isa/address_map.h"
#include "firmware/isa/helper_units.h"
#include "firmware/routines/routines.h"
#include "jit/nic/compile_error.h"

namespace nicsim::jit::nic {

using firmware::OpClass;

firmware::Image emit_image(const Function& fn, const std::vector<ScheduledChain>& chains,
                           const ebpf::Program& program, std::vector<firmware::MapLayout> maps,
                           const CompileOptions& options) {
  firmware::Image image;
  image.program_name = program.display_name();
  image.lanes = options.lanes;
  image.memory_ports = options.memory_ports;
  image.entry_kind = fn.entry_kind;
  image.maps = std::move(maps);

  // Addresses: chains are consecutive; a block is addressed by its chain's first bundle.
  std::vector<uint32_t> block_address(fn.blocks.size(), 0);
  uint32_t address = 0;
  for (const ScheduledChain& chain : chains) {
    block_address[chain.blocks[0]] = address;
    address += static_cast<uint32_t>(chain.bundles.size());
  }
  const uint32_t program_bundles = std::max<uint32_t>(address, 1);

  // Firmware routines the program calls, linked after it.
  std::set<int32_t> routines, units;
  for (const ScheduledChain& chain : chains)
    for (const auto& bundle : chain.bundles)
      for (const Op& op : bundle) {
        if (op.slot.op == OpClass::CallF) routines.insert(op.routine);
        if (op.slot.op == OpClass::HCall) units.insert(op.slot.imm);
      }

  std::vector<uint64_t>& pool = image.constants;
  const auto pool_index = [&pool](uint64_t value) {
    auto it = std::find(pool.begin(), pool.end(), value);
    if (it != pool.end()) return static_cast<int32_t>(it - pool.begin());
    pool.push_back(value);
    return static_cast<int32_t>(pool.size() - 1);
  };

  std::map<int32_t, uint32_t> routine_entry;
  std::vector<std::vector<firmware::Slot>> routine_code;
  uint32_t routine_address = program_bundles;
  for (int32_t id : routines) {
    const firmware::Routine* routine = firmware::find_routine(id);
    auto bundles = firmware::assemble_routine(*routine, options.lanes, options.memory_ports,
                                              routine_address, pool);
    routine_entry[id] = routine_address;
    routine_address += static_cast<uint32_t>(bundles.size());
    image.helpers.push_back(
        {id, firmware::HelperKind::Routine, routine_entry[id], std::string(routine->name)});
    for (auto& b : bundles)
      routine_code.push_back(std::move(b));
  }
  for (int32_t id : units) {
    image.helpers.push_back(
        {id, firmware::HelperKind::Unit, 0, std::string(firmware::find_hardware_helper(id)->name)});
  }
  if (routine_address > firmware::kMaxBundles)
    throw CompileError(
        fmt::format("program '{}': needs {} bundles, the NIC's instruction memory "
                    "holds {}",
                    image.program_name, routine_address, firmware::kMaxBundles));

  const auto emit_slot = [&](const Op& op) {
    firmware::Slot s = op.slot;
    if (op.pool) s.imm = pool_index(op.pool_value);
    if (op.is_branch() && op.target >= 0) s.x12 = static_cast<uint16_t>(block_address[op.target]);
    if (s.op == OpClass::CallF) s.x12 = static_cast<uint16_t>(routine_entry.at(op.routine));
    return s;
  };
  for (const ScheduledChain& chain : chains) {
    for (const auto& bundle : chain.bundles) {
      for (size_t lane = 0; lane < options.lanes; ++lane) {
        if (lane < bundle.size()) {
          image.code.push_back(emit_slot(bundle[lane]));
          image.origins.push_back(bundle[lane].origins);
        } else {
          image.code.push_back(firmware::make_nop());
          image.origins.emplace_back();
        }
      }
    }
  }
  if (image.code.empty()) {  // a program whose every path was folded away still needs a bundle
    image.code.assign(options.lanes, firmware::make_nop());
    image.code[0] = firmware::make_exit_reg(0);
    image.origins.assign(options.lanes, {});
  }
  image.program_bundles = program_bundles;
  for (auto& bundle : routine_code) {
    for (auto& s : bundle) {
      image.code.push_back(s);
      image.origins.emplace_back();
    }
  }
  image.entry_bundle = 0;
  for (const auto& insn : program.insns)
    image.source.push_back(insn.raw());
  firmware::validate_image(image);
  return image;
}

}  // namespace nicsim::jit::nic
