#include "ebpf/interp/program_cache.h"

#include <fmt/format.h>

#include <cerrno>
#include <exception>

#include "ebpf/isa/opcodes.h"
#include "ebpf/maps/prog_array_map.h"

namespace nicsim::ebpf::interp {

ProgramCache::ProgramCache(const Program& entry, Runtime& runtime)
    : runtime_(runtime), decoded_(runtime.object().programs.size()) {
  auto decoded = decode_program(entry, runtime);
  entry_ = decoded.get();
  if (decoded->object_index >= 0) {
    decoded_[static_cast<size_t>(decoded->object_index)] = std::move(decoded);
  } else {
    standalone_entry_ = std::move(decoded);
  }
}

const DecodedProgram* ProgramCache::program_at(size_t object_index, std::string& fault) {
  auto& slot = decoded_.at(object_index);
  if (slot == nullptr) {
    const Program& program = runtime_.object().programs[object_index];
    try {
      slot = decode_program(program, runtime_);
    } catch (const std::exception& e) {
      fault = fmt::format("tail call to '{}', which nicsim cannot run: {}", program.display_name(),
                          e.what());
      return nullptr;
    }
  }
  return slot.get();
}

bool ProgramCache::resolve_tail_call(uint64_t map_pointer, uint64_t index, uint32_t tail_calls_done,
                                     TailCallOutcome& outcome, std::string& fault) {
  outcome = TailCallOutcome{};
  const Map* map = runtime_.map_from_pointer(map_pointer);
  const auto* prog_array = dynamic_cast<const ProgArrayMap*>(map);
  if (prog_array == nullptr) {
    fault = fmt::format("helper tail_call: r2 = {:#x} is not a prog_array map", map_pointer);
    return false;
  }
  // The kernel's order of checks (bpf_tail_call): index, then the limit, then an empty slot;
  // each makes the call fall through to the next instruction. The errno is nicsim's choice
  // (the kernel leaves r0 unspecified), so that tests can tell the cases apart.
  const uint32_t key = static_cast<uint32_t>(index);
  if (key >= prog_array->def().max_entries) {
    outcome.error = -ENOENT;
    return true;
  }
  if (tail_calls_done >= kMaxTailCalls) {
    outcome.error = -E2BIG;
    return true;
  }
  const std::optional<uint32_t> program = prog_array->program_at(key);
  if (!program || *program >= decoded_.size()) {
    outcome.error = -ENOENT;
    return true;
  }
  outcome.target = program_at(*program, fault);
  return outcome.target != nullptr;
}

}  // namespace nicsim::ebpf::interp
