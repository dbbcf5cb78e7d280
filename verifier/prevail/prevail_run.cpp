#include "verifier/prevail/prevail_run.h"

#include <fmt/format.h>

#include <algorithm>

#include "verifier/analysis/run.h"
#include "verifier/prevail/prevail_asm.h"
#include "verifier/prevail/prevail_pre.h"

namespace nicsim::verifier::prevail {

namespace {

// PREVAIL's test program type: a 64-byte context whose first two 4-byte fields are the
// packet's data and data_end pointers; every other field is a readable, writable number.
// Every helper with a prototype may be called.
class TestProgramType : public ProgramTypeRules {
 public:
  ProgramType type() const override { return ProgramType::Unspec; }
  std::string_view name() const override { return "prevail_test"; }
  uint32_t context_size() const override { return 64; }
  std::optional<CtxAccess> context_access(int64_t off, int size, bool write,
                                          bool sign_extending) const override {
    if (off < 0 || off + size > 64) return std::nullopt;
    if (off < 8) {
      if (write) return std::nullopt;  // the pointer fields are read-only
      if ((off == 0 || off == 4) && size == 4 && !sign_extending) {
        return CtxAccess{off == 0 ? CtxValue::Packet : CtxValue::PacketEnd, 4};
      }
      return CtxAccess{CtxValue::Unusable, static_cast<uint8_t>(size)};
    }
    return CtxAccess{CtxValue::Scalar, static_cast<uint8_t>(size)};
  }
  bool helper_allowed(int32_t id) const override { return linux_platform().helper(id) != nullptr; }
  bool packet_readable() const override { return true; }
  bool packet_writable() const override { return true; }
  bool legacy_packet_loads() const override { return true; }
  std::optional<std::pair<int64_t, int64_t>> return_range() const override { return std::nullopt; }
};

bool has_option(const PrevailCase& c, std::string_view option) {
  return std::find(c.options.begin(), c.options.end(), option) != c.options.end();
}

}  // namespace

CaseOutcome run_case(const PrevailCase& c) {
  CaseOutcome outcome;
  outcome.expected_refusal = c.expects_refusal();
  if (!c.malformed.empty()) {
    outcome.nicsim_refusal = true;
    outcome.detail = "malformed case: " + c.malformed;
    return outcome;
  }
  AssembledCase code;
  EntrySetup setup;
  try {
    code = assemble_case(c);
    setup = entry_states(c, code);
  } catch (const std::exception& e) {
    outcome.unsupported = true;
    outcome.nicsim_refusal = true;
    outcome.detail = fmt::format("not translated: {}", e.what());
    return outcome;
  }
  VerifierOptions options;
  options.fragment = true;
  options.allow_division_by_zero = !has_option(c, "!allow_division_by_zero");
  static const TestProgramType test_type;

  bool exit_reachable = false;
  std::vector<uint8_t> reached(code.insns.size(), 0);
  std::vector<uint8_t> taken(code.insns.size(), 0);
  std::vector<uint8_t> fallthrough(code.insns.size(), 0);
  for (const VerifierState& entry : setup.alternatives) {
    RunInput input;
    input.insns = code.insns;
    input.maps = &setup.maps;
    input.functions = &code.functions;
    input.type = &test_type;
    input.platform = &linux_platform();
    input.entry = [&entry] { return entry; };
    input.assumptions = &code.assumptions;
    input.fragment_end = code.end;
    const VerificationResult r = run_verifier(input, options);
    if (!r.accepted) {
      outcome.nicsim_refusal = true;
      outcome.detail = r.error->to_string();
      return outcome;
    }
    exit_reachable = exit_reachable || r.exit_reachable;
    for (size_t i = 0; i < code.insns.size(); ++i) {
      const InstructionFacts& f = r.facts.at(i);
      if (!f.reachable) continue;
      reached[i] = 1;
      const bool is_assumption = code.assumptions.count(static_cast<int32_t>(i)) != 0;
      if (is_assumption) {
        if (f.branch_always_taken == true) taken[i] = 1;
        fallthrough[i] = 1;
      } else if (!f.branch_always_taken.has_value()) {
        taken[i] = fallthrough[i] = 1;
      } else if (*f.branch_always_taken) {
        taken[i] = 1;
      } else {
        fallthrough[i] = 1;
      }
    }
  }
  if (!exit_reachable) {
    outcome.nicsim_refusal = true;
    outcome.detail = "no path reaches the end";
    return outcome;
  }
  for (size_t i = 0; i < code.insns.size(); ++i) {
    const ebpf::Instruction& insn = code.insns[i];
    // A jump to the next instruction has no dead side.
    const bool conditional =
        (insn.is_branch() && !insn.is_unconditional_jump() && insn.branch_offset() != 0) ||
        code.assumptions.count(static_cast<int32_t>(i)) != 0;
    if (!reached[i] || !conditional || (taken[i] && fallthrough[i])) continue;
    outcome.nicsim_refusal = true;
    outcome.detail = fmt::format("insn {}: code becomes unreachable ({} never holds)", i,
                                 taken[i] ? "the fall-through" : "the condition");
    return outcome;
  }
  return outcome;
}

}  // namespace nicsim::verifier::prevail
