#pragma once
// Verifying small hand-written programs in tests.

#include <string>
#include <string_view>
#include <vector>

#include "ebpf/asm/assembler.h"
#include "ebpf/program/program.h"
#include "verifier/verifier.h"

namespace nicsim::verifier::testing {

inline ebpf::MapDefinition array_map(std::string name, uint32_t value_size,
                                     uint32_t max_entries = 1) {
  ebpf::MapDefinition m;
  m.name = std::move(name);
  m.type = ebpf::MapType::Array;
  m.key_size = 4;
  m.value_size = value_size;
  m.max_entries = max_entries;
  return m;
}

inline ebpf::MapDefinition map_of(ebpf::MapType type, std::string name, uint32_t key_size,
                                  uint32_t value_size, uint32_t max_entries = 16) {
  ebpf::MapDefinition m;
  m.name = std::move(name);
  m.type = type;
  m.key_size = key_size;
  m.value_size = value_size;
  m.max_entries = max_entries;
  return m;
}

inline ebpf::ElfObject object_of(std::string_view source, ebpf::ProgramType type,
                                 std::vector<ebpf::MapDefinition> maps = {}) {
  ebpf::ElfObject object =
      ebpf::make_single_program_object(ebpf::assemble(source, ebpf::AsmSyntax::PseudoC), type);
  object.maps = std::move(maps);
  return object;
}

inline VerificationResult verify_source(std::string_view source,
                                        ebpf::ProgramType type = ebpf::ProgramType::Xdp,
                                        std::vector<ebpf::MapDefinition> maps = {},
                                        VerifierOptions options = {}) {
  const ebpf::ElfObject object = object_of(source, type, std::move(maps));
  return verify(object, object.programs.front(), options);
}

// Concatenation (avoids a GCC 12 -Wrestrict false positive on std::string operator+).
template <typename... Parts>
std::string join(const Parts&... parts) {
  std::string out;
  (out.append(std::string_view(parts)), ...);
  return out;
}

// "" when accepted, else "insn N: message".
inline std::string verdict(const VerificationResult& r) {
  return r.accepted ? std::string() : r.error->to_string();
}

}  // namespace nicsim::verifier::testing
