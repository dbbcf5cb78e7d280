#pragma once
// Runs one XDP program on the reference interpreter and, compiled by jit/nic, on the model,
// packet by packet on two separate runtimes with the same map contents, and checks that every
// packet gets the same action, output bytes, metadata and redirect target, and that the maps
// end up identical.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ebpf/interp/interpreter.h"
#include "ebpf/runtime/map_json.h"
#include "ebpf/runtime/runtime.h"
#include "jit/nic/compiler.h"
#include "model/engine/model_engine.h"
#include "testbench/traffic/packet.h"

namespace nicsim::model::test {

using TestPacket = traffic::Packet;

using Populate = std::function<void(ebpf::Runtime&)>;

struct DifferentialTotals {
  size_t packets = 0;
  std::array<size_t, ebpf::kNumXdpActions> actions{};
  uint64_t model_cycles = 0;
  uint64_t ebpf_instructions_interp = 0;
};

inline std::string hex(std::span<const uint8_t> bytes) {
  std::string s;
  for (uint8_t b : bytes)
    s += fmt::format("{:02x}", b);
  return s;
}

inline DifferentialTotals run_differential(const ebpf::ElfObject& object,
                                           const ebpf::Program& program, const Populate& populate,
                                           const std::vector<TestPacket>& packets,
                                           const jit::nic::CompileOptions& options,
                                           const ModelConfig& config = {},
                                           const jit::nic::ProgramFacts* facts = nullptr) {
  DifferentialTotals totals;
  ebpf::Runtime interp_runtime(object);
  ebpf::Runtime model_runtime(object);
  if (populate) {
    populate(interp_runtime);
    populate(model_runtime);
  }
  ebpf::Interpreter interpreter(program, interp_runtime);
  jit::nic::CompileResult compiled = jit::nic::compile(program, object, options, facts);
  ModelEngine model(std::move(compiled.image), model_runtime, config);
  uint64_t now = 1'000'000'000;
  for (size_t i = 0; i < packets.size(); ++i) {
    const TestPacket& p = packets[i];
    interp_runtime.set_now_ns(now);
    model_runtime.set_now_ns(now);
    now += 1000;
    ebpf::XdpFrame a(p.bytes, p.ingress_ifindex, p.rx_queue_index);
    ebpf::XdpFrame b(p.bytes, p.ingress_ifindex, p.rx_queue_index);
    const ebpf::ExecutionResult ra = interpreter.run_xdp(a);
    const ebpf::RedirectTarget redirect_a = interp_runtime.redirect();
    const ebpf::ExecutionResult rb = model.run_xdp(b);
    const ebpf::RedirectTarget redirect_b = model.last_outcome().redirect;
    const ebpf::XdpAction action = ebpf::xdp_action_of(ra);
    const std::string where =
        fmt::format("{} packet {} ({} bytes {})", program.display_name(), i, p.bytes.size(),
                    hex(std::span(p.bytes).first(std::min<size_t>(p.bytes.size(), 40))));
    EXPECT_EQ(action, ebpf::xdp_action_of(rb))
        << where << ": interp " << ra.diagnostic << " | model " << rb.diagnostic;
    if (action != ebpf::XdpAction::Aborted) {
      EXPECT_EQ(ra.return_value, rb.return_value) << where;
      EXPECT_EQ(hex(a.packet()), hex(b.packet())) << where;
      EXPECT_EQ(hex(a.metadata()), hex(b.metadata())) << where;
    }
    if (action == ebpf::XdpAction::Redirect) {
      EXPECT_EQ(redirect_a.kind, redirect_b.kind) << where;
      EXPECT_EQ(redirect_a.ifindex, redirect_b.ifindex) << where;
      EXPECT_EQ(redirect_a.map_index, redirect_b.map_index) << where;
      EXPECT_EQ(redirect_a.key, redirect_b.key) << where;
      EXPECT_EQ(redirect_a.flags, redirect_b.flags) << where;
    }
    ++totals.packets;
    ++totals.actions[static_cast<size_t>(action)];
    totals.model_cycles += model.last_outcome().stats.cycles();
    totals.ebpf_instructions_interp += ra.instructions;
  }
  EXPECT_EQ(ebpf::dump_map_contents(interp_runtime).dump(),
            ebpf::dump_map_contents(model_runtime).dump())
      << program.display_name() << ": maps differ after the run";
  return totals;
}

}  // namespace nicsim::model::test
