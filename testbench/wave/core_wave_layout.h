#pragma once
// The one signal hierarchy of a NIC core's waveform, for both engines (docs/rtl.md,
// "Waveforms"): the RTL's names (nic.nic_top.u_core...), grouped by unit for the GTKWave save
// file. Each signal says whether the model's waveform has it too; the few it lacks are the
// RTL's internals that the model does not compute (operand buses, the divider's counter, reset).

#include <cstdint>
#include <string>
#include <vector>

#include "testbench/wave/gtkw_writer.h"

namespace nicsim::wave {

enum class WaveEngine { Model, Rtl };

// Prefixes of the hierarchy.
inline constexpr const char* kWaveTop = "nic.nic_top.";
inline constexpr const char* kWaveCore = "nic.nic_top.u_core.";
// Registers r0..r9 are in the register file (r10..r13 are not).
inline constexpr uint32_t kWaveStoredRegisters = 10;

// The layout of core 0 with `lanes` lanes and `contexts` contexts as `engine` dumps it.
GtkwLayout core_wave_layout(uint32_t lanes, uint32_t contexts, WaveEngine engine);
// Every signal path of that layout.
std::vector<std::string> core_wave_signals(uint32_t lanes, uint32_t contexts, WaveEngine engine);

// Names used by the writers and the tests.
std::string fetch_word_signal(uint32_t lane);
std::string issue_word_signal(uint32_t lane);
std::string lane_signal(uint32_t lane, const std::string& port);        // g_lane[l].u_lane.<port>
std::string writeback_signal(uint32_t lane, const std::string& port);   // g_wb[l].u_wb.<port>
std::string context_signal(uint32_t context, const std::string& name);  // g_ctx[c].<name>
std::string fetch_context_signal(uint32_t context, const std::string& name);  // u_fetch.g_ctx[c]
std::string register_signal(uint32_t context, uint32_t reg);

}  // namespace nicsim::wave
