// Lowering and the refusals: what the NIC cannot run is refused with a reason naming the
// instruction, never compiled into something else.
#include <gtest/gtest.h>

#include "jit/nic/test/test_support.h"

namespace nicsim::jit::nic::test {
namespace {

std::string refusal(std::string_view text, ebpf::ProgramType type = ebpf::ProgramType::Xdp,
                    CompileOptions options = {}) {
  const ebpf::ElfObject object = object_from_asm(text, type);
  try {
    compile_object(object, options);
  } catch (const CompileError& e) {
    return e.what();
  }
  return "";
}

TEST(Lowering, RefusesWhatTheNicCannotRun) {
  EXPECT_EQ(refusal("call 6\nr0 = 0\nexit"),
            "program 'prog': insn 0: helper trace_printk needs the host's trace buffer");
  EXPECT_EQ(refusal("r0 = 0\ncall 69\nexit"),
            "program 'prog': insn 1: helper fib_lookup needs the host's forwarding table");
  EXPECT_EQ(refusal("call 12\nexit"),
            "program 'prog': insn 0: helper tail_call: tail calls are not supported (a NIC image "
            "holds one program)");
  EXPECT_EQ(refusal("call pc+1\nexit\nr0 = 1\nexit"),
            "program 'prog': insn 0: bpf-to-bpf calls are not supported by the NIC core");
  EXPECT_EQ(refusal("r1 = 5\ncallx r1\nexit"),
            "program 'prog': insn 1: indirect calls (callx) are not supported by the NIC");
  EXPECT_NE(
      refusal("r0 = 0\nexit", ebpf::ProgramType::Kprobe).find("type kprobe cannot be offloaded"),
      std::string::npos);
  EXPECT_EQ(
      refusal("*(u8 *)(r10 - 3000) = 1\nr0 = 0\nexit"),
      "program 'prog': insn 0: store-immediate offset -3000 is outside the NIC's -2048..2047");
}

TEST(Lowering, HardwareUnitsAndRoutines) {
  const ebpf::ElfObject object =
      object_from_asm("call 5\nr6 = r0\ncall 7\nr6 += r0\nr1 = 0\nr2 = 0\ncall 23\nr0 = r6\nexit",
                      ebpf::ProgramType::Unspec);
  const CompileResult result = compile_object(object);
  // ktime_get_ns is one operation: it runs in place; get_prandom_u32 is called.
  ASSERT_EQ(result.image.helpers.size(), 2u);
  EXPECT_EQ(result.image.helpers[0].id, 7);
  EXPECT_EQ(result.image.helpers[0].kind, firmware::HelperKind::Routine);
  EXPECT_EQ(result.image.helpers[1].id, 23);
  EXPECT_EQ(result.image.helpers[1].kind, firmware::HelperKind::Unit);
  EXPECT_EQ(count_slots(result.image, [](auto& s) { return is_op(s, firmware::OpClass::CallF); }),
            1u);
  EXPECT_EQ(count_slots(result.image,
                        [](auto& s) {
                          return is_op(s, firmware::OpClass::Movs) &&
                                 s.imm == static_cast<int>(firmware::SpecialReg::TimeNs);
                        }),
            1u);
  EXPECT_GT(result.report.routine_bundles, 0u);
}

TEST(Lowering, WideConstantsUseThePool) {
  const ebpf::ElfObject object = object_from_asm(
      "r0 = 0x123456789abcdef ll\nr1 = 0xffffffff ll\nr0 += r1\nexit", ebpf::ProgramType::Unspec);
  CompileOptions options = CompileOptions::unoptimised();
  const CompileResult result = compile_object(object, options);
  ASSERT_EQ(result.image.constants.size(), 1u) << "0xffffffff is a zero-extended mov.32";
  EXPECT_EQ(result.image.constants[0], 0x123456789abcdefull);
  EXPECT_EQ(run_raw_on_model(object, {}, options), 0x123456789abcdefull + 0xffffffffull);
}

TEST(Lowering, MapHandlesAndDirectValues) {
  const ebpf::ElfObject object =
      object_from_asm("r1 = map[id:0]\nr0 = map[id:1]\nexit", ebpf::ProgramType::Unspec,
                      {array_map("a", 8, 4), array_map("b", 12, 1)});
  const CompileResult result = compile_object(object, CompileOptions::unoptimised());
  ASSERT_EQ(result.image.maps.size(), 2u);
  EXPECT_EQ(result.image.maps[0].base, 0x40000000u);
  EXPECT_EQ(result.image.maps[1].stride, 16u);
  EXPECT_EQ(result.image.maps[1].base % 4096, 0u);
  EXPECT_GE(result.image.maps[1].base, result.image.maps[0].base + 4 * 8);
  EXPECT_EQ(run_raw_on_model(object, {}, CompileOptions::unoptimised()), 0x60001000u);
}

TEST(Lowering, EveryInstructionIsCountedOnce) {
  const ebpf::ElfObject object = object_from_asm(
      "r2 = 1\nr3 = r2\nr3 += 4\nr1 = le64 r1\nif r3 > 2 goto +1\nr0 = 0\nr0 = 2\nexit",
      ebpf::ProgramType::Unspec);
  for (const CompileOptions& options : {CompileOptions{}, CompileOptions::unoptimised()}) {
    const firmware::Image image = compile_object(object, options).image;
    std::vector<int> seen(object.programs[0].insns.size(), 0);
    for (const auto& list : image.origins)
      for (uint32_t i : list)
        ++seen[i];
    for (size_t i = 0; i < seen.size(); ++i)
      EXPECT_LE(seen[i], 1) << "insn " << i;
  }
}

}  // namespace
}  // namespace nicsim::jit::nic::test
