// The model's waveform: the same names as the RTL's, and on the signals both have, the same
// values cycle by cycle (the RTL dump is the reference: lockstep shows the two engines agree).

#include "testbench/wave/model_wave.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "model/engine/model_engine.h"
#include "testbench/rtl_engine/test/rtl_test_support.h"
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

TEST(ModelWave, MatchesTheRtlOnTheSignalsBothHave) {
  // A dependent chain, a load, a store and a division: registers land at different times.
  const std::string program =
      "mov r3, 4\n"
      "ld1 r4, [r1+r3+3]\n"
      "mov r5, 100\n"
      "st8 [r10-8], r5\n"
      "div r6, r5, 7\n"
      "add r0, r4, r6\n"
      "exit r0";
  const auto dir = std::filesystem::temp_directory_path() / "nicsim_model_wave";
  std::filesystem::create_directories(dir);
  const std::string model_vcd = (dir / "model.vcd").string();
  const std::string rtl_vcd = (dir / "rtl.vcd").string();
  const firmware::Image image = rtl::test::asm_image(program);
  uint64_t end_cycle = 0;
  {
    rtl::test::EmptyWorld world;
    model::ModelEngine engine(image, *world.runtime);
    ModelWaveWriter writer(engine.system().image(), {model_vcd, WaveFormat::Vcd, 0, UINT64_MAX, ""},
                           engine.system().config().contexts, engine.system().config().clock_hz);
    engine.system().set_observer(&writer);
    auto memory = rtl::test::numbered_packet();
    EXPECT_EQ(engine.run_raw(memory).return_value, 7u + 100u / 7u);
    end_cycle = engine.system().cycle();
    writer.finish(end_cycle);
  }
  {
    rtl::test::EmptyWorld world;
    rtl::RtlEngine engine(image, *world.runtime);
    engine.system().open_wave({rtl_vcd, WaveFormat::Vcd, 0, UINT64_MAX, ""});
    auto memory = rtl::test::numbered_packet();
    EXPECT_EQ(engine.run_raw(memory).return_value, 7u + 100u / 7u);
    engine.finish();
  }
  const Changes model = parse_vcd(model_vcd);
  const Changes rtl = parse_vcd(rtl_vcd);
  // Every signal of the model's dump and save file exists in the RTL's dump.
  for (const auto& [name, changes] : model)
    EXPECT_TRUE(rtl.count(name)) << name;
  for (const auto& group : ModelWaveWriter::layout(4, 4).groups) {
    for (const auto& signal : group.signals)
      EXPECT_TRUE(model.count(signal.path) && rtl.count(signal.path)) << signal.path;
  }

  const std::string top = "nic.nic_top.", core = "nic.nic_top.u_core.";
  // Issue-stage signals before the clock edge, registers after it (4000 ps cycles).
  const std::vector<std::string> issue_signals = {core + "issue", top + "retire_end_o"};
  std::vector<std::string> register_signals;
  for (uint32_t r : {0u, 3u, 4u, 5u, 6u})
    register_signals.push_back(fmt::format("{}u_regfile.g_ctx[0].g_reg[{}].wave_value", core, r));
  uint32_t issued = 0;
  for (uint64_t c = 0; c < end_cycle; ++c) {
    const uint64_t before = c * 4000, after = c * 4000 + 2000;
    for (const auto& name : issue_signals)
      EXPECT_EQ(value_at(model, name, before), value_at(rtl, name, before))
          << name << " cycle " << c;
    if (value_at(rtl, core + "issue", before) == 1) {
      ++issued;
      EXPECT_EQ(value_at(model, top + "retire_addr_o", before),
                value_at(rtl, top + "retire_addr_o", before))
          << "cycle " << c;
      for (uint32_t l = 0; l < 4; ++l) {
        const std::string word = fmt::format("{}g_decode[{}].u_decode.word_i", core, l);
        EXPECT_EQ(value_at(model, word, before), value_at(rtl, word, before)) << word << " " << c;
      }
    }
    for (const auto& name : register_signals)
      EXPECT_EQ(value_at(model, name, after), value_at(rtl, name, after)) << name << " cycle " << c;
  }
  EXPECT_GE(issued, 6u);
  // The store: port 0 writes 100 to the stack.
  bool stored = false;
  for (const auto& [t, v] : model.at(top + "dmem_wdata_o"))
    stored |= std::stoull(v, nullptr, 2) == 100;
  EXPECT_TRUE(stored);
}

}  // namespace
}  // namespace nicsim::wave
