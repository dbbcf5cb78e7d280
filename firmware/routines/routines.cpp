#include "firmware/routines/routines.h"

#include <fmt/format.h>

#include <array>

#include "ebpf/util/error.h"
#include "firmware/asm/nic_asm.h"
#include "firmware/isa/bundle.h"

namespace nicsim::firmware {

namespace {

// bpf_ktime_get_ns: the NIC timestamp latched at dispatch.
constexpr std::string_view kKtimeGetNs = R"(
  { movs r0, time_ns ; ret }
)";

// bpf_get_smp_processor_id: the CPU number the host presents.
constexpr std::string_view kGetSmpProcessorId = R"(
  { movs r0, cpu_id ; ret }
)";

// bpf_get_prandom_u32: xorshift64* on the state word in firmware data memory, the same
// generator as the host runtime (ebpf/runtime), so a NIC and a host run draw the same numbers.
constexpr std::string_view kGetPrandomU32 = R"(
  mov r1, 0x70000000
  ld8 r0, [r1+0]
  rsh r2, r0, 12
  xor r0, r0, r2
  lsh r2, r0, 25
  xor r0, r0, r2
  rsh r2, r0, 27
  xor r0, r0, r2
  { st8 [r1+0], r0 ; mul r0, r0, =0x2545f4914f6cdd1d }
  { rsh r0, r0, 32 ; ret }
)";

constexpr std::array<Routine, 3> kRoutines = {{
    {5, "ktime_get_ns", kKtimeGetNs},
    {7, "get_prandom_u32", kGetPrandomU32},
    {8, "get_smp_processor_id", kGetSmpProcessorId},
}};

// Splits one bundle into consecutive bundles that each fit the core; throws if executing its
// slots one after another would not mean what executing them together does.
void split_bundle(const Routine& routine, const std::vector<Slot>& bundle, int lanes,
                  int memory_ports, std::vector<std::vector<Slot>>& out) {
  uint16_t written_before = 0;
  bool stored_before = false;
  for (size_t i = 0; i < bundle.size(); ++i) {
    const Slot& s = bundle[i];
    if (registers_read(s) & written_before)
      throw Error(fmt::format("routine {}: a bundle reads a register an earlier lane writes",
                              routine.name));
    if (is_memory_op(s) && stored_before)
      throw Error(fmt::format("routine {}: a bundle accesses memory after a store", routine.name));
    if (is_control_op(s) && i + 1 != bundle.size())
      throw Error(fmt::format("routine {}: control operation before the last lane", routine.name));
    written_before |= registers_written(s);
    stored_before |= s.op == OpClass::Store || s.op == OpClass::Atomic;
  }
  std::vector<Slot> current;
  for (const Slot& s : bundle) {
    std::vector<Slot> candidate = current;
    candidate.push_back(s);
    while (candidate.size() < static_cast<size_t>(lanes))
      candidate.push_back(make_nop());
    if (static_cast<int>(current.size()) == lanes ||
        !check_bundle(candidate, memory_ports).empty()) {
      out.push_back(current);
      current.clear();
    }
    current.push_back(s);
  }
  if (!current.empty()) out.push_back(current);
}

}  // namespace

std::span<const Routine> firmware_routines() {
  return kRoutines;
}

const Routine* find_routine(int32_t helper_id) {
  for (const auto& routine : kRoutines) {
    if (routine.helper_id == helper_id) return &routine;
  }
  return nullptr;
}

std::vector<std::vector<Slot>> assemble_routine(const Routine& routine, int lanes, int memory_ports,
                                                uint32_t base_address,
                                                std::vector<uint64_t>& pool) {
  AsmOptions options;
  options.base_address = base_address;
  options.constants = pool;
  AssembledCode code = assemble_nic(routine.source, options);
  std::vector<std::vector<Slot>> bundles;
  for (const auto& bundle : code.bundles)
    split_bundle(routine, bundle, lanes, memory_ports, bundles);
  for (auto& bundle : bundles) {
    for (Slot& s : bundle) {
      if ((s.op == OpClass::Branch && !s.targets_exit_vector()) || s.op == OpClass::CallF)
        throw Error(fmt::format("routine {}: routines may not branch or call", routine.name));
    }
    bundle.resize(static_cast<size_t>(lanes), make_nop());
    if (std::string error = check_bundle(bundle, memory_ports); !error.empty())
      throw Error(fmt::format("routine {}: {}", routine.name, error));
  }
  pool = std::move(code.constants);
  return bundles;
}

}  // namespace nicsim::firmware
