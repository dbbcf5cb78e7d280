#pragma once
// What the ELF loader produces and every later stage consumes: the programs of one object,
// their instructions (map references already resolved), the maps they share and the source
// location of each instruction from BTF line info.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ebpf/isa/instruction.h"
#include "ebpf/maps/map_flags.h"

namespace nicsim::ebpf {

// Kernel numbering (enum bpf_prog_type in linux/bpf.h).
enum class ProgramType : uint32_t {
  Unspec = 0,
  SocketFilter = 1,
  Kprobe = 2,
  SchedCls = 3,
  SchedAct = 4,
  Tracepoint = 5,
  Xdp = 6,
  PerfEvent = 7,
  CgroupSkb = 8,
  CgroupSock = 9,
  LwtIn = 10,
  LwtOut = 11,
  LwtXmit = 12,
  SockOps = 13,
  SkSkb = 14,
  CgroupDevice = 15,
  SkMsg = 16,
  RawTracepoint = 17,
  CgroupSockAddr = 18,
  LwtSeg6local = 19,
  LircMode2 = 20,
  SkReuseport = 21,
  FlowDissector = 22,
  CgroupSysctl = 23,
  RawTracepointWritable = 24,
  CgroupSockopt = 25,
  Tracing = 26,
  StructOps = 27,
  Ext = 28,
  Lsm = 29,
  SkLookup = 30,
  Syscall = 31,
  Netfilter = 32,
};

// Kernel numbering (enum bpf_map_type in linux/bpf.h).
enum class MapType : uint32_t {
  Unspec = 0,
  Hash = 1,
  Array = 2,
  ProgArray = 3,
  PerfEventArray = 4,
  PercpuHash = 5,
  PercpuArray = 6,
  StackTrace = 7,
  CgroupArray = 8,
  LruHash = 9,
  LruPercpuHash = 10,
  LpmTrie = 11,
  ArrayOfMaps = 12,
  HashOfMaps = 13,
  Devmap = 14,
  Sockmap = 15,
  Cpumap = 16,
  Xskmap = 17,
  Sockhash = 18,
  CgroupStorage = 19,
  ReuseportSockarray = 20,
  PercpuCgroupStorage = 21,
  Queue = 22,
  Stack = 23,
  SkStorage = 24,
  DevmapHash = 25,
  StructOps = 26,
  Ringbuf = 27,
  InodeStorage = 28,
  TaskStorage = 29,
  BloomFilter = 30,
  UserRingbuf = 31,
  CgrpStorage = 32,
  Arena = 33,
};
constexpr uint32_t kMaxKnownMapType = 33;

std::string_view program_type_name(ProgramType type);  // "xdp", "sched_cls", ...
std::string_view map_type_name(MapType type);          // "hash", "lru_hash", ...
// Program type implied by a libbpf SEC() name ("xdp", "xdp/foo", "tc", "kprobe/sys_x", ...);
// Unspec when the name implies none.
ProgramType program_type_from_section(std::string_view section);

// How the map came to be: declared by the program, or synthesised from a global data section.
enum class MapOrigin { Declared, Data, Rodata, Bss, Kconfig };

struct MapDefinition {
  std::string name;
  MapType type = MapType::Unspec;
  uint32_t key_size = 0;
  uint32_t value_size = 0;
  uint32_t max_entries = 0;
  uint32_t flags = 0;
  uint32_t pinning = 0;
  int32_t inner_map_index = -1;  // map-in-map: index of the inner map's template definition
  MapOrigin origin = MapOrigin::Declared;
  // Global data maps: the initial contents of their single value (size value_size).
  std::vector<uint8_t> initial_value;
  // BTF `.values = {...}` initialisers: slot -> name of a program (prog_array) or map.
  std::vector<std::pair<uint32_t, std::string>> initial_slots;
  // Frozen global data: its contents are known when the program is loaded.
  bool read_only() const { return origin == MapOrigin::Rodata || origin == MapOrigin::Kconfig; }
  // Values a program may read but not write: frozen global data, BPF_F_RDONLY_PROG maps, and
  // devmaps and xskmaps (the kernel marks them BPF_F_RDONLY_PROG itself).
  bool program_read_only() const {
    return read_only() || (flags & kMapFlagReadOnlyProg) != 0 || type == MapType::Devmap ||
           type == MapType::DevmapHash || type == MapType::Xskmap;
  }
};

struct SourceLocation {
  std::string file;
  uint32_t line = 0;
  uint32_t column = 0;
  std::string text;  // the source line as recorded in BTF (may be empty)
};

struct Program {
  std::string section;   // ELF section ("xdp", "tc", "kprobe/...")
  std::string function;  // symbol name of the entry function (section name if none)
  ProgramType type = ProgramType::Unspec;
  // Instructions with map/data references rewritten: lddw src=kLddwMapFd imm=<map index>,
  // src=kLddwMapValue imm=<map index>, next imm=<offset>; subprograms appended, local calls
  // and kLddwFunc immediates relative to the final layout.
  std::vector<Instruction> insns;
  // Start instruction -> name of each function (entry first, then appended subprograms).
  std::vector<std::pair<size_t, std::string>> functions;
  // Sorted by instruction; a location applies until the next entry.
  std::vector<std::pair<size_t, SourceLocation>> line_info;

  // The BTF source location covering instruction `index`, if any.
  const SourceLocation* location_of(size_t index) const;
  // "section" or "section/function" when they differ; unique within an object.
  std::string display_name() const;
};

struct ElfObject {
  std::string path;
  std::string license;
  std::vector<MapDefinition> maps;
  std::vector<Program> programs;
  // Programs the ELF loader left out because they call a function the object does not define
  // (typically a memset/memcpy that LLVM could not inline), one message each:
  // "<path>: program '<name>': call to undefined function '<f>' (...)".
  std::vector<std::string> skipped_programs;

  // Finds a program by section name, function name or "section/function". Throws nicsim::Error
  // listing the available programs when there is no match or the match is ambiguous.
  const Program& find_program(std::string_view name) const;
  // Index of the map with the given name, or -1.
  int find_map(std::string_view name) const;
};

// An object holding exactly one program and no maps (for assembled test programs).
ElfObject make_single_program_object(std::vector<Instruction> insns,
                                     ProgramType type = ProgramType::Unspec,
                                     std::string name = "prog");

}  // namespace nicsim::ebpf
