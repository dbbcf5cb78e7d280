// Calls to global functions and their exits, as the kernel checks them
// (btf_check_subprog_call, and a subprogram's return): the caller's arguments must match
// the callee's BTF prototype, the callee (verified on its own) returns some number.
#include <fmt/format.h>

#include <set>

#include "verifier/analysis/machine.h"

namespace nicsim::verifier {

using namespace ebpf;

void Machine::global_call(VerifierState& s, int32_t insn, const GlobalFunction& callee,
                          int32_t target) {
  if (!callee.unsupported.empty()) fail(insn, callee.unsupported);
  for (size_t k = 0; k < callee.arguments.size(); ++k) {
    const int regno = static_cast<int>(k) + 1;
    const RegisterState reg = use(s, insn, regno);
    const GlobalArgument& arg = callee.arguments[k];
    switch (arg.kind) {
      case GlobalArgument::Kind::Scalar:
        if (!reg.is_scalar()) fail(insn, fmt::format("R{} is not a scalar", regno));
        break;
      case GlobalArgument::Kind::Context:
        if (reg.type != RegType::Ctx || reg.maybe_null) {
          fail(insn, fmt::format("arg#{} expects pointer to ctx", k));
        }
        if (reg.off != 0 || !reg.value.is_const() || reg.value.const_value() != 0) {
          fail(insn, fmt::format("dereference of modified ctx ptr R{} off={} disallowed", regno,
                                 reg.off));
        }
        break;
      case GlobalArgument::Kind::Memory: {
        // NULL, or memory the callee may read and write; a pointer that may be NULL can be
        // passed on, since the callee has to check it anyway.
        if (reg.is_scalar() && reg.value.is_const() && reg.value.const_value() == 0) break;
        RegisterState memory = reg;
        memory.maybe_null = false;
        check_helper_memory(s, insn, regno, memory, arg.size, false, false);
        check_helper_memory(s, insn, regno, memory, arg.size, true, false);
        break;
      }
      case GlobalArgument::Kind::Unsupported:
        fail(insn, arg.description);
    }
  }
  for (int r = 0; r <= 5; ++r)
    define(s, insn, r) = RegisterState{};
  define(s, insn, 0) = RegisterState::unknown_scalar();
  if (function_changes_packet(target)) invalidate_packet_pointers(s, insn);
}

void Machine::global_exit(VerifierState& s, int32_t insn) {
  const RegisterState r0 = use(s, insn, 0);
  if (!r0.is_scalar()) {
    fail(insn, fmt::format("At subprogram exit the register R0 is not a scalar value ({})",
                           type_string(r0)));
  }
  if (!s.refs.empty()) {
    fail(insn, fmt::format("Unreleased reference id={} alloc_insn={}", s.refs.front().id,
                           s.refs.front().insn));
  }
}

// Whether the function starting at `start`, or one it calls, may move the packet (a helper
// such as bpf_xdp_adjust_head): the caller's packet pointers are then stale after the call.
bool Machine::function_changes_packet(int32_t start) const {
  std::set<int32_t> seen;
  std::vector<int32_t> todo = {start};
  while (!todo.empty()) {
    const int32_t entry = todo.back();
    todo.pop_back();
    if (!seen.insert(entry).second) continue;
    const Function& f = ctx_.cfg.functions()[ctx_.cfg.function_of(entry)];
    for (int32_t i = f.start; i < f.end; ++i) {
      const Instruction& in = ctx_.insns[i];
      if (in.is_helper_call()) {
        const HelperPrototype* proto = ctx_.platform.helper(in.imm);
        if (proto == nullptr || proto->changes_packet) return true;
      } else if (in.is_local_call() || in.is_callx()) {
        if (in.is_callx()) return true;
        todo.push_back(i + in.imm + 1);
      }
      if (in.is_lddw()) ++i;
    }
  }
  return false;
}

}  // namespace nicsim::verifier
