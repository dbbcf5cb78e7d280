#include "jit/common/differential.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

namespace nicsim::jit {
namespace {

TEST(Differential, MasksHostAddressesOnly) {
  EXPECT_EQ(mask_addresses("read at 0x7f12345678 and 0x10"), "read at 0x… and 0x10");
  EXPECT_EQ(mask_addresses("0x123456"), "0x…");
  EXPECT_EQ(mask_addresses("no address"), "no address");
}

// An engine that returns what it is told and scribbles into the raw memory.
class FakeEngine : public ebpf::Engine {
 public:
  FakeEngine(uint64_t r0, uint8_t byte) : r0_(r0), byte_(byte) {}
  std::string_view name() const override { return "fake"; }
  ebpf::ExecutionResult run_xdp(ebpf::XdpFrame&) override { return result(); }
  ebpf::ExecutionResult run_raw(std::span<uint8_t> memory) override {
    if (!memory.empty()) memory[0] = byte_;
    return result();
  }

 private:
  ebpf::ExecutionResult result() const {
    ebpf::ExecutionResult r;
    r.return_value = r0_;
    return r;
  }
  uint64_t r0_;
  uint8_t byte_;
};

EngineFactory fake(uint64_t r0, uint8_t byte) {
  return
      [=](const ebpf::Program&, ebpf::Runtime&) { return std::make_unique<FakeEngine>(r0, byte); };
}

TEST(Differential, ReportsTheFirstDifference) {
  const ebpf::ElfObject object = ebpf::make_single_program_object({});
  const std::vector<DifferentialInput> inputs = {
      DifferentialInput{DifferentialInput::Kind::Raw, {0, 0}}};
  EXPECT_TRUE(compare_engines(object, 0, inputs, fake(1, 5), fake(1, 5)).equal);
  const DifferentialReport r0 = compare_engines(object, 0, inputs, fake(1, 5), fake(2, 5));
  EXPECT_FALSE(r0.equal);
  EXPECT_EQ(r0.difference, "input 0: r0: 0x1 vs 0x2");
  const DifferentialReport memory = compare_engines(object, 0, inputs, fake(1, 5), fake(1, 6));
  EXPECT_FALSE(memory.equal);
  EXPECT_EQ(memory.difference, "input 0: memory byte 0: 0x05 vs 0x06");
}

// An XDP engine whose runs increment the packet's first byte; `once` makes its repeated run a
// single run, as a loop that skipped its runs would.
class CountingEngine : public ebpf::Engine {
 public:
  explicit CountingEngine(bool once) : once_(once) {}
  std::string_view name() const override { return "counting"; }
  ebpf::ExecutionResult run_xdp(ebpf::XdpFrame& frame) override {
    ++frame.data()[0];
    return {};
  }
  ebpf::ExecutionResult run_xdp_repeated(ebpf::XdpFrame& frame, uint32_t repeat) override {
    return once_ ? run_xdp(frame) : Engine::run_xdp_repeated(frame, repeat);
  }
  ebpf::ExecutionResult run_raw(std::span<uint8_t>) override { return {}; }

 private:
  bool once_;
};

EngineFactory counting(bool once) {
  return
      [=](const ebpf::Program&, ebpf::Runtime&) { return std::make_unique<CountingEngine>(once); };
}

TEST(Differential, RepeatedInputsRunRepeatedly) {
  const ebpf::ElfObject object = ebpf::make_single_program_object({});
  DifferentialInput input{DifferentialInput::Kind::Xdp, {0, 0}};
  input.repeat = 3;
  const std::vector<DifferentialInput> inputs = {input};
  EXPECT_TRUE(compare_engines(object, 0, inputs, counting(false), counting(false)).equal);
  const DifferentialReport once =
      compare_engines(object, 0, inputs, counting(false), counting(true));
  EXPECT_EQ(once.difference, "input 0: memory byte 0: 0x03 vs 0x01");
  // Without a repeat, both run once.
  input.repeat = 0;
  EXPECT_TRUE(compare_engines(object, 0, std::vector<DifferentialInput>{input}, counting(false),
                              counting(true))
                  .equal);
}

}  // namespace
}  // namespace nicsim::jit
