#pragma once
// Errors of the JIT compilers: a program they cannot compile (unsupported instruction, unknown
// helper, bad map reference) or an internal limit (code too large). Always a nicsim::Error so
// that callers report it like any other bad input.

#include <string>

#include "ebpf/util/error.h"

namespace nicsim::jit {

class JitError : public Error {
 public:
  explicit JitError(const std::string& message) : Error(message) {}
};

}  // namespace nicsim::jit
