#include "testbench/wave/core_wave_layout.h"

#include <fmt/format.h>

namespace nicsim::wave {

std::string fetch_word_signal(uint32_t lane) {
  return fmt::format("{}u_fetch.g_fetch_decode[{}].wave_word", kWaveCore, lane);
}

std::string issue_word_signal(uint32_t lane) {
  return fmt::format("{}g_decode[{}].wave_word", kWaveCore, lane);
}

std::string lane_signal(uint32_t lane, const std::string& port) {
  return fmt::format("{}g_lane[{}].u_lane.{}", kWaveCore, lane, port);
}

std::string writeback_signal(uint32_t lane, const std::string& port) {
  return fmt::format("{}g_wb[{}].u_wb.{}", kWaveCore, lane, port);
}

std::string context_signal(uint32_t context, const std::string& name) {
  return fmt::format("{}g_ctx[{}].{}", kWaveCore, context, name);
}

std::string fetch_context_signal(uint32_t context, const std::string& name) {
  return fmt::format("{}u_fetch.g_ctx[{}].{}", kWaveCore, context, name);
}

std::string register_signal(uint32_t context, uint32_t reg) {
  return fmt::format("{}u_regfile.g_ctx[{}].g_reg[{}].wave_value", kWaveCore, context, reg);
}

GtkwLayout core_wave_layout(uint32_t lanes, uint32_t contexts, WaveEngine engine) {
  const bool rtl = engine == WaveEngine::Rtl;
  const std::string top = kWaveTop, core = kWaveCore;
  using F = SignalFormat;
  GtkwLayout g;

  SignalGroup clock{"Clock", {{top + "clk_i", F::Binary}}};
  if (rtl) clock.signals.push_back({top + "rst_ni", F::Binary});
  clock.signals.push_back({top + "cycle_o", F::Decimal});
  g.groups.push_back(clock);

  g.groups.push_back({"Dispatcher",
                      {{top + "start_i", F::Binary},
                       {top + "start_ctx_i", F::Decimal},
                       {core + "start_r1", F::Hex},
                       {core + "start_r2", F::Hex}},
                      true});

  SignalGroup fetch{"Fetch",
                    {{core + "u_fetch.sel_valid", F::Binary},
                     {core + "u_fetch.sel_ctx", F::Decimal},
                     {core + "u_fetch.imem_addr_o", F::Decimal}}};
  for (uint32_t l = 0; l < lanes; ++l)
    fetch.signals.push_back({fetch_word_signal(l), F::Slot});
  g.groups.push_back(fetch);

  SignalGroup issue{"Issue",
                    {{core + "issue", F::Binary},
                     {core + "ic", F::Decimal},
                     {top + "retire_valid_o", F::Binary},
                     {top + "retire_ctx_o", F::Decimal},
                     {top + "retire_addr_o", F::Decimal},
                     {top + "retire_commit_o", F::Binary},
                     {top + "retire_end_o", F::Binary},
                     {top + "retire_fault_o", F::Binary},
                     {top + "retire_r0_o", F::Hex}}};
  for (uint32_t l = 0; l < lanes; ++l)
    issue.signals.push_back({issue_word_signal(l), F::Slot});
  g.groups.push_back(issue);

  for (uint32_t l = 0; l < lanes; ++l) {
    SignalGroup lane{fmt::format("Lane {}", l), {}, true};
    // The operand buses, the branch condition and the AGU's fault are computed inside the
    // model's execute step and not reported.
    if (rtl) lane.signals.push_back({lane_signal(l, "ra_i"), F::Hex});
    if (rtl) lane.signals.push_back({lane_signal(l, "b_o"), F::Hex});
    lane.signals.push_back({lane_signal(l, "now_value_o"), F::Hex});
    if (rtl) lane.signals.push_back({lane_signal(l, "taken_o"), F::Binary});
    lane.signals.push_back({lane_signal(l, "addr_o"), F::Hex});
    if (rtl) lane.signals.push_back({lane_signal(l, "fault_o"), F::Binary});
    lane.signals.push_back({writeback_signal(l, "wr_valid_o"), F::Binary});
    lane.signals.push_back({writeback_signal(l, "wr_data_o"), F::Hex});
    g.groups.push_back(lane);
  }

  g.groups.push_back({"Memory ports",
                      {{top + "dmem_ctx_o", F::Decimal},
                       {top + "dmem_valid_o", F::Binary},
                       {top + "dmem_write_o", F::Binary},
                       {top + "dmem_map_o", F::Binary},
                       {top + "dmem_addr_o", F::Hex},
                       {top + "dmem_size_o", F::Hex},
                       {top + "dmem_wdata_o", F::Hex},
                       {top + "dmem_rdata_i", F::Hex},
                       {top + "dmem_map_fault_i", F::Binary}}});
  g.groups.push_back({"Helper units",
                      {{top + "helper_valid_o", F::Binary},
                       {top + "helper_ctx_o", F::Decimal},
                       {top + "helper_id_o", F::Decimal},
                       {top + "helper_r0_i", F::Hex},
                       {top + "helper_latency_i", F::Decimal},
                       {top + "helper_fault_i", F::Binary}}});

  SignalGroup divider{"Divider", {{core + "u_divider.busy_o", F::Binary}}, true};
  if (rtl) divider.signals.push_back({core + "u_divider.left_q", F::Decimal});
  divider.signals.push_back({core + "u_divider.wr_valid_o", F::Binary});
  divider.signals.push_back({core + "u_divider.wr_data_o", F::Hex});
  g.groups.push_back(divider);

  for (uint32_t c = 0; c < contexts; ++c) {
    SignalGroup ctx{fmt::format("Context {}", c), {}, c != 0};
    ctx.signals.push_back({context_signal(c, "wave_running"), F::Binary});
    ctx.signals.push_back({context_signal(c, "wave_stall"), F::Decimal});
    ctx.signals.push_back({context_signal(c, "wave_blocked"), F::Binary});
    ctx.signals.push_back({fetch_context_signal(c, "wave_pc"), F::Decimal});
    ctx.signals.push_back({context_signal(c, "wave_fb_valid"), F::Binary});
    ctx.signals.push_back({fetch_context_signal(c, "wave_fb_addr"), F::Decimal});
    for (uint32_t r = 0; r < kWaveStoredRegisters; ++r)
      ctx.signals.push_back({register_signal(c, r), F::Hex});
    g.groups.push_back(ctx);
  }
  return g;
}

std::vector<std::string> core_wave_signals(uint32_t lanes, uint32_t contexts, WaveEngine engine) {
  std::vector<std::string> paths;
  for (const SignalGroup& group : core_wave_layout(lanes, contexts, engine).groups) {
    for (const WaveSignal& signal : group.signals)
      paths.push_back(signal.path);
  }
  return paths;
}

}  // namespace nicsim::wave
