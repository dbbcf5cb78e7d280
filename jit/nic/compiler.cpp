#include "jit/nic/compiler.h"

#include <fmt/format.h>

#include "ebpf/util/error.h"
#include "jit/nic/emit.h"
#include "jit/nic/lower.h"
#include "jit/nic/map_layout.h"
#include "jit/nic/passes/pass.h"

namespace nicsim::jit::nic {

CompileResult compile(const ebpf::Program& program, const std::vector<ebpf::MapDefinition>& maps,
                      const CompileOptions& options, const ProgramFacts* facts) {
  if (options.lanes < 1 || options.lanes > firmware::kMaxLanes)
    throw Error(fmt::format("NIC compiler: {} lanes (1..{})", options.lanes, firmware::kMaxLanes));
  if (options.memory_ports < 1 || options.memory_ports > options.lanes)
    throw Error(fmt::format("NIC compiler: {} memory ports for {} lanes", options.memory_ports,
                            options.lanes));
  CompileResult result;
  CompileReport& report = result.report;
  std::vector<firmware::MapLayout> layout = layout_maps(maps, program.display_name());
  Function fn = lower(program, layout);
  report.ebpf_instructions = program.insns.size();
  report.ops_lowered = fn.op_count();

  ProgramFacts local;
  if (facts == nullptr) {
    local = local_facts(program);
    facts = &local;
  }
  report.facts_source = facts->source;
  for (Block& block : fn.blocks) {
    for (Op& op : block.ops) {
      const InstructionFacts* f =
          op.source >= 0 ? facts->at(static_cast<size_t>(op.source)) : nullptr;
      op.access_proven = f != nullptr && f->access_in_bounds && op.is_memory();
    }
  }
  PassContext context{fn, *facts, options, layout};
  const auto run = [&](Pass pass, size_t (*body)(PassContext&)) {
    if (options.enabled(pass)) report.changes[static_cast<size_t>(pass)] += body(context);
  };
  const auto cleanup = [&] { run(Pass::DeadCode, run_dead_code); };

  run(Pass::BoundsCheck, run_bounds_check);
  cleanup();
  run(Pass::ConstFold, run_const_fold);
  cleanup();
  run(Pass::Fusion, run_fusion);
  cleanup();
  run(Pass::AccessMerge, run_access_merge);
  cleanup();
  run(Pass::Zeroing, run_zeroing);
  cleanup();
  run(Pass::ExitFold, run_exit_fold);
  cleanup();
  run(Pass::ExitFold, run_exit_fold);  // blocks that only exit now, after the cleanup
  cleanup();
  // Each pass exposes work for the others: more rounds of the cheap ones, until nothing
  // changes (a few at most).
  for (int round = 0; round < 4; ++round) {
    const auto before = report.changes;
    run(Pass::ConstFold, run_const_fold);
    run(Pass::Fusion, run_fusion);
    cleanup();
    run(Pass::ExitFold, run_exit_fold);
    cleanup();
    if (report.changes == before) break;
  }

  report.ops_final = fn.op_count();
  const std::vector<ScheduledChain> chains = schedule_function(fn, options, &report.schedule);
  report.changes[static_cast<size_t>(Pass::Hoist)] = report.schedule.hoisted_from_joins;
  report.changes[static_cast<size_t>(Pass::Reassociate)] = report.schedule.reassociated;
  report.changes[static_cast<size_t>(Pass::DenseSchedule)] = report.schedule.dense_chains;
  result.image = emit_image(fn, chains, program, std::move(layout), options);
  report.program_bundles = result.image.program_bundles;
  report.routine_bundles = result.image.bundle_count() - result.image.program_bundles;
  return result;
}

std::string format_report(const CompileReport& r) {
  std::string out;
  out += fmt::format("facts: {}\n", r.facts_source);
  out += fmt::format("eBPF instructions: {}\n", r.ebpf_instructions);
  out += fmt::format("native operations: {} lowered, {} after the passes\n", r.ops_lowered,
                     r.ops_final);
  for (Pass pass : all_passes()) {
    if (pass == Pass::Schedule) continue;
    out += fmt::format("  {}: {}\n", pass_name(pass), r.changes[static_cast<size_t>(pass)]);
  }
  out += fmt::format(
      "schedule: {} superblocks, {} operations copied into predecessors, {} registers renamed, "
      "{} operations above a branch, {} jumps added, {} branches inverted\n",
      r.schedule.superblocks, r.schedule.duplicated, r.schedule.renamed, r.schedule.hoisted,
      r.schedule.jumps_added, r.schedule.branches_inverted);
  out += fmt::format("bundles: {} program + {} firmware routine\n", r.program_bundles,
                     r.routine_bundles);
  return out;
}

}  // namespace nicsim::jit::nic
