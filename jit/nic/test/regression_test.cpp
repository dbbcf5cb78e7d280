// Programs the differential fuzzer (docs/fuzzing.md) found the NIC computing differently from
// the interpreter, reduced by hand; each runs verified-compiled on the model against the
// interpreter.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "jit/nic/test/test_support.h"
#include "jit/nic/verified.h"

namespace nicsim::jit::nic::test {
namespace {

// Compiles `object` as the fuzzer does (with the verifier's facts) and, without them, with the
// local analysis only; both must return what the interpreter returns on every frame.
void expect_verified_same_as_interpreter(const ebpf::ElfObject& object,
                                         const std::vector<std::vector<uint8_t>>& frames) {
  const auto verified = verifier::verify_program(object, object.programs[0]);
  for (const bool with_verifier : {true, false}) {
    const CompileResult compiled = with_verifier ? compile(verified) : compile_object(object);
    ebpf::Runtime interp_runtime(object), model_runtime(object);
    ebpf::Interpreter interpreter(object.programs[0], interp_runtime);
    model::ModelEngine model(compiled.image, model_runtime);
    for (size_t i = 0; i < frames.size(); ++i) {
      ebpf::XdpFrame a(frames[i]), b(frames[i]);
      const auto ra = interpreter.run_xdp(a);
      const auto rb = model.run_xdp(b);
      ASSERT_EQ(ra.aborted, rb.aborted) << rb.diagnostic;
      EXPECT_EQ(ra.return_value, rb.return_value)
          << "frame " << i << (with_verifier ? " (verifier facts)" : " (local facts)") << "\n"
          << disassemble_image(compiled.image);
      EXPECT_TRUE(std::ranges::equal(a.packet(), b.packet())) << "frame " << i;
    }
  }
}

// Fuzzer seed 9526: a sign-extending packet load after a packet store returned its value
// zero-extended. The frame's bytes 0x80.. make every loaded value negative.
TEST(FuzzRegression, SignExtendingPacketLoadsKeepTheSign) {
  for (const char* type : {"s8", "s16", "s32"}) {
    const auto object = object_from_asm(fmt::format(R"(
      r6 = r1
      *(u64 *)(r10 - 8) = 3
      *(u64 *)(r10 - 16) = -3
      call 8
      r8 = *(u32 *)(r6 + 0)
      r9 = *(u32 *)(r6 + 4)
      r8 += 18
      if r8 > r9 goto out
      *(u16 *)(r8 - 5) = r0
      r0 = *({} *)(r8 - 12)
    out:
      exit
    )",
                                                    type));
    SCOPED_TRACE(type);
    expect_verified_same_as_interpreter(object, {frame_of(64, 0x80), frame_of(64, 0x01)});
  }
}

// Fuzzer seed 6300: `w5 %= 0` must leave the low half of w5, zero-extended (RFC 9669); on
// a value from the packet (upper half set by the 0xf0.. frame) and on the constant 128, whose
// `& 7` (giving 0) the compiler dropped when it took `128 % 0` for a 0-bit value.
TEST(FuzzRegression, ThirtyTwoBitModuloByZeroKeepsTheLowHalf) {
  for (const char* divisor : {"0", "r4"}) {
    const auto object = object_from_asm(fmt::format(R"(
      r4 = 0
      r0 = 1
      r8 = *(u32 *)(r1 + 0)
      r9 = *(u32 *)(r1 + 4)
      r8 += 8
      if r8 > r9 goto out
      r5 = *(u64 *)(r8 - 8)
      w5 %= {0}
      r0 = r5
      *(u64 *)(r10 - 40) = 128
      r5 = *(u64 *)(r10 - 40)
      w5 %= {0}
      r8 = r5
      r8 &= 7
      *(u32 *)(r10 - 72) = r8
      r5 = *(u32 *)(r10 - 72)
      r0 += r5
    out:
      exit
    )",
                                                    divisor));
    SCOPED_TRACE(divisor);
    expect_verified_same_as_interpreter(object, {frame_of(64, 0xf0), frame_of(64, 0x01)});
  }
}

}  // namespace
}  // namespace nicsim::jit::nic::test
