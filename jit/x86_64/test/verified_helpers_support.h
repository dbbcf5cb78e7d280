#pragma once
// Shared by the tests of verified code's helper calls: XDP objects assembled from text with
// their maps, and the verifier-accepted program on the x86-64 JIT against the interpreter.

#include <string>
#include <utility>
#include <vector>

#include "ebpf/asm/assembler.h"
#include "jit/x86_64/test/jit_test_support.h"
#include "jit/x86_64/x86_disassembler.h"
#include "verifier/test/verify_util.h"
#include "verifier/verifier.h"

namespace nicsim::jit::test {

inline ebpf::MapDefinition map_definition(const char* name, ebpf::MapType type, uint32_t key_size,
                                          uint32_t value_size, uint32_t max_entries) {
  return verifier::testing::map_of(type, name, key_size, value_size, max_entries);
}

inline ebpf::ElfObject xdp_object(const std::string& source,
                                  std::vector<ebpf::MapDefinition> maps = {}) {
  ebpf::ElfObject object =
      ebpf::make_single_program_object(ebpf::assemble(source), ebpf::ProgramType::Xdp, "xdp");
  object.maps = std::move(maps);
  return object;
}

inline EngineFactory verified_x86() {
  return [](const ebpf::Program& program, ebpf::Runtime& runtime) -> std::unique_ptr<ebpf::Engine> {
    return make_x86_64_engine(verifier::verify_program(runtime.object(), program), runtime);
  };
}

// The Runtime prepared (routes, map entries) before each engine is built.
using RuntimeSetup = std::function<void(ebpf::Runtime&)>;

inline EngineFactory with_setup(EngineFactory factory, RuntimeSetup setup) {
  return [factory = std::move(factory), setup = std::move(setup)](const ebpf::Program& program,
                                                                  ebpf::Runtime& runtime) {
    setup(runtime);
    return factory(program, runtime);
  };
}

inline DifferentialReport against_interpreter(
    const ebpf::ElfObject& object, const std::vector<DifferentialInput>& inputs,
    ebpf::RuntimeConfig config = {}, const RuntimeSetup& setup = [](ebpf::Runtime&) {}) {
  DifferentialOptions options;
  options.runtime = config;
  options.compare_instruction_counts = false;  // verified code does not count instructions
  return compare_engines(object, 0, inputs, with_setup(interpreter_factory(), setup),
                         with_setup(verified_x86(), setup), options);
}

// The disassembly listing of `object`'s verified program.
inline std::string verified_listing(const ebpf::ElfObject& object) {
  ebpf::Runtime runtime(object);
  const auto engine =
      make_x86_64_engine(verifier::verify_program(object, object.programs[0]), runtime);
  return disassemble_x86_64(engine->entry());
}

// Native calls in the verified code of `object`'s program, besides the entry trampoline's.
inline size_t calls_in_verified_code(const ebpf::ElfObject& object) {
  const std::string listing = verified_listing(object);
  // Machine instructions are listed as "  <offset>:  <mnemonic> ..." (eBPF ones after ';');
  // only the instructions' own code counts, not the prologue (which calls the body when the
  // program is not entered directly) nor the stubs and thunks after it.
  const size_t begin = listing.find("\n;    0: ");
  const size_t end = listing.find("; cold paths and stubs");
  size_t calls = 0;
  for (size_t at = listing.find(":  call ", begin); at < end; at = listing.find(":  call ", at + 1))
    ++calls;
  return calls;
}

// The listing of the verified code's cold paths, stubs and helper thunks.
inline std::string verified_stubs(const ebpf::ElfObject& object) {
  const std::string listing = verified_listing(object);
  const size_t begin = listing.find("; cold paths and stubs");
  return begin == std::string::npos ? "" : listing.substr(begin);
}

// The native code before instruction 0 of `object`'s verified program, as the listing shows it.
inline std::string verified_prologue(const ebpf::ElfObject& object) {
  const std::string listing = verified_listing(object);
  const size_t begin = listing.find("; prologue");
  const size_t end = listing.find(";    0:");
  if (begin == std::string::npos || end == std::string::npos) return "";
  return listing.substr(begin, end - begin);
}

}  // namespace nicsim::jit::test
