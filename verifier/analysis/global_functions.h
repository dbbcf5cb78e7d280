#pragma once
// Global (non-static) bpf-to-bpf functions, as the kernel treats them: BTF says a function's
// linkage is global, so it is verified once, on its own, with arguments typed from its BTF
// prototype, and a call only checks the arguments against that prototype. Static functions
// are verified where they are called, with the caller's arguments.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ebpf/program/program.h"
#include "verifier/state/state.h"

namespace nicsim::verifier {

// What a global function's argument is, from its BTF type (the kernel's
// btf_prepare_func_args): an integer or enum is any number; a pointer to the program type's
// context struct is the context; any other pointer is memory of the pointee's size that
// may be NULL (`int *x`: the function must check x before using it).
struct GlobalArgument {
  enum class Kind { Scalar, Context, Memory, Unsupported };
  Kind kind = Kind::Unsupported;
  uint32_t size = 0;        // Memory: bytes the function may read and write
  std::string description;  // Unsupported: why ("arg#0 reference type('void') ...")
};

struct GlobalFunction {
  std::string name;
  std::vector<GlobalArgument> arguments;
  // Empty when the prototype is supported; else the kernel's reason for refusing it.
  std::string unsupported;
};

// Global functions among `program`'s called functions (not its entry), by first instruction,
// read from the BTF of the object file `object.path`. Empty when the object has no BTF (or
// is not a file): every function is then verified where it is called.
std::map<int32_t, GlobalFunction> read_global_functions(const ebpf::ElfObject& object,
                                                        const ebpf::Program& program,
                                                        ebpf::ProgramType type);

// The state a global function starts in: R1-R5 typed by its prototype (memory arguments
// may be NULL, each with its own id for the NULL check), an empty stack.
VerifierState global_entry_state(const GlobalFunction& function, int32_t function_index);

}  // namespace nicsim::verifier
