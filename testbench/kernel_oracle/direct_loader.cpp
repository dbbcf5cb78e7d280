// The Direct path: what a loader without libbpf does. Maps come from nicsim's
// MapDefinitions (the object's declared geometry), instructions from nicsim's Program (already
// relocated: lddw src=1/2 imm=<map index>), with each map index replaced by the kernel map's
// fd. No BTF reaches the kernel, so programs that need it (global functions, spin locks,
// kfuncs) are refused here where libbpf would have passed it.

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fmt/format.h>
#include <linux/bpf.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <set>

#include "ebpf/isa/opcodes.h"
#include "testbench/kernel_oracle/kernel_resources.h"

namespace nicsim::kernel_oracle::detail {
namespace {

bool refers_to_map(const ebpf::Instruction& insn) {
  if (!insn.is_lddw()) return false;
  const uint8_t src = insn.src();
  return src == ebpf::kLddwMapFd || src == ebpf::kLddwMapValue || src == ebpf::kLddwMapIdx ||
         src == ebpf::kLddwMapIdxValue;
}

// The maps the program's instructions name, and the inner-map templates those need.
std::set<size_t> maps_used(const ebpf::ElfObject& object, const ebpf::Program& program) {
  std::set<size_t> used;
  for (size_t i = 0; i < program.insns.size(); ++i) {
    const ebpf::Instruction& insn = program.insns[i];
    if (refers_to_map(insn)) used.insert(static_cast<uint32_t>(insn.imm));
    if (insn.is_lddw()) ++i;
  }
  std::set<size_t> with_inner = used;
  for (size_t index : used) {
    if (index < object.maps.size() && object.maps[index].inner_map_index >= 0) {
      with_inner.insert(static_cast<size_t>(object.maps[index].inner_map_index));
    }
  }
  return with_inner;
}

std::string describe(const ebpf::MapDefinition& def) {
  return fmt::format("map '{}' ({}, key {}, value {}, max_entries {}, flags {:#x})", def.name,
                     ebpf::map_type_name(def.type), def.key_size, def.value_size, def.max_entries,
                     def.flags);
}

struct MapCreation {
  int fd = -1;
  std::string error;
  std::string note;
};

// A map declared with max_entries 0 is sized by its loader at load time: libbpf gives a perf
// event array one slot per possible CPU, Falco's loader does the same for its per-CPU scratch
// arrays. The kernel refuses 0, and the verdict does not depend on the size, so such maps get
// one entry per possible CPU.
uint32_t kernel_max_entries(const ebpf::MapDefinition& def) {
  if (def.max_entries != 0 || def.type == ebpf::MapType::Ringbuf) return def.max_entries;
  const int cpus = libbpf_num_possible_cpus();
  return cpus > 0 ? static_cast<uint32_t>(cpus) : 1;
}

MapCreation create_map(const ebpf::MapDefinition& def, int inner_fd) {
  const uint32_t max_entries = kernel_max_entries(def);
  std::string note;
  if (max_entries != def.max_entries) {
    note = fmt::format("map '{}' declares max_entries 0: created with {} (one per possible CPU)",
                       def.name, max_entries);
  }
  bpf_map_create_opts create_options{};
  create_options.sz = sizeof create_options;
  create_options.map_flags = def.flags;
  if (inner_fd >= 0) create_options.inner_map_fd = static_cast<uint32_t>(inner_fd);
  const std::string name = kernel_object_name(def.name);
  const int fd = bpf_map_create(static_cast<bpf_map_type>(def.type), name.c_str(), def.key_size,
                                def.value_size, max_entries, &create_options);
  if (fd < 0) {
    const int error = errno;
    return {-1, fmt::format("{}: bpf_map_create failed: {}", describe(def), std::strerror(error)),
            ""};
  }
  // Global data: the initial contents, frozen for .rodata so that the verifier may read
  // them as constants (libbpf does the same).
  if (!def.initial_value.empty()) {
    const uint32_t zero = 0;
    if (bpf_map_update_elem(fd, &zero, def.initial_value.data(), BPF_ANY) != 0) {
      const int error = errno;
      close(fd);
      return {-1,
              fmt::format("{}: writing its initial value failed: {}", describe(def),
                          std::strerror(error)),
              ""};
    }
  }
  if (def.read_only() && bpf_map_freeze(fd) != 0) {
    const int error = errno;
    close(fd);
    return {-1, fmt::format("{}: bpf_map_freeze failed: {}", describe(def), std::strerror(error)),
            ""};
  }
  return {fd, "", note};
}

// Creates the maps in `used` (inner templates first) into resources.map_fds; an error message
// when one cannot be created.
std::optional<std::string> create_maps(const ebpf::ElfObject& object, const std::set<size_t>& used,
                                       KernelProgram::Resources& resources,
                                       std::vector<std::string>& notes) {
  resources.map_fds.assign(object.maps.size(), -1);
  for (size_t index : used) {
    if (index >= object.maps.size()) {
      return fmt::format("an instruction names map {} but the object has {} maps", index,
                         object.maps.size());
    }
  }
  // Templates before the maps of maps that need them.
  for (int pass = 0; pass < 2; ++pass) {
    for (size_t index : used) {
      const ebpf::MapDefinition& def = object.maps[index];
      const bool outer = def.inner_map_index >= 0;
      if (outer != (pass == 1) || resources.map_fds[index] >= 0) continue;
      int inner_fd = -1;
      if (outer) {
        const auto inner = static_cast<size_t>(def.inner_map_index);
        if (inner >= object.maps.size()) {
          return fmt::format("{}: its inner map {} is not one of the object's {} maps",
                             describe(def), inner, object.maps.size());
        }
        inner_fd = resources.map_fds[inner];
        if (inner_fd < 0) {
          return fmt::format("{}: its inner map {} could not be created first", describe(def),
                             def.inner_map_index);
        }
      }
      MapCreation created = create_map(def, inner_fd);
      if (created.fd < 0) return created.error;
      if (!created.note.empty()) notes.push_back(created.note);
      resources.map_fds[index] = created.fd;
    }
  }
  return std::nullopt;
}

std::vector<bpf_insn> kernel_instructions(const ebpf::Program& program,
                                          const std::vector<int>& map_fds) {
  std::vector<bpf_insn> insns(program.insns.size());
  static_assert(sizeof(bpf_insn) == sizeof(ebpf::Instruction));
  std::memcpy(insns.data(), program.insns.data(), insns.size() * sizeof(bpf_insn));
  for (size_t i = 0; i < insns.size(); ++i) {
    const ebpf::Instruction& insn = program.insns[i];
    if (!refers_to_map(insn)) continue;
    const uint8_t src = insn.src();
    const bool value = src == ebpf::kLddwMapValue || src == ebpf::kLddwMapIdxValue;
    insns[i].src_reg = value ? BPF_PSEUDO_MAP_VALUE : BPF_PSEUDO_MAP_FD;
    insns[i].imm = map_fds.at(static_cast<uint32_t>(insn.imm));
  }
  return insns;
}

}  // namespace

void load_direct(const LoadRequest& request, KernelLoadResult& result,
                 KernelProgram::Resources& resources) {
  result.loader = KernelLoader::Direct;
  if (auto error = create_maps(request.object, maps_used(request.object, request.program),
                               resources, result.notes)) {
    result.verdict = KernelVerdict::NotLoaded;
    result.setup_error = *error;
    return;
  }
  const std::vector<bpf_insn> insns = kernel_instructions(request.program, resources.map_fds);
  const std::string name = kernel_object_name(request.program.function);
  std::string license = request.object.license;
  if (license.empty() && !request.options.license_if_missing.empty()) {
    license = request.options.license_if_missing;
    result.notes.push_back(
        fmt::format("the object declares no license: loaded with license \"{}\"", license));
  }
  const auto type = static_cast<bpf_prog_type>(request.type);
  const AttemptOutcome outcome =
      load_with_growing_log(request.options, [&](uint32_t level, char* log, size_t size) {
        bpf_prog_load_opts load_options{};
        load_options.sz = sizeof load_options;
        load_options.log_level = level;
        load_options.log_size = static_cast<uint32_t>(size);
        load_options.log_buf = log;
        const int fd = bpf_prog_load(type, name.c_str(), license.c_str(), insns.data(),
                                     insns.size(), &load_options);
        return fd >= 0 ? fd : -errno;
      });
  resources.program_fd = outcome.fd;
  record_outcome(outcome, result);
}

}  // namespace nicsim::kernel_oracle::detail
