// The SystemC module and the Engine adapter step the same NicSystem: the same packets give the
// same cycle numbers either way, and SystemC time advances one clock period per cycle.
#include <gtest/gtest.h>

#include "model/systemc/nic_module.h"
#include "model/test/test_support.h"

// SystemC's library calls sc_main when it owns main(); gtest owns it here.
int sc_main(int, char*[]) {
  return 0;
}

namespace nicsim::model {
namespace {

TEST(SystemC, SameCyclesAsTheDirectlySteppedSystem) {
  const firmware::Image image = test::image_from_asm(R"(
       ld1 r3, [r1+0]
       { add r0, r3, 1 ; jeq r2, 64, @t }
       exit r0
    t: exit 2
  )");
  ModelConfig config;
  config.clock_hz = 200e6;  // 5 ns per cycle
  std::vector<std::vector<uint8_t>> packets;
  for (size_t n : {64, 60, 128, 64, 300})
    packets.push_back(std::vector<uint8_t>(n, 7));

  const auto run = [&](bool systemc) {
    test::EmptyWorld world;
    NicSystem system(image, *world.runtime, config);
    std::vector<std::unique_ptr<ebpf::XdpFrame>> frames;
    std::vector<PacketOutcome> outcomes(packets.size());
    std::vector<PacketJob> jobs(packets.size());
    for (size_t i = 0; i < packets.size(); ++i) {
      frames.push_back(std::make_unique<ebpf::XdpFrame>(packets[i]));
      jobs[i].frame = frames.back().get();
      jobs[i].outcome = &outcomes[i];
      system.submit(&jobs[i]);
    }
    if (systemc) {
      const sc_core::sc_time end = run_in_systemc(system);
      EXPECT_GE(end,
                sc_core::sc_time(5.0 * static_cast<double>(system.cycle() - 1), sc_core::SC_NS));
    } else {
      system.run_until_idle();
    }
    std::vector<PacketStats> stats;
    for (size_t i = 0; i < jobs.size(); ++i) {
      EXPECT_TRUE(jobs[i].done);
      stats.push_back(outcomes[i].stats);
    }
    return stats;
  };
  const std::vector<PacketStats> direct = run(false);
  const std::vector<PacketStats> systemc = run(true);
  ASSERT_EQ(direct.size(), systemc.size());
  for (size_t i = 0; i < direct.size(); ++i) {
    EXPECT_EQ(direct[i].dispatch_cycle, systemc[i].dispatch_cycle) << i;
    EXPECT_EQ(direct[i].start_cycle, systemc[i].start_cycle) << i;
    EXPECT_EQ(direct[i].exit_cycle, systemc[i].exit_cycle) << i;
    EXPECT_EQ(direct[i].release_cycle, systemc[i].release_cycle) << i;
    EXPECT_EQ(direct[i].bundles, systemc[i].bundles) << i;
    EXPECT_EQ(direct[i].stalls, systemc[i].stalls) << i;
  }
}

}  // namespace
}  // namespace nicsim::model
