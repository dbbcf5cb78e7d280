#pragma once
// What the NIC compiler is asked to do: the target core's shape and which passes run. Every
// pass can be switched off on its own (`no_<pass>`, the CLI's `--no-<pass>`) so that its effect
// can be measured.

#include <cstdint>
#include <span>
#include <string_view>

namespace nicsim::jit::nic {

enum class Pass : uint8_t {
  DeadCode,
  BoundsCheck,
  Zeroing,
  ConstFold,
  Fusion,
  AccessMerge,
  ExitFold,
  Schedule,
  // Added for issue #5 (docs/nic-isa.md section 11): they run inside the schedule step.
  Hoist,
  Reassociate,
  DenseSchedule,
  MapSpeculation,
};
constexpr int kNumPasses = 12;

// CLI spelling: "dead-code", "bounds-check", "zeroing", "const-fold", "fusion",
// "access-merge", "exit-fold", "schedule", "hoist", "reassociate",
// "dense-schedule", "map-speculation".
std::string_view pass_name(Pass pass);
std::span<const Pass> all_passes();

struct CompileOptions {
  uint8_t lanes = 4;         // L, 1..8
  uint8_t memory_ports = 2;  // M, 1..L
  bool no_dead_code = false;
  bool no_bounds_check = false;
  bool no_zeroing = false;
  bool no_const_fold = false;
  bool no_fusion = false;
  bool no_access_merge = false;
  bool no_exit_fold = false;
  bool no_schedule = false;
  bool no_hoist = false;
  bool no_reassociate = false;
  bool no_dense_schedule = false;
  bool no_map_speculation = false;

  bool enabled(Pass pass) const;
  void set_enabled(Pass pass, bool enabled);
  // Switches a pass off by its CLI name; throws nicsim::Error listing the names otherwise.
  void disable(std::string_view name);
  // Every pass off (the baseline of the measurements).
  static CompileOptions unoptimised();
};

}  // namespace nicsim::jit::nic
