#include "jit/common/verified_facts.h"

#include <algorithm>

#include "ebpf/isa/opcodes.h"

namespace nicsim::jit {

namespace {

bool is_memory_access(const ebpf::Instruction& insn) {
  return insn.cls() == ebpf::kClassLdx || insn.cls() == ebpf::kClassSt ||
         insn.cls() == ebpf::kClassStx;
}

// The base of an access the verifier accepted, and whether a plain machine access is safe.
InstructionFacts access_facts(verifier::AccessBase base, bool xdp) {
  InstructionFacts fact;
  switch (base) {
    case verifier::AccessBase::Stack:
      fact.base = PointerKind::Stack;
      break;
    case verifier::AccessBase::Packet:
      fact.base = PointerKind::Packet;
      break;
    case verifier::AccessBase::MapValue:
      fact.base = PointerKind::MapValue;
      break;
    case verifier::AccessBase::Memory:
      fact.base = PointerKind::Other;
      break;
    case verifier::AccessBase::Context:
      if (!xdp) return fact;  // run_raw hands other program types raw memory as the context
      fact.base = PointerKind::Context;
      break;
    default:  // kernel objects, or kinds that differ between paths: checked at run time
      return fact;
  }
  fact.access_safe = true;
  return fact;
}

bool same_instructions(const std::vector<ebpf::Instruction>& a,
                       const std::vector<ebpf::Instruction>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const ebpf::Instruction& x, const ebpf::Instruction& y) {
                      return x.opcode == y.opcode && x.regs == y.regs && x.offset == y.offset &&
                             x.imm == y.imm;
                    });
}

}  // namespace

ProgramFacts facts_from_verifier(const verifier::VerifiedProgram& verified) {
  const verifier::ProgramFacts& in = verified.facts();
  const auto& insns = verified.program().insns;
  const bool xdp = verified.program_type() == ebpf::ProgramType::Xdp;
  ProgramFacts out;
  out.insns.resize(insns.size());
  for (size_t i = 0; i < insns.size() && i < in.size(); ++i) {
    const verifier::InstructionFacts& fact = in.at(i);
    InstructionFacts& f = out.insns[i];
    if (is_memory_access(insns[i]) && !fact.second_slot) f = access_facts(fact.access_base, xdp);
    // The second slot of an lddw is part of the first: it is reached exactly when that is.
    f.reachable = fact.second_slot && i > 0 ? out.insns[i - 1].reachable : fact.reachable;
    if (fact.branch_always_taken)
      f.branch = *fact.branch_always_taken ? BranchOutcome::AlwaysTaken : BranchOutcome::NeverTaken;
    // Only the liveness-based fact: the verifier's upper_half_zero_before is derived from the
    // register values of the states it explored, and a state pruned as equivalent (its
    // registers imprecise) may hold a value with a non-zero upper half; the differential
    // fuzzer found such a program (seed 108733).
    f.zero_extension_redundant = fact.zero_extension_redundant;
    if (fact.helper_map) f.helper_map = *fact.helper_map;
    if (fact.lookup_key) f.lookup_key = U32Range{fact.lookup_key->min, fact.lookup_key->max};
  }
  out.reads_only_written_stack = in.reads_only_written_stack();
  return out;
}

const ebpf::Program& program_in_runtime(const verifier::VerifiedProgram& verified,
                                        const ebpf::Runtime& runtime) {
  const ebpf::Program& wanted = verified.program();
  for (const ebpf::Program& program : runtime.object().programs) {
    if (program.section == wanted.section && program.function == wanted.function &&
        same_instructions(program.insns, wanted.insns))
      return program;
  }
  return wanted;
}

std::unique_ptr<JitEngine> make_verified_engine(std::unique_ptr<JitBackend> backend,
                                                const verifier::VerifiedProgram& verified,
                                                ebpf::Runtime& runtime, JitOptions options) {
  options.mode = SafetyMode::Verified;
  const ProgramFacts facts = facts_from_verifier(verified);
  return std::make_unique<JitEngine>(std::move(backend), program_in_runtime(verified, runtime),
                                     runtime, options, &facts);
}

}  // namespace nicsim::jit
