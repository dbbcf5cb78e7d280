// Loads, stores and atomics on the JIT backends against the interpreter: every size, register
// and addressing form (AArch64 has a scaled 12-bit, an unscaled 9-bit and a register-offset
// form, chosen by offset), checked accesses that must abort with the interpreter's
// diagnostic, exclusive-pair atomics (and the misaligned ones they cannot do), xdp_md
// context loads, packet moves, map values and the legacy packet loads.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "ebpf/runtime/helpers.h"
#include "ebpf/runtime/xdp.h"
#include "jit/test/jit_fixture.h"

namespace nicsim::jit::test {
namespace {

class JitMemory : public JitTest {};

using namespace ebpf;  // opcode constants

std::vector<uint8_t> pattern(size_t n) {
  std::vector<uint8_t> bytes(n);
  for (size_t i = 0; i < n; ++i)
    bytes[i] = static_cast<uint8_t>(0x81 + 37 * i);
  return bytes;
}

const char* type_name(int size) {
  return size == 1 ? "u8" : size == 2 ? "u16" : size == 4 ? "u32" : "u64";
}

std::string offset_text(int offset) {
  return offset < 0 ? fmt::format("- {}", -offset) : fmt::format("+ {}", offset);
}

std::vector<Instruction> concat(std::initializer_list<std::vector<Instruction>> parts) {
  std::vector<Instruction> all;
  for (const auto& part : parts)
    all.insert(all.end(), part.begin(), part.end());
  return all;
}

Instruction atomic(int size, int32_t op, int dst, int src, int16_t offset) {
  return make_insn(static_cast<uint8_t>(kClassStx | kModeAtomic | (size == 8 ? kSizeDw : kSizeW)),
                   static_cast<uint8_t>(dst), static_cast<uint8_t>(src), offset, op);
}

TEST_P(JitMemory, LoadsOfEverySizeAndSignIntoEveryRegister) {
  for (int size : {1, 2, 4, 8}) {
    for (bool sign : {false, true}) {
      if (sign && size == 8) continue;
      for (int dst = 0; dst <= 9; ++dst) {
        for (int base = 0; base <= 9; ++base) {
          // base = r1 + 8, then dst = [base + 5]; return dst.
          const std::string p = fmt::format(
              "r6 = r1\nr{1} = r6\nr{1} += 8\nr{0} = *({2} *)(r{1} + 5)\nr0 = r{0}\nexit", dst,
              base, fmt::format("{}{}", sign ? 's' : 'u', size * 8));
          SCOPED_TRACE(p);
          expect_same(p, {raw_input(pattern(32))});
        }
      }
    }
  }
}

TEST_P(JitMemory, StoresOfEverySizeFromEveryRegister) {
  for (int size : {1, 2, 4, 8}) {
    for (int src = 0; src <= 9; ++src) {
      for (int base = 0; base <= 9; ++base) {
        // Pointers differ between the two worlds: never store one.
        if (src == 1 || src == 6 || src == base) continue;
        const std::string p = fmt::format(
            "r6 = r1\nr{0} = 0x8877665544332211 ll\nr{1} = r6\nr{1} += 3\n"
            "*({2} *)(r{1} - 2) = r{0}\n*({2} *)(r6 + 16) = -0x12345678\nr0 = 0\nexit",
            src, base, type_name(size));
        SCOPED_TRACE(p);
        expect_same(p, {raw_input(pattern(32))});
      }
    }
  }
}

// Offsets that take each AArch64 addressing form: scaled unsigned (0, multiples of the size),
// unscaled signed 9-bit (odd, negative down to -256) and a register index (below -256, above
// the scaled range, or unaligned and past 255).
TEST_P(JitMemory, EveryOffsetFormOnTheStackAndThroughPointers) {
  for (int size : {1, 2, 4, 8}) {
    std::string p = "r6 = r1\nr7 = 0\n";
    for (int offset : {-512, -511, -300, -257, -256, -255, -100, -17, -16}) {
      p += fmt::format("*({0} *)(r10 {1}) = {2}\n", type_name(size), offset_text(offset),
                       offset * 3 + 1);
      p += fmt::format("r2 = *({0} *)(r10 {1})\nr7 += r2\n", type_name(size), offset_text(offset));
      p += fmt::format("*({0} *)(r6 {1}) = r7\n", type_name(size), offset_text(offset + 512));
    }
    // Through a pointer: checked accesses compute the address (12-bit add, or a register).
    for (int offset : {0, 3, 255, 256, 4095, 4096, 5001, 8000}) {
      p += fmt::format("r2 = *({0} *)(r6 {1})\nr7 ^= r2\n", type_name(size), offset_text(offset));
      p += fmt::format("*({0} *)(r6 {1}) = r7\n", type_name(size), offset_text(offset + 4));
    }
    p += "r0 = r7\nexit\n";
    SCOPED_TRACE(p);
    expect_same(p, {raw_input(pattern(8192))});
  }
}

TEST_P(JitMemory, StackAccessesThroughR10AndThroughCopies) {
  const char* p = R"(
    *(u64 *)(r10 - 512) = 0x11223344
    *(u8 *)(r10 - 1) = 0x7f
    r2 = r10
    r2 += -256
    *(u32 *)(r2 + 0) = -3
    r3 = *(u64 *)(r10 - 512)
    r4 = *(u32 *)(r10 - 256)
    r5 = *(u8 *)(r2 + 255)
    r0 = r3
    r0 += r4
    r0 += r5
    r6 = *(u64 *)(r10 - 100)
    r0 += r6
    exit
  )";
  // Unwritten stack reads as zero in both engines, run after run.
  expect_same(p, {raw_input(), raw_input()});
}

TEST_P(JitMemory, OutOfBoundsAccessesAbortWithTheInterpretersDiagnostic) {
  const std::vector<std::vector<Instruction>> programs = {
      assemble("r0 = *(u64 *)(r10 - 520)\nexit"),  // below the frame
      assemble("r0 = *(u32 *)(r10 + 0)\nexit"),    // above the stack
      assemble("*(u8 *)(r10 + 8) = 1\nr0 = 0\nexit"),
      assemble("r0 = *(u8 *)(r1 + 16)\nexit"),   // past raw memory
      assemble("r0 = *(u64 *)(r1 + 12)\nexit"),  // straddles the end
      assemble("r0 = *(u8 *)(r1 - 1)\nexit"),    // before it
      assemble("*(u64 *)(r1 + 9) = r1\nr0 = 0\nexit"),
      assemble("r2 = 0\nr0 = *(u64 *)(r2 + 0)\nexit"),  // null
      assemble("r2 = -1 ll\nr0 = *(u16 *)(r2 + 0)\nexit"),
      concat({{atomic(8, kAtomicAdd, 1, 2, 16)}, assemble("r0 = 0\nexit")}),
      concat({{atomic(4, kAtomicCmpxchg, 10, 2, 0)}, assemble("exit")}),
      concat({{atomic(8, kAtomicXchg, 10, 2, -516)}, assemble("exit")}),
  };
  for (size_t i = 0; i < programs.size(); ++i) {
    SCOPED_TRACE(fmt::format("program {}", i));
    const auto results = expect_same(programs[i], {raw_input(pattern(16))});
    ASSERT_EQ(results.size(), 1u);
    EXPECT_TRUE(results[0].aborted);
    EXPECT_NE(results[0].diagnostic.find("insn"), std::string::npos) << results[0].diagnostic;
  }
}

TEST_P(JitMemory, AtomicsOfBothSizesWithEveryRegisterPair) {
  for (int size : {4, 8}) {
    for (int32_t op : kAtomicOperations) {
      for (int base = 0; base <= 9; ++base) {
        for (int src = 0; src <= 9; ++src) {
          if (src == base) continue;
          // Memory: the stack slot fp-16, holding a pattern; base points at fp-24.
          std::string prefix = fmt::format(
              "r7 = 0xf0e1d2c3b4a59687 ll\n*(u64 *)(r10 - 16) = r7\nr{} = 0x0f1e2d3c0f1e2d3c ll\n",
              src);
          if (src != 0 && base != 0)
            prefix +=
                fmt::format("r0 = {:#x} ll\n", op == kAtomicCmpxchg ? 0xf0e1d2c3b4a59687ull : 5);
          prefix += fmt::format("r{0} = r10\nr{0} += -24\n", base);
          std::string suffix;
          if (base == 0 && op != kAtomicCmpxchg) suffix += "r0 = 0\n";  // r0 held the address
          // Result: r0, src and the memory word, all mixed.
          suffix += fmt::format(
              "r8 = *(u64 *)(r10 - 16)\nr8 ^= r{}\nr8 <<= 1\nr8 ^= r0\nr0 = r8\nexit", src);
          SCOPED_TRACE(fmt::format("atomic {:#x} size {} [r{}+8], r{}", op, size, base, src));
          expect_same(
              concat({assemble(prefix), {atomic(size, op, base, src, 8)}, assemble(suffix)}),
              {raw_input()});
        }
      }
    }
  }
}

// Exclusive loads and stores fault on misaligned addresses; eBPF allows them, so the JIT takes
// a plain read-modify-write there. The result must be the ISA's, at every misalignment.
TEST_P(JitMemory, MisalignedAtomicsStillComputeTheIsaResult) {
  for (int size : {4, 8}) {
    for (int32_t op : kAtomicOperations) {
      for (int offset : {1, 2, 3, 5, 6, 7}) {
        if (size == 4 && offset > 3) continue;
        const auto prefix = assemble(
            "r2 = 0x0f1e2d3c4b5a6978 ll\nr0 = *(u64 *)(r1 + 0)\n"
            "*(u64 *)(r10 - 8) = r1\n");
        const auto suffix = assemble(
            "r1 = *(u64 *)(r10 - 8)\n*(u64 *)(r1 + 16) = r0\n*(u64 *)(r1 + 24) = r2\nr0 = 0\nexit");
        SCOPED_TRACE(fmt::format("atomic {:#x} size {} at +{}", op, size, offset));
        std::vector<uint8_t> memory = pattern(32);
        // For cmpxchg, make r0 (the first 8 bytes) equal the operand at `offset` half the time.
        if (op == kAtomicCmpxchg && offset % 2 == 1)
          std::memcpy(memory.data(), memory.data() + offset, 8);
        const auto insns =
            concat({prefix, {atomic(size, op, 1, 2, static_cast<int16_t>(offset))}, suffix});
        expect_same(insns, {raw_input(memory)});

        // Independently: the memory word after the operation.
        uint64_t before = 0, operand = 0x0f1e2d3c4b5a6978, r0 = 0;
        std::memcpy(&before, memory.data() + offset, static_cast<size_t>(size));
        std::memcpy(&r0, memory.data(), 8);
        const uint64_t mask = size == 8 ? ~uint64_t{0} : 0xffffffffu;
        uint64_t after = before;
        switch (op & ~kAtomicFetch) {
          case kAtomicAdd:
            after = (before + operand) & mask;
            break;
          case kAtomicOr:
            after = before | (operand & mask);
            break;
          case kAtomicAnd:
            after = before & operand;
            break;
          case kAtomicXor:
            after = (before ^ operand) & mask;
            break;
          default:
            if (op == kAtomicXchg) after = operand & mask;
            if (op == kAtomicCmpxchg) after = (before == (r0 & mask)) ? (operand & mask) : before;
        }
        JitRun run(target(), insns);
        const ebpf::ExecutionResult result = run.raw(memory);
        ASSERT_FALSE(result.aborted) << result.diagnostic;
        uint64_t word = 0;
        std::memcpy(&word, memory.data() + offset, static_cast<size_t>(size));
        EXPECT_EQ(word, after);
      }
    }
  }
}

TEST_P(JitMemory, CmpxchgSucceedsAndFailsAsTheIsaSays) {
  // Independent of the interpreter: r0 gets the old value either way (32-bit: zero-extended),
  // memory changes only when r0 matched.
  for (bool match : {false, true}) {
    const auto insns =
        concat({assemble(fmt::format("r2 = 0x1111111122222222 ll\n*(u64 *)(r10 - 8) = r2\n"
                                     "r0 = {:#x} ll\nr3 = 0x4444444455555555 ll\n",
                                     match ? 0xffffffff22222222ull : 0x33ull)),
                {atomic(4, kAtomicCmpxchg, 10, 3, -8)},
                assemble("r4 = *(u64 *)(r10 - 8)\n*(u64 *)(r1 + 0) = r0\n*(u64 *)(r1 + 8) = r4\n"
                         "r0 = 0\nexit")});
    JitRun run(target(), insns);
    std::vector<uint8_t> memory(16);
    const ebpf::ExecutionResult result = run.raw(memory);
    ASSERT_FALSE(result.aborted) << result.diagnostic;
    uint64_t r0, word;
    std::memcpy(&r0, memory.data(), 8);
    std::memcpy(&word, memory.data() + 8, 8);
    EXPECT_EQ(r0, 0x22222222u);
    EXPECT_EQ(word, match ? 0x1111111155555555ull : 0x1111111122222222ull);
  }
}

TEST_P(JitMemory, XdpContextFieldsAndPacketAccess) {
  const char* p = R"(
    r2 = *(u32 *)(r1 + 0)
    r3 = *(u32 *)(r1 + 4)
    r4 = *(u32 *)(r1 + 12)
    r5 = *(u32 *)(r1 + 16)
    r6 = *(u64 *)(r1 + 8)
    r0 = r3
    r0 -= r2
    r0 += r4
    r0 += r5
    r6 -= r2
    r0 += r6
    r7 = r2
    r7 += 14
    if r7 > r3 goto out
    r8 = *(u16 *)(r2 + 12)
    r0 += r8
    *(u8 *)(r2 + 0) = 0x55
  out:
    exit
  )";
  expect_same(p, {xdp_input(pattern(60)), xdp_input(pattern(10))}, {}, ProgramType::Xdp);
}

TEST_P(JitMemory, PacketRangeFollowsAdjustHeadAndTail) {
  // Grow the head by 8 and the tail by 16, then write the new bytes at both ends; shrink the
  // head by 20 and read past the new end (must abort when the packet is short).
  const std::string p = fmt::format(R"(
    r6 = r1
    r2 = -8
    call {0}
    r7 = r0
    r1 = r6
    r2 = 16
    call {1}
    r7 += r0
    r2 = *(u32 *)(r6 + 0)
    r3 = *(u32 *)(r6 + 4)
    *(u64 *)(r2 + 0) = 0x1111
    *(u64 *)(r3 - 8) = 0x2222
    r1 = r6
    r2 = 20
    call {0}
    r7 += r0
    r2 = *(u32 *)(r6 + 0)
    r4 = *(u8 *)(r2 + 60)
    r7 += r4
    r0 = r7
    exit
  )",
                                    ebpf::kHelperXdpAdjustHead, ebpf::kHelperXdpAdjustTail);
  const auto results =
      expect_same(p, {xdp_input(pattern(64)), xdp_input(pattern(44))}, {}, ProgramType::Xdp);
  EXPECT_FALSE(results.at(0).aborted) << results[0].diagnostic;  // 68 bytes at the end
  EXPECT_TRUE(results.at(1).aborted);                            // 48 bytes: byte 60 is past it
}

TEST_P(JitMemory, BadContextAccessesAbortLikeTheInterpreter) {
  const char* programs[] = {
      "r0 = *(u16 *)(r1 + 0)\nexit",          // half of data
      "r0 = *(s32 *)(r1 + 12)\nexit",         // sign-extending
      "r0 = *(u32 *)(r1 + 2)\nexit",          // misaligned field
      "*(u32 *)(r1 + 12) = 3\nr0 = 0\nexit",  // the context is read-only
      "r0 = *(u32 *)(r1 + 24)\nexit",         // past xdp_md
  };
  for (const char* p : programs) {
    SCOPED_TRACE(p);
    const auto results = expect_same(p, {xdp_input(pattern(40))}, {}, ProgramType::Xdp);
    EXPECT_TRUE(results.at(0).aborted);
  }
}

TEST_P(JitMemory, LegacyPacketLoads) {
  for (int size : {1, 2, 4}) {
    for (int32_t offset : {0, 1, 12, 58, 59, 60, -1, 100000}) {
      const std::string p = fmt::format(
          "r6 = r1\nr0 = *(u{0} *)skb[{1}]\nr7 = r0\nr8 = 3\nr0 = *(u{0} *)skb[r8 {2}]\n"
          "r0 += r7\nexit",
          size * 8, offset, offset_text(offset));
      SCOPED_TRACE(p);
      expect_same(p, {xdp_input(pattern(60))}, {}, ProgramType::Xdp);
      expect_same(p, {raw_input(pattern(60))});
    }
  }
}

TEST_P(JitMemory, MapValuesThroughHelpersAndLddw) {
  ElfObject object;
  object.path = "maps";
  MapDefinition array;
  array.name = "array";
  array.type = MapType::Array;
  array.key_size = 4;
  array.value_size = 16;
  array.max_entries = 4;
  object.maps.push_back(array);
  MapDefinition hash = array;
  hash.name = "hash";
  hash.type = MapType::Hash;
  hash.key_size = 8;
  hash.value_size = 8;
  object.maps.push_back(hash);

  const std::string text = fmt::format(R"(
    *(u32 *)(r10 - 4) = 2
    r1 = map[id:0]
    r2 = r10
    r2 += -4
    call {0}
    if r0 == 0 goto skip
    r3 = *(u64 *)(r0 + 8)
    r3 += 7
    *(u64 *)(r0 + 8) = r3
    r3 = atomic_fetch_add((u64 *)(r0 + 0), r3)
  skip:
    r6 = map[id:0][0]+4
    r7 = *(u32 *)(r6 + 0)
    r7 += 1
    *(u32 *)(r6 + 0) = r7
    *(u64 *)(r10 - 16) = r7
    *(u64 *)(r10 - 24) = 99
    r1 = map[id:1]
    r2 = r10
    r2 += -16
    r3 = r10
    r3 += -24
    r4 = 0
    call {1}
    r8 = map[id:0][0]+0
    r9 = *(u32 *)(r8 + 12)
    if r7 != 3 goto done
    r9 = *(u64 *)(r8 + 12)
  done:
    r0 = r7
    exit
  )",
                                       ebpf::kHelperMapLookupElem, ebpf::kHelperMapUpdateElem);
  Program program;
  program.section = program.function = "maps";
  program.insns = assemble(text);
  object.programs.push_back(program);
  // Reading past the 16-byte value must abort (the value is not a fast range).
  const auto results = expect_same(object, {raw_input(), raw_input(), raw_input(), raw_input()});
  EXPECT_FALSE(results.at(1).aborted) << results[1].diagnostic;
  EXPECT_TRUE(results.at(2).aborted);
}

NICSIM_INSTANTIATE_FOR_EVERY_TARGET(JitMemory);

}  // namespace
}  // namespace nicsim::jit::test
