// The model's waveform: the signals the shared layout declares for it (testbench/wave/
// core_wave_layout.h), all of them in the RTL's dump too, with the RTL's values cycle by cycle
// (the RTL dump is the reference: lockstep shows the two engines agree).

#include "testbench/wave/model_wave.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "ebpf/runtime/helpers.h"
#include "firmware/isa/slot.h"
#include "model/engine/model_engine.h"
#include "testbench/rtl_engine/test/rtl_test_support.h"
#include "testbench/wave/core_wave_layout.h"
#include "testbench/wave/vcd_writer.h"

namespace nicsim::wave {
namespace {

// Value changes per full signal name, values as the binary strings the VCD holds.
using Changes = std::map<std::string, std::vector<std::pair<uint64_t, std::string>>>;

Changes parse_vcd(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in) << path;
  std::map<std::string, std::vector<std::string>> names_of;  // id -> full names
  std::vector<std::string> scopes;
  Changes changes;
  std::string token;
  while (in >> token) {
    if (token == "$scope") {
      std::string kind, name;
      in >> kind >> name;
      scopes.push_back(name);
    } else if (token == "$upscope") {
      scopes.pop_back();
    } else if (token == "$var") {
      std::string type, width, id, name;
      in >> type >> width >> id >> name;
      std::string full;
      for (const auto& s : scopes)
        full += s + ".";
      names_of[id].push_back(full + name);
    } else if (token == "$enddefinitions") {
      break;
    }
  }
  uint64_t time = 0;
  while (in >> token) {
    if (token[0] == '#') {
      time = std::stoull(token.substr(1));
    } else if (token[0] == 'b') {
      std::string id;
      in >> id;
      for (const auto& n : names_of[id])
        changes[n].push_back({time, token.substr(1)});
    } else if (token[0] == '0' || token[0] == '1') {
      for (const auto& n : names_of[token.substr(1)])
        changes[n].push_back({time, token.substr(0, 1)});
    }
  }
  return changes;
}

// The value at `time` as a number (an unknown or absent value reads as ~0).
uint64_t value_at(const Changes& changes, const std::string& name, uint64_t time) {
  const auto it = changes.find(name);
  if (it == changes.end()) return ~uint64_t{0};
  std::string value;
  for (const auto& [t, v] : it->second) {
    if (t > time) break;
    value = v;
  }
  if (value.empty() || value.find_first_not_of("01") != std::string::npos) return ~uint64_t{0};
  // Signals compared here are at most 64 bits wide.
  return std::stoull(value, nullptr, 2);
}

// Bits [64 * part, 64 * part + 64) of a wide signal at `time` (~0 when unknown or absent).
uint64_t part_at(const Changes& changes, const std::string& name, uint64_t time, uint32_t part,
                 uint32_t width) {
  const auto it = changes.find(name);
  if (it == changes.end()) return ~uint64_t{0};
  std::string value;
  for (const auto& [t, v] : it->second) {
    if (t > time) break;
    value = v;
  }
  if (value.empty() || value.find_first_not_of("01") != std::string::npos) return ~uint64_t{0};
  value.insert(0, width - std::min<size_t>(width, value.size()), '0');  // VCD drops leading 0s
  const size_t end = width - 64 * part;
  return std::stoull(value.substr(end - 64, 64), nullptr, 2);
}

TEST(VcdWriter, NestsScopesAndWritesOnlyChanges) {
  const auto path = std::filesystem::temp_directory_path() / "nicsim_vcd_writer.vcd";
  {
    VcdWriter vcd(path.string(), "1ps");
    const size_t a = vcd.declare("top.u.a", 1);
    const size_t b = vcd.declare("top.b", 8);
    const size_t w = vcd.declare("top.u.v.w", 128);
    vcd.set(a, 1);
    vcd.set(b, 0x1ff);  // masked to 8 bits
    vcd.stamp(0);
    vcd.set(a, 1);  // unchanged: not written again
    vcd.set(w, 1, 1);
    vcd.stamp(10);
    vcd.stamp(20);  // nothing changed: no time stamp
  }
  const Changes c = parse_vcd(path.string());
  ASSERT_EQ(c.at("top.u.a").size(), 1u);
  EXPECT_EQ(c.at("top.b").front().second, "11111111");
  ASSERT_EQ(c.at("top.u.v.w").size(), 2u);
  EXPECT_EQ(c.at("top.u.v.w")[1],
            (std::pair<uint64_t, std::string>{10, "1" + std::string(63, '0') + "1"}));
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str().find("#20"), std::string::npos);
  EXPECT_NE(text.str().find("$scope module u $end"), std::string::npos);
}

// Runs `frames` packets back to back through both engines with a VCD each.
struct BothDumps {
  Changes model, rtl;
  uint64_t end_cycle = 0;
};

BothDumps dump_both(const firmware::Image& image, size_t frames, uint64_t expected_r0,
                    const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / "nicsim_model_wave";
  std::filesystem::create_directories(dir);
  const std::string model_vcd = (dir / (name + "_model.vcd")).string();
  const std::string rtl_vcd = (dir / (name + "_rtl.vcd")).string();
  const auto run = [&](auto& engine) {
    std::vector<std::vector<uint8_t>> buffers(frames, rtl::test::numbered_packet());
    std::vector<std::unique_ptr<ebpf::XdpFrame>> owned;
    std::vector<ebpf::XdpFrame*> pointers;
    for (auto& b : buffers) {
      owned.push_back(std::make_unique<ebpf::XdpFrame>(std::span<uint8_t>(b)));
      pointers.push_back(owned.back().get());
    }
    for (const auto& outcome : engine.run_batch(pointers)) {
      EXPECT_FALSE(outcome.result.aborted) << outcome.result.diagnostic;
      EXPECT_EQ(outcome.result.return_value, expected_r0);
    }
  };
  BothDumps dumps;
  {
    rtl::test::EmptyWorld world;
    model::ModelEngine engine(image, *world.runtime);
    ModelWaveWriter writer(engine.system().image(), {model_vcd, WaveFormat::Vcd, 0, UINT64_MAX, ""},
                           engine.system().config().contexts, engine.system().config().clock_hz);
    engine.system().set_observer(&writer);
    run(engine);
    dumps.end_cycle = engine.system().cycle();
    writer.finish(dumps.end_cycle);
  }
  {
    rtl::test::EmptyWorld world;
    rtl::RtlEngine engine(image, *world.runtime);
    engine.system().open_wave({rtl_vcd, WaveFormat::Vcd, 0, UINT64_MAX, ""});
    run(engine);
    engine.finish();
  }
  dumps.model = parse_vcd(model_vcd);
  dumps.rtl = parse_vcd(rtl_vcd);
  return dumps;
}

TEST(ModelWave, HasTheSharedSignalsAndTheRtlHasThemToo) {
  const firmware::Image image = rtl::test::asm_image("mov r0, 2\nexit r0");
  const BothDumps d = dump_both(image, 1, 2, "names");
  const std::vector<std::string> shared = core_wave_signals(4, 4, WaveEngine::Model);
  std::set<std::string> model_names;
  for (const auto& [name, changes] : d.model)
    model_names.insert(name);
  EXPECT_EQ(model_names, std::set<std::string>(shared.begin(), shared.end()));
  for (const auto& name : shared)
    EXPECT_TRUE(d.rtl.count(name)) << name;
  // The RTL's save file shows every shared signal, and more.
  const std::vector<std::string> rtl = core_wave_signals(4, 4, WaveEngine::Rtl);
  const std::set<std::string> rtl_names(rtl.begin(), rtl.end());
  for (const auto& name : shared)
    EXPECT_TRUE(rtl_names.count(name)) << name;
  EXPECT_GT(rtl_names.size(), shared.size());
  for (const auto& name : rtl)
    EXPECT_TRUE(d.rtl.count(name)) << name;
}

TEST(ModelWave, MatchesTheRtlCycleByCycle) {
  // Three packets on three contexts: a load (data stall), a store, a division, a loop (branch
  // stalls), a checksum helper of latency 6 (helper stalls) and a stack read.
  const std::string program =
      "mov r3, 4\n"
      "ld1 r8, [r1+r3+3]\n"
      "mov r5, 100\n"
      "st8 [r10-8], r5\n"
      "div r6, r5, 7\n"
      "mov r7, 3\n"
      "loop: sub r7, r7, 1\n"
      "jne r7, 0, @loop\n"
      "{ mov r3, r1 ; mov r2, 16 }\n"
      "{ mov r4, 16 ; mov r5, 0 }\n"
      "hcall csum_diff\n"
      "ld8 r9, [r10-8]\n"
      "add r0, r8, r6\n"
      "add r0, r0, r9\n"
      "exit r0";
  const firmware::Image image =
      rtl::test::asm_image(program, 4, firmware::EntryKind::Raw, {ebpf::kHelperCsumDiff});
  const BothDumps d = dump_both(image, 3, 7 + 100 / 7 + 100, "cycles");
  const Changes& model = d.model;
  const Changes& rtl = d.rtl;
  const std::string top = kWaveTop, core = kWaveCore;

  // Signals that have the RTL's value in every cycle (before the clock edge).
  std::vector<std::string> always = {top + "cycle_o",
                                     top + "start_i",
                                     core + "u_fetch.sel_valid",
                                     core + "u_fetch.sel_ctx",
                                     core + "u_fetch.imem_addr_o",
                                     core + "issue",
                                     core + "ic",
                                     top + "retire_valid_o",
                                     top + "retire_ctx_o",
                                     top + "retire_addr_o",
                                     top + "retire_commit_o",
                                     top + "retire_end_o",
                                     top + "retire_fault_o",
                                     top + "dmem_ctx_o",
                                     top + "dmem_valid_o",
                                     top + "helper_valid_o",
                                     top + "helper_ctx_o",
                                     core + "u_divider.busy_o",
                                     core + "u_divider.wr_valid_o"};
  for (uint32_t l = 0; l < 4; ++l) {
    always.push_back(issue_word_signal(l));
    always.push_back(writeback_signal(l, "wr_valid_o"));
  }
  for (uint32_t c = 0; c < 4; ++c) {
    for (const char* name : {"wave_running", "wave_stall", "wave_blocked", "wave_fb_valid"})
      always.push_back(context_signal(c, name));
    for (const char* name : {"wave_pc", "wave_fb_addr"})
      always.push_back(fetch_context_signal(c, name));
  }
  // Registers and per-context state after the edge.
  std::vector<std::string> after_edge;
  for (uint32_t c = 0; c < 4; ++c) {
    for (uint32_t r = 0; r < kWaveStoredRegisters; ++r)
      after_edge.push_back(register_signal(c, r));
    for (const char* name : {"wave_running", "wave_fb_valid"})
      after_edge.push_back(context_signal(c, name));
    for (const char* name : {"wave_pc", "wave_fb_addr"})
      after_edge.push_back(fetch_context_signal(c, name));
  }
  const auto same = [&](const std::string& name, uint64_t time, uint64_t cycle) {
    EXPECT_EQ(value_at(model, name, time), value_at(rtl, name, time)) << name << " cycle " << cycle;
  };
  std::set<uint64_t> stalls;
  uint32_t fetches = 0, reads = 0, writes = 0, helper_calls = 0, now_values = 0, writebacks = 0,
           divisions = 0, starts = 0;
  for (uint64_t c = 0; c < d.end_cycle; ++c) {
    const uint64_t before = c * 4000, after = before + 2000;
    const auto rtl_at = [&](const std::string& name) { return value_at(rtl, name, before); };
    for (const auto& name : always)
      same(name, before, c);
    for (const auto& name : after_edge)
      same(name, after, c);
    for (uint32_t ctx = 0; ctx < 4; ++ctx)
      stalls.insert(rtl_at(context_signal(ctx, "wave_stall")));
    if (rtl_at(core + "u_fetch.sel_valid") == 1) {
      ++fetches;
      for (uint32_t l = 0; l < 4; ++l)
        same(fetch_word_signal(l), before, c);
    }
    if (rtl_at(top + "start_i") == 1) {
      ++starts;
      for (const char* name : {"start_ctx_i"})
        same(top + name, before, c);
      same(core + "start_r1", before, c);
      same(core + "start_r2", before, c);
    }
    if (rtl_at(top + "retire_end_o") == 1) same(top + "retire_r0_o", before, c);
    const uint64_t valid = rtl_at(top + "dmem_valid_o");
    if (valid != 0) {
      for (const char* name : {"dmem_write_o", "dmem_map_o", "dmem_addr_o", "dmem_size_o"})
        same(top + name, before, c);
      const uint64_t write = rtl_at(top + "dmem_write_o");
      for (uint32_t p = 0; p < 2; ++p) {
        if (!(valid >> p & 1)) continue;
        const std::string data = (write >> p & 1) ? "dmem_wdata_o" : "dmem_rdata_i";
        EXPECT_EQ(part_at(model, top + data, before, p, 128),
                  part_at(rtl, top + data, before, p, 128))
            << data << " port " << p << " cycle " << c;
        ++((write >> p & 1) ? writes : reads);
        same(top + "dmem_map_fault_i", before, c);
      }
    }
    if (rtl_at(top + "helper_valid_o") == 1) {
      ++helper_calls;
      for (const char* name : {"helper_id_o", "helper_r0_i", "helper_latency_i", "helper_fault_i"})
        same(top + name, before, c);
    }
    if (rtl_at(core + "u_divider.wr_valid_o") == 1) {
      ++divisions;
      same(core + "u_divider.wr_data_o", before, c);
    }
    for (uint32_t l = 0; l < 4; ++l) {
      if (rtl_at(writeback_signal(l, "wr_valid_o")) == 1) {
        ++writebacks;
        same(writeback_signal(l, "wr_data_o"), before, c);
      }
      if (rtl_at(core + "issue") != 1) continue;
      firmware::Slot slot;
      ASSERT_EQ(firmware::decode_slot(rtl_at(issue_word_signal(l)), &slot), "");
      if (firmware::is_memory_op(slot)) same(lane_signal(l, "addr_o"), before, c);
      const bool alu_now = slot.op == firmware::OpClass::Alu && !firmware::uses_divider(slot) &&
                           !firmware::uses_multiplier(slot);
      if (alu_now || slot.op == firmware::OpClass::Movs) {
        ++now_values;
        same(lane_signal(l, "now_value_o"), before, c);
      }
    }
  }
  // The run exercised what the comparison is about.
  EXPECT_EQ(starts, 3u);
  EXPECT_GE(fetches, 3u * 14u);
  EXPECT_GE(reads, 6u);
  EXPECT_GE(writes, 3u);
  EXPECT_EQ(helper_calls, 3u);
  EXPECT_EQ(divisions, 3u);
  EXPECT_GE(writebacks, 6u);
  EXPECT_GE(now_values, 3u * 10u);
  for (uint64_t cause : {0u, 2u, 3u, 4u, 5u, 7u})  // helper, data, branch, fetch, issue, none
    EXPECT_TRUE(stalls.count(cause)) << "stall cause " << cause;
}

TEST(ModelWave, KeepsToTheCycleWindow) {
  const firmware::Image image = rtl::test::asm_image("mov r3, 1\nmov r4, 2\nmov r0, 3\nexit r0");
  const auto path = std::filesystem::temp_directory_path() / "nicsim_model_wave_window.vcd";
  {
    rtl::test::EmptyWorld world;
    model::ModelEngine engine(image, *world.runtime);
    ModelWaveWriter writer(engine.system().image(), {path.string(), WaveFormat::Vcd, 3, 5, ""},
                           engine.system().config().contexts, engine.system().config().clock_hz);
    engine.system().set_observer(&writer);
    auto memory = rtl::test::numbered_packet();
    EXPECT_EQ(engine.run_raw(memory).return_value, 3u);
    writer.finish(engine.system().cycle());
  }
  const Changes changes = parse_vcd(path.string());
  const auto& cycle = changes.at(std::string(kWaveTop) + "cycle_o");
  ASSERT_FALSE(cycle.empty());
  for (const auto& [time, value] : cycle) {
    EXPECT_GE(time, 3u * 4000u);
    EXPECT_LT(time, 5u * 4000u);
  }
}

}  // namespace
}  // namespace nicsim::wave
