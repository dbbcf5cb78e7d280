#include "jit/nic/options.h"

#include <fmt/format.h>

#include <array>
#include <string>

#include "ebpf/util/error.h"

namespace nicsim::jit::nic {

namespace {

constexpr std::array<Pass, kNumPasses> kPasses = {
    Pass::DeadCode, Pass::BoundsCheck, Pass::Zeroing,       Pass::ConstFold,
    Pass::Fusion,   Pass::AccessMerge, Pass::ExitFold,      Pass::Schedule,
    Pass::Hoist,    Pass::Reassociate, Pass::DenseSchedule, Pass::MapSpeculation};

}  // namespace

std::string_view pass_name(Pass pass) {
  switch (pass) {
    case Pass::DeadCode:
      return "dead-code";
    case Pass::BoundsCheck:
      return "bounds-check";
    case Pass::Zeroing:
      return "zeroing";
    case Pass::ConstFold:
      return "const-fold";
    case Pass::Fusion:
      return "fusion";
    case Pass::AccessMerge:
      return "access-merge";
    case Pass::ExitFold:
      return "exit-fold";
    case Pass::Schedule:
      return "schedule";
    case Pass::Hoist:
      return "hoist";
    case Pass::Reassociate:
      return "reassociate";
    case Pass::DenseSchedule:
      return "dense-schedule";
    case Pass::MapSpeculation:
      return "map-speculation";
  }
  return "?";
}

std::span<const Pass> all_passes() {
  return kPasses;
}

namespace {

bool* flag(CompileOptions& o, Pass pass) {
  switch (pass) {
    case Pass::DeadCode:
      return &o.no_dead_code;
    case Pass::BoundsCheck:
      return &o.no_bounds_check;
    case Pass::Zeroing:
      return &o.no_zeroing;
    case Pass::ConstFold:
      return &o.no_const_fold;
    case Pass::Fusion:
      return &o.no_fusion;
    case Pass::AccessMerge:
      return &o.no_access_merge;
    case Pass::ExitFold:
      return &o.no_exit_fold;
    case Pass::Schedule:
      return &o.no_schedule;
    case Pass::Hoist:
      return &o.no_hoist;
    case Pass::Reassociate:
      return &o.no_reassociate;
    case Pass::DenseSchedule:
      return &o.no_dense_schedule;
    case Pass::MapSpeculation:
      return &o.no_map_speculation;
  }
  return nullptr;
}

}  // namespace

bool CompileOptions::enabled(Pass pass) const {
  return !*flag(const_cast<CompileOptions&>(*this), pass);
}

void CompileOptions::set_enabled(Pass pass, bool on) {
  *flag(*this, pass) = !on;
}

void CompileOptions::disable(std::string_view name) {
  std::string known;
  for (Pass pass : kPasses) {
    if (pass_name(pass) == name) {
      set_enabled(pass, false);
      return;
    }
    known += known.empty() ? "" : ", ";
    known += pass_name(pass);
  }
  throw Error(fmt::format("unknown NIC compiler pass '{}' (passes: {})", name, known));
}

CompileOptions CompileOptions::unoptimised() {
  CompileOptions o;
  for (Pass pass : kPasses)
    o.set_enabled(pass, false);
  return o;
}

}  // namespace nicsim::jit::nic
