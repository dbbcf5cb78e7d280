#include "testbench/rtl_engine/rtl_wave_layout.h"

#include <fmt/format.h>

#include "testbench/rtl_engine/rtl_shape.h"

namespace nicsim::rtl {

using wave::SignalFormat;

namespace {
constexpr const char* kTop = "nic.nic_top";
constexpr const char* kCore = "nic.nic_top.u_core";
}  // namespace

wave::GtkwLayout rtl_wave_layout() {
  wave::GtkwLayout layout;
  const auto top = [](const char* name, SignalFormat f = SignalFormat::Hex) {
    return wave::WaveSignal{fmt::format("{}.{}", kTop, name), f};
  };
  const auto core = [](const std::string& name, SignalFormat f = SignalFormat::Hex) {
    return wave::WaveSignal{fmt::format("{}.{}", kCore, name), f};
  };

  layout.groups.push_back({"Clock",
                           {top("clk_i", SignalFormat::Binary), top("rst_ni", SignalFormat::Binary),
                            top("cycle_o", SignalFormat::Decimal)}});
  wave::SignalGroup fetch{"Fetch",
                          {core("u_fetch.sel_valid", SignalFormat::Binary),
                           core("u_fetch.sel_ctx", SignalFormat::Decimal),
                           core("u_fetch.imem_addr_o", SignalFormat::Decimal)}};
  for (uint32_t l = 0; l < kRtlLanes; ++l)
    fetch.signals.push_back(
        core(fmt::format("u_fetch.g_fetch_decode[{}].wave_word", l), SignalFormat::Slot));
  layout.groups.push_back(fetch);

  wave::SignalGroup issue{
      "Issue",
      {core("issue", SignalFormat::Binary), core("ic", SignalFormat::Decimal),
       top("retire_addr_o", SignalFormat::Decimal), top("retire_end_o", SignalFormat::Binary),
       top("retire_fault_o", SignalFormat::Binary)}};
  for (uint32_t l = 0; l < kRtlLanes; ++l)
    issue.signals.push_back(
        core(fmt::format("g_decode[{}].u_decode.word_i", l), SignalFormat::Slot));
  layout.groups.push_back(issue);

  for (uint32_t l = 0; l < kRtlLanes; ++l) {
    const std::string lane = fmt::format("g_lane[{}].u_lane.", l);
    layout.groups.push_back(
        {fmt::format("Lane {}", l),
         {core(lane + "ra_i"), core(lane + "b_o"), core(lane + "now_value_o"),
          core(lane + "taken_o", SignalFormat::Binary), core(lane + "addr_o"),
          core(lane + "fault_o", SignalFormat::Binary),
          core(fmt::format("g_wb[{}].u_wb.wr_valid_o", l), SignalFormat::Binary),
          core(fmt::format("g_wb[{}].u_wb.wr_data_o", l))},
         true});
  }

  layout.groups.push_back(
      {"Memory ports",
       {top("dmem_ctx_o", SignalFormat::Decimal), top("dmem_valid_o", SignalFormat::Binary),
        top("dmem_write_o", SignalFormat::Binary), top("dmem_map_o", SignalFormat::Binary),
        top("dmem_addr_o"), top("dmem_size_o"), top("dmem_wdata_o"), top("dmem_rdata_i"),
        top("dmem_map_fault_i", SignalFormat::Binary)}});
  layout.groups.push_back(
      {"Helper units",
       {top("helper_valid_o", SignalFormat::Binary), top("helper_ctx_o", SignalFormat::Decimal),
        top("helper_id_o", SignalFormat::Decimal), top("helper_r0_i"),
        top("helper_latency_i", SignalFormat::Decimal),
        top("helper_fault_i", SignalFormat::Binary)}});
  layout.groups.push_back(
      {"Divider",
       {core("u_divider.busy_o", SignalFormat::Binary),
        core("u_divider.left_q", SignalFormat::Decimal),
        core("u_divider.wr_valid_o", SignalFormat::Binary), core("u_divider.wr_data_o")},
       true});

  for (uint32_t c = 0; c < kRtlContexts; ++c) {
    wave::SignalGroup ctx{fmt::format("Context {}", c), {}, c != 0};
    const std::string state = fmt::format("g_ctx[{}].", c);
    ctx.signals.push_back(core(state + "wave_running", SignalFormat::Binary));
    ctx.signals.push_back(core(state + "wave_stall", SignalFormat::Decimal));
    ctx.signals.push_back(core(state + "wave_blocked", SignalFormat::Binary));
    ctx.signals.push_back(core(fmt::format("u_fetch.g_ctx[{}].wave_pc", c), SignalFormat::Decimal));
    ctx.signals.push_back(core(state + "wave_fb_valid", SignalFormat::Binary));
    ctx.signals.push_back(
        core(fmt::format("u_fetch.g_ctx[{}].wave_fb_addr", c), SignalFormat::Decimal));
    for (uint32_t r = 0; r < 10; ++r)
      ctx.signals.push_back(core(fmt::format("u_regfile.g_ctx[{}].g_reg[{}].wave_value", c, r)));
    layout.groups.push_back(ctx);
  }
  return layout;
}

}  // namespace nicsim::rtl
