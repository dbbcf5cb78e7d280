#include "verifier/verifier.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "ebpf/isa/validate.h"
#include "verifier/analysis/cfg.h"
#include "verifier/analysis/explorer.h"
#include "verifier/analysis/facts_builder.h"
#include "verifier/analysis/global_functions.h"
#include "verifier/analysis/run.h"

namespace nicsim::verifier {

std::string VerificationError::to_string() const {
  std::string out = insn >= 0 ? fmt::format("insn {}: {}", insn, message) : message;
  if (source && !source->file.empty()) {
    out += fmt::format(" ({}:{}", source->file, source->line);
    if (!source->text.empty()) out += fmt::format(": `{}`", source->text);
    out += ")";
  }
  return out;
}

VerificationResult run_verifier(const RunInput& input, const VerifierOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  VerificationResult result;
  result.program_type = input.type->type();
  const auto refuse = [&](int32_t insn, std::string message) {
    result.accepted = false;
    VerificationError error{insn, std::move(message), std::nullopt};
    if (input.program != nullptr && insn >= 0) {
      if (const ebpf::SourceLocation* loc = input.program->location_of(static_cast<size_t>(insn))) {
        error.source = *loc;
      }
    }
    result.error = std::move(error);
  };
  try {
    // The kernel's wording for the one decoding rule it phrases as a verifier rule.
    for (size_t i = 0; i < input.insns.size(); ++i) {
      const ebpf::Instruction& insn = input.insns[i];
      const bool writes_dst = insn.is_alu() || insn.cls() == ebpf::kClassLdx || insn.is_lddw();
      if (writes_dst && insn.dst() == kFramePointer) {
        throw VerifyError(static_cast<int32_t>(i), "frame pointer is read only");
      }
      if (insn.is_lddw()) ++i;
    }
    ebpf::validate_instructions(input.insns);
    CfgOptions cfg_options;
    cfg_options.allow_fall_off_end = options.fragment;
    cfg_options.reject_unreachable = options.reject_unreachable && !options.fragment;
    const ControlFlow cfg = ControlFlow::build(input.insns, *input.functions, cfg_options);
    for (size_t i = 0; i < input.insns.size(); ++i) {
      if (!cfg.reachable(static_cast<int32_t>(i)) && !cfg.is_lddw_tail(static_cast<int32_t>(i))) {
        result.warnings.push_back(fmt::format("unreachable insn {}", i));
      }
    }
    if (!options.allow_loops && !cfg.back_edges().empty()) {
      const auto [from, to] = cfg.back_edges().front();
      throw VerifyError(from, fmt::format("back-edge from insn {} to {}", from, to));
    }
    AnalysisContext ctx{input.insns, *input.maps, *input.type,       *input.platform,
                        cfg,         options,     input.assumptions, input.fragment_end};
    ctx.global_functions = input.global_functions;
    FactsBuilder facts(input.insns.size());
    std::vector<std::string>* log = options.log_states ? &result.log : nullptr;
    const auto add_stats = [&](const ExplorationStats& st) {
      result.stats.instructions_processed += st.instructions_processed;
      result.stats.states_stored += st.states_stored;
      result.stats.peak_states = std::max(result.stats.peak_states, st.peak_states);
      result.stats.states_pruned += st.states_pruned;
    };
    // One exploration from `start`; its loop-head execution counts, and whether it exited.
    const auto explore = [&](const AnalysisContext& context, VerifierState entry, int32_t start) {
      Explorer explorer(context, facts, log);
      try {
        explorer.run(std::move(entry), start);
      } catch (...) {
        add_stats(explorer.stats());
        throw;
      }
      add_stats(explorer.stats());
      return std::pair{explorer.loop_executions(), explorer.stats().exits_reached > 0};
    };
    auto [loops, exited] = explore(ctx, input.entry ? input.entry() : Machine::entry_state(), 0);
    result.exit_reachable = exited;
    // Global functions the program calls: each verified once, on its own, from its
    // prototype (calls only checked the arguments), as the kernel does after the program.
    if (input.global_functions != nullptr) {
      AnalysisContext global_ctx = ctx;
      global_ctx.verifying_global = true;
      for (const auto& [start, function] : *input.global_functions) {
        if (!cfg.reachable(start) || !function.unsupported.empty()) continue;
        if (log != nullptr) {
          log->push_back(
              fmt::format("Validating {}() func#{}...", function.name, cfg.function_of(start)));
        }
        const auto executions =
            explore(global_ctx, global_entry_state(function, cfg.function_of(start)), start).first;
        for (size_t k = 0; k < loops.size() && k < executions.size(); ++k)
          loops[k] = std::max(loops[k], executions[k]);
      }
    }
    result.stats.stack_depth = facts.combined_stack_depth(ctx);
    if (result.stats.stack_depth > static_cast<uint32_t>(kStackBytes)) {
      throw VerifyError(-1, fmt::format("combined stack size of the deepest call chain is {}. "
                                        "Too large",
                                        result.stats.stack_depth));
    }
    result.facts = facts.finish(ctx, loops);
    result.accepted = true;
  } catch (const VerifyError& e) {
    refuse(e.insn(), e.message());
  } catch (const ebpf::DecodeError& e) {
    // The decoder's message starts with its own "insn N: ".
    std::string message = e.what();
    const std::string prefix = fmt::format("insn {}: ", e.index());
    if (message.starts_with(prefix)) message.erase(0, prefix.size());
    refuse(static_cast<int32_t>(e.index()), std::move(message));
  }
  result.stats.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

namespace {

VerificationResult verify_as(const ebpf::ElfObject& object, const ebpf::Program& program,
                             const VerifierOptions& options, ebpf::ProgramType type) {
  const ProgramTypeRules* rules = linux_platform().program_type(type);
  if (rules == nullptr) {
    VerificationResult result;
    result.program_type = type;
    result.error =
        VerificationError{-1,
                          fmt::format("program type {} is not supported by nicsim's verifier",
                                      ebpf::program_type_name(type)),
                          std::nullopt};
    return result;
  }
  RunInput input;
  input.insns = program.insns;
  input.maps = &object.maps;
  input.functions = &program.functions;
  input.type = rules;
  input.platform = &linux_platform();
  input.program = &program;
  const auto globals = read_global_functions(object, program, type);
  if (!globals.empty()) input.global_functions = &globals;
  return run_verifier(input, options);
}

// Whether every helper the program calls is available to `type`.
bool helpers_fit(const ebpf::Program& program, ebpf::ProgramType type) {
  const ProgramTypeRules* rules = linux_platform().program_type(type);
  if (rules == nullptr) return false;
  for (size_t i = 0; i < program.insns.size(); ++i) {
    const ebpf::Instruction& insn = program.insns[i];
    if (insn.is_helper_call() && !rules->helper_allowed(insn.imm)) return false;
    if (insn.is_lddw()) ++i;
  }
  return true;
}

}  // namespace

VerificationResult verify(const ebpf::ElfObject& object, const ebpf::Program& program,
                          const VerifierOptions& options) {
  using ebpf::ProgramType;
  // A function of .text that programs of the object call is not a program of its own (no
  // loader runs it alone): it is safe if it is safe where it is called.
  if (program.section == ".text" && !options.program_type) {
    std::vector<const ebpf::Program*> callers;
    for (const ebpf::Program& p : object.programs) {
      if (&p == &program || p.section == ".text") continue;
      for (const auto& [start, name] : p.functions) {
        if (start != 0 && name == program.function) callers.push_back(&p);
      }
    }
    if (!callers.empty()) {
      VerificationResult combined;
      for (const ebpf::Program* caller : callers) {
        VerificationResult r = verify(object, *caller, options);
        r.warnings.push_back(fmt::format("'{}' is a subprogram: verified where '{}' calls it",
                                         program.display_name(), caller->display_name()));
        if (!r.accepted) return r;
        combined.stats.instructions_processed += r.stats.instructions_processed;
        combined.stats.states_stored += r.stats.states_stored;
        combined.stats.seconds += r.stats.seconds;
        combined.program_type = r.program_type;
        combined.warnings.insert(combined.warnings.end(), r.warnings.begin(), r.warnings.end());
      }
      // The facts describe the callers' instructions, not this function's: none are given.
      combined.accepted = true;
      combined.exit_reachable = true;
      return combined;
    }
    if (program.function == program.section) {
      // No function symbol and no caller: leftover code (e.g. a function the compiler
      // inlined everywhere) that nothing can ever run.
      VerificationResult dead;
      dead.accepted = true;
      dead.facts = ProgramFacts(program.insns.size());
      for (size_t i = 0; i < program.insns.size(); ++i) {
        dead.facts.mutable_at(i).second_slot = i > 0 && program.insns[i - 1].is_lddw();
      }
      dead.warnings.push_back(
          ".text holds no function symbol and no program calls it: dead code, not verified");
      return dead;
    }
  }
  if (options.program_type || program.type != ProgramType::Unspec) {
    return verify_as(object, program, options, options.program_type.value_or(program.type));
  }
  // The section names no program type. The program is safe if it is safe as some type it
  // could be loaded as: try the likely ones whose helpers it may call, the name's guess first.
  std::vector<ProgramType> candidates = {guess_program_type(object.path, program.section)};
  for (ProgramType t :
       {ProgramType::SchedCls, ProgramType::Xdp, ProgramType::Kprobe, ProgramType::Tracepoint,
        ProgramType::SocketFilter, ProgramType::CgroupSock, ProgramType::SockOps}) {
    if (std::find(candidates.begin(), candidates.end(), t) == candidates.end()) {
      candidates.push_back(t);
    }
  }
  std::erase_if(candidates, [&](ProgramType t) { return !helpers_fit(program, t); });
  if (candidates.empty()) candidates.push_back(guess_program_type(object.path, program.section));
  std::optional<VerificationResult> first;
  for (ProgramType t : candidates) {
    VerificationResult r = verify_as(object, program, options, t);
    r.warnings.push_back(fmt::format("section '{}' names no program type: verified as {}",
                                     program.section, ebpf::program_type_name(t)));
    if (r.accepted) return r;
    if (!first) first = std::move(r);
  }
  return std::move(*first);
}

VerifiedProgram verify_program(const ebpf::ElfObject& object, const ebpf::Program& program,
                               const VerifierOptions& options) {
  VerificationResult result = verify(object, program, options);
  if (!result.accepted) {
    throw VerificationFailed(
        fmt::format("{}: {}: {}", object.path, program.display_name(), result.error->to_string()),
        *result.error);
  }
  VerifiedProgram verified;
  verified.program_ = program;
  verified.maps_ = object.maps;
  verified.type_ = result.program_type;
  verified.facts_ = std::move(result.facts);
  verified.stats_ = result.stats;
  return verified;
}

}  // namespace nicsim::verifier
