// The model's Kanata pipeline trace: the RTL's trace of the same run, line for line (the
// stages are the same and lockstep shows the cycles agree), and well formed on a busy run:
// one row per fetched bundle, each through F, Q and X in that order, one retirement per issued
// bundle.

#include "testbench/wave/model_kanata.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "model/engine/model_engine.h"
#include "testbench/rtl_engine/test/rtl_test_support.h"

namespace nicsim::wave {
namespace {

struct Traced {
  std::string log;
  uint64_t bundles = 0;  // issued, over every packet
};

Traced model_trace(const firmware::Image& image, size_t frames, uint64_t max_cycles = 0) {
  rtl::test::EmptyWorld world;
  model::ModelConfig config;
  if (max_cycles) config.max_cycles_per_packet = max_cycles;
  model::ModelEngine engine(image, *world.runtime, config);
  std::ostringstream out;
  KanataWriter writer(out, engine.system().image(), config.contexts);
  ModelKanataObserver observer(writer);
  engine.system().set_observer(&observer);
  std::vector<std::vector<uint8_t>> buffers(frames, rtl::test::numbered_packet());
  std::vector<std::unique_ptr<ebpf::XdpFrame>> owned;
  std::vector<ebpf::XdpFrame*> pointers;
  for (auto& b : buffers) {
    owned.push_back(std::make_unique<ebpf::XdpFrame>(std::span<uint8_t>(b)));
    pointers.push_back(owned.back().get());
  }
  Traced traced;
  for (const auto& outcome : engine.run_batch(pointers))
    traced.bundles += outcome.stats.bundles;
  writer.finish();
  traced.log = out.str();
  return traced;
}

std::string rtl_trace(const firmware::Image& image, size_t frames, uint64_t max_cycles = 0) {
  const auto path = std::filesystem::temp_directory_path() / "nicsim_model_kanata_rtl.log";
  {
    rtl::test::EmptyWorld world;
    model::ModelConfig config;
    if (max_cycles) config.max_cycles_per_packet = max_cycles;
    rtl::RtlEngine engine(image, *world.runtime, config);
    engine.system().open_pipeline_trace(path.string());
    std::vector<std::vector<uint8_t>> buffers(frames, rtl::test::numbered_packet());
    std::vector<std::unique_ptr<ebpf::XdpFrame>> owned;
    std::vector<ebpf::XdpFrame*> pointers;
    for (auto& b : buffers) {
      owned.push_back(std::make_unique<ebpf::XdpFrame>(std::span<uint8_t>(b)));
      pointers.push_back(owned.back().get());
    }
    engine.run_batch(pointers);
    engine.finish();
  }
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

const char* kProgram =
    "mov r3, 4\n"
    "ld1 r4, [r1+r3+3]\n"
    "mov r7, 3\n"
    "loop: sub r7, r7, 1\n"
    "jne r7, 0, @loop\n"
    "add r0, r4, 1\n"
    "exit r0";

TEST(ModelKanata, IsTheRtlsTraceOfTheSameRun) {
  const firmware::Image image = rtl::test::asm_image(kProgram);
  const std::string model = model_trace(image, 5).log;
  EXPECT_EQ(model, rtl_trace(image, 5));
  EXPECT_EQ(model.rfind("Kanata\t0004\n", 0), 0u);
}

TEST(ModelKanata, EveryBundleMovesThroughTheStagesInOrder) {
  const firmware::Image image = rtl::test::asm_image(kProgram);
  const Traced traced = model_trace(image, 6);
  std::istringstream in(traced.log);
  std::string line;
  std::getline(in, line);
  ASSERT_EQ(line, "Kanata\t0004");
  std::map<uint64_t, std::string> stages;  // id -> stages started, in order
  std::map<uint64_t, int> retired;         // id -> retire type (0 retired, 1 flushed)
  uint64_t rows = 0;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string command;
    fields >> command;
    if (command == "I") {
      uint64_t id;
      fields >> id;
      EXPECT_FALSE(stages.count(id)) << line;
      stages[id] = "";
      ++rows;
    } else if (command == "S") {
      uint64_t id, lane;
      std::string stage;
      fields >> id >> lane >> stage;
      ASSERT_TRUE(stages.count(id)) << line;
      EXPECT_FALSE(retired.count(id)) << line;
      stages[id] += stage;
    } else if (command == "R") {
      uint64_t id, serial;
      int type;
      fields >> id >> serial >> type;
      ASSERT_TRUE(stages.count(id)) << line;
      EXPECT_FALSE(retired.count(id)) << line;
      retired[id] = type;
    } else {
      EXPECT_TRUE(command == "C" || command == "C=" || command == "L" || command == "E") << line;
    }
  }
  uint64_t issued = 0;
  for (const auto& [id, order] : stages) {
    ASSERT_TRUE(retired.count(id)) << "bundle " << id << " never retires";
    EXPECT_EQ(order, retired[id] == 0 ? "FQX" : "FQ") << "bundle " << id;
    issued += retired[id] == 0;
  }
  EXPECT_EQ(issued, traced.bundles);
  EXPECT_EQ(rows, traced.bundles);  // nothing flushed: every packet exits
}

TEST(ModelKanata, FlushesWhatABudgetAbortLeavesBehind) {
  // Endless loops: the cycle budget ends each packet, some with a bundle in the fetch buffer
  // (flushed: "R id serial 1"), as the RTL's trace shows them.
  const firmware::Image image = rtl::test::asm_image("mov r3, 1\nl: { add r3, r3, 1 ; ja @l }");
  uint64_t flushed = 0;
  for (uint64_t budget : {40u, 41u}) {
    const std::string model = model_trace(image, 2, budget).log;
    EXPECT_EQ(model, rtl_trace(image, 2, budget)) << "budget " << budget;
    std::istringstream in(model);
    std::string line;
    while (std::getline(in, line))
      flushed +=
          line.rfind("R\t", 0) == 0 && line.size() > 2 && line.substr(line.size() - 2) == "\t1";
  }
  EXPECT_GE(flushed, 1u);
}

}  // namespace
}  // namespace nicsim::wave
