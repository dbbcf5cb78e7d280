// Loads, stores and atomics on the JIT against the interpreter: every size, register and
// addressing case, checked accesses that must abort (with the interpreter's diagnostic),
// xdp_md context loads, map values and the legacy packet loads.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "ebpf/runtime/helpers.h"
#include "jit/x86_64/test/jit_test_support.h"
#include "jit/x86_64/test/program_builder.h"

namespace nicsim::jit::test {
namespace {

class X86Memory : public ::testing::Test {
 protected:
  void SetUp() override { NICSIM_REQUIRE_X86_64_HOST(); }
};

std::vector<uint8_t> pattern(size_t n) {
  std::vector<uint8_t> bytes(n);
  for (size_t i = 0; i < n; ++i)
    bytes[i] = static_cast<uint8_t>(0x81 + 37 * i);
  return bytes;
}

constexpr uint8_t kSizes[] = {kSizeB, kSizeH, kSizeW, kSizeDw};

TEST_F(X86Memory, LoadsOfEverySizeAndSignIntoEveryRegister) {
  for (uint8_t size : kSizes) {
    for (bool sign : {false, true}) {
      if (sign && size == kSizeDw) continue;
      for (int dst = 0; dst <= 9; ++dst) {
        for (int base = 0; base <= 9; ++base) {
          ProgramBuilder p;
          // base = r1 + 8, then load from base + 5 into dst; return dst.
          p.mov64r(6, 1);
          p.mov64r(base, 6).alu64(kAluAdd, base, 8);
          if (sign)
            p.ldxs(size, dst, base, 5);
          else
            p.ldx(size, dst, base, 5);
          p.mov64r(0, dst).exit();
          SCOPED_TRACE(fmt::format("size {:#x} sign {} r{} <- [r{}+5]", size, sign, dst, base));
          expect_same(p.build(), {raw_input(pattern(32))});
        }
      }
    }
  }
}

TEST_F(X86Memory, StoresOfEverySizeFromEveryRegister) {
  for (uint8_t size : kSizes) {
    for (int src = 0; src <= 9; ++src) {
      for (int base = 0; base <= 9; ++base) {
        // Pointers differ between the two worlds: never store one.
        if (src == 1 || src == 6 || src == base) continue;
        ProgramBuilder p;
        p.mov64r(6, 1);
        p.lddw(src, 0x8877665544332211ull);
        p.mov64r(base, 6).alu64(kAluAdd, base, 3);
        p.stx(size, base, src, -2);
        p.st(size, 6, 16, -0x12345678);
        p.mov64(0, 0).exit();
        SCOPED_TRACE(fmt::format("size {:#x} [r{}-2] <- r{}", size, base, src));
        expect_same(p.build(), {raw_input(pattern(32))});
      }
    }
  }
}

TEST_F(X86Memory, StackAccessesThroughR10AndThroughCopies) {
  ProgramBuilder p;
  p.st(kSizeDw, 10, -512, 0x11223344);
  p.st(kSizeB, 10, -1, 0x7f);
  p.mov64r(2, 10).alu64(kAluAdd, 2, -256);
  p.st(kSizeW, 2, 0, -3);
  p.ldx(kSizeDw, 3, 10, -512);
  p.ldx(kSizeW, 4, 10, -256);
  p.ldx(kSizeB, 5, 2, 255);
  p.mov64r(0, 3).alu64r(kAluAdd, 0, 4).alu64r(kAluAdd, 0, 5);
  // Unwritten stack reads as zero in both engines.
  p.ldx(kSizeDw, 6, 10, -100).alu64r(kAluAdd, 0, 6);
  p.exit();
  expect_same(p.build(), {raw_input(), raw_input()});
}

TEST_F(X86Memory, OutOfBoundsAccessesAbortWithTheInterpretersDiagnostic) {
  const std::vector<std::vector<ebpf::Instruction>> programs = {
      ProgramBuilder().ldx(kSizeDw, 0, 10, -520).exit().build(),  // below the frame
      ProgramBuilder().ldx(kSizeW, 0, 10, 0).exit().build(),      // above the stack
      ProgramBuilder().st(kSizeB, 10, 8, 1).mov64(0, 0).exit().build(),
      ProgramBuilder().ldx(kSizeB, 0, 1, 16).exit().build(),   // past raw memory
      ProgramBuilder().ldx(kSizeDw, 0, 1, 12).exit().build(),  // straddles the end
      ProgramBuilder().ldx(kSizeB, 0, 1, -1).exit().build(),   // before it
      ProgramBuilder().stx(kSizeDw, 1, 1, 9).mov64(0, 0).exit().build(),
      ProgramBuilder().mov64(2, 0).ldx(kSizeDw, 0, 2, 0).exit().build(),  // null
      ProgramBuilder().lddw(2, 0xffffffffffffffff).ldx(kSizeH, 0, 2, 0).exit().build(),
      ProgramBuilder().atomic(kSizeDw, kAtomicAdd, 1, 2, 16).mov64(0, 0).exit().build(),
      ProgramBuilder().atomic(kSizeW, kAtomicCmpxchg, 10, 2, 0).exit().build(),
  };
  for (size_t i = 0; i < programs.size(); ++i) {
    SCOPED_TRACE(fmt::format("program {}", i));
    const auto results = expect_same(programs[i], {raw_input(pattern(16))});
    ASSERT_EQ(results.size(), 1u);
    EXPECT_TRUE(results[0].aborted);
    EXPECT_NE(results[0].diagnostic.find("insn"), std::string::npos) << results[0].diagnostic;
  }
}

TEST_F(X86Memory, AtomicsOfBothSizesWithEveryRegisterPair) {
  const int32_t ops[] = {kAtomicAdd,
                         kAtomicOr,
                         kAtomicAnd,
                         kAtomicXor,
                         kAtomicAdd | kAtomicFetch,
                         kAtomicOr | kAtomicFetch,
                         kAtomicAnd | kAtomicFetch,
                         kAtomicXor | kAtomicFetch,
                         kAtomicXchg,
                         kAtomicCmpxchg};
  for (uint8_t size : {kSizeW, kSizeDw}) {
    for (int32_t op : ops) {
      for (int base = 0; base <= 9; ++base) {
        for (int src = 0; src <= 9; ++src) {
          if (src == base) continue;
          ProgramBuilder p;
          // Memory: the stack slot fp-16, holding a pattern; base points at fp-24.
          p.lddw(7, 0xf0e1d2c3b4a59687ull).stx(kSizeDw, 10, 7, -16);
          p.lddw(src, 0x0f1e2d3c0f1e2d3cull);
          if (src != 0 && base != 0) p.lddw(0, op == kAtomicCmpxchg ? 0xf0e1d2c3b4a59687ull : 5);
          p.mov64r(base, 10).alu64(kAluAdd, base, -24);
          p.atomic(size, op, base, src, 8);
          if (base == 0 && op != kAtomicCmpxchg) p.mov64(0, 0);  // r0 held the address
          // Result: r0 + src + the memory word, all mixed.
          p.ldx(kSizeDw, 8, 10, -16);
          p.alu64r(kAluXor, 8, src).alu64(kAluLsh, 8, 1).alu64r(kAluXor, 8, 0).mov64r(0, 8).exit();
          SCOPED_TRACE(fmt::format("atomic {:#x} size {:#x} [r{}+8], r{}", op, size, base, src));
          expect_same(p.build(), {raw_input()});
        }
      }
    }
  }
}

TEST_F(X86Memory, CmpxchgSucceedsAndFailsAsTheIsaSays) {
  // Independent of the interpreter: r0 gets the old value either way (32-bit: zero-extended),
  // memory changes only when r0 matched.
  for (bool match : {false, true}) {
    ProgramBuilder p;
    p.lddw(2, 0x1111111122222222).stx(kSizeDw, 10, 2, -8);
    p.lddw(0, match ? 0xffffffff22222222 : 0x33);
    p.lddw(3, 0x4444444455555555);
    p.atomic(kSizeW, kAtomicCmpxchg, 10, 3, -8);
    p.ldx(kSizeDw, 4, 10, -8);
    p.stx(kSizeDw, 1, 0, 0).stx(kSizeDw, 1, 4, 8).mov64(0, 0).exit();
    JitRun run(p.build());
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

ebpf::ElfObject xdp_object(std::vector<ebpf::Instruction> insns) {
  return ebpf::make_single_program_object(std::move(insns), ebpf::ProgramType::Xdp);
}

TEST_F(X86Memory, XdpContextFieldsAndPacketAccess) {
  ProgramBuilder p;
  p.ldx(kSizeW, 2, 1, kXdpMdData);
  p.ldx(kSizeW, 3, 1, kXdpMdDataEnd);
  p.ldx(kSizeW, 4, 1, kXdpMdIngressIfindex);
  p.ldx(kSizeW, 5, 1, kXdpMdRxQueueIndex);
  p.ldx(kSizeDw, 6, 1, kXdpMdDataMeta);
  p.mov64r(0, 3).alu64r(kAluSub, 0, 2);  // packet length
  p.alu64r(kAluAdd, 0, 4).alu64r(kAluAdd, 0, 5);
  p.alu64r(kAluSub, 6, 2).alu64r(kAluAdd, 0, 6);  // data_meta - data (0)
  p.mov64r(7, 2).alu64(kAluAdd, 7, 14);
  p.jmpr(kJmpJgt, 7, 3, "out");
  p.ldx(kSizeH, 8, 2, 12).alu64r(kAluAdd, 0, 8);  // ethertype
  p.st(kSizeB, 2, 0, 0x55);                       // write the packet
  p.label("out").exit();
  expect_same(xdp_object(p.build()), {xdp_input(pattern(60)), xdp_input(pattern(10))});
}

TEST_F(X86Memory, PacketRangeFollowsAdjustHeadAndTail) {
  // Grow the head by 8 and the tail by 16, then write the new bytes at both ends; shrink the
  // head by 20 and read past the new end (must abort when the packet is short).
  ProgramBuilder p;
  p.mov64r(6, 1);
  p.mov64(2, -8).call(ebpf::kHelperXdpAdjustHead).mov64r(7, 0);
  p.mov64r(1, 6).mov64(2, 16).call(ebpf::kHelperXdpAdjustTail).alu64r(kAluAdd, 7, 0);
  p.ldx(kSizeW, 2, 6, kXdpMdData).ldx(kSizeW, 3, 6, kXdpMdDataEnd);
  p.st(kSizeDw, 2, 0, 0x1111).st(kSizeDw, 3, -8, 0x2222);
  p.mov64r(1, 6).mov64(2, 20).call(ebpf::kHelperXdpAdjustHead).alu64r(kAluAdd, 7, 0);
  p.ldx(kSizeW, 2, 6, kXdpMdData).ldx(kSizeB, 4, 2, 60).alu64r(kAluAdd, 7, 4);
  p.mov64r(0, 7).exit();
  const auto results =
      expect_same(xdp_object(p.build()), {xdp_input(pattern(64)), xdp_input(pattern(44))});
  EXPECT_FALSE(results.at(0).aborted) << results[0].diagnostic;  // 68 bytes at the end
  EXPECT_TRUE(results.at(1).aborted);                            // 48 bytes: byte 60 is past it
}

TEST_F(X86Memory, BadContextAccessesAbortLikeTheInterpreter) {
  const std::vector<std::vector<ebpf::Instruction>> programs = {
      ProgramBuilder().ldx(kSizeH, 0, 1, 0).exit().build(),              // half of data
      ProgramBuilder().ldxs(kSizeW, 0, 1, 12).exit().build(),            // sign-extending
      ProgramBuilder().ldx(kSizeW, 0, 1, 2).exit().build(),              // misaligned field
      ProgramBuilder().st(kSizeW, 1, 12, 3).mov64(0, 0).exit().build(),  // the context is read-only
      ProgramBuilder().ldx(kSizeW, 0, 1, 24).exit().build(),             // past xdp_md
  };
  for (size_t i = 0; i < programs.size(); ++i) {
    SCOPED_TRACE(fmt::format("program {}", i));
    const auto results = expect_same(xdp_object(programs[i]), {xdp_input(pattern(40))});
    EXPECT_TRUE(results.at(0).aborted);
  }
}

TEST_F(X86Memory, LegacyPacketLoads) {
  for (uint8_t size : {kSizeB, kSizeH, kSizeW}) {
    for (int32_t offset : {0, 1, 12, 58, 59, 60, -1, 100000}) {
      ProgramBuilder p;
      p.mov64r(6, 1).ld_abs(size, offset).mov64r(7, 0);
      p.mov64(8, 3).ld_ind(size, 8, offset).alu64r(kAluAdd, 0, 7).exit();
      SCOPED_TRACE(fmt::format("size {:#x} offset {}", size, offset));
      expect_same(xdp_object(p.build()), {xdp_input(pattern(60))});
      expect_same(p.build(), {raw_input(pattern(60))});
    }
  }
}

TEST_F(X86Memory, MapValuesThroughHelpersAndLddw) {
  ebpf::ElfObject object;
  object.path = "maps";
  ebpf::MapDefinition array;
  array.name = "array";
  array.type = ebpf::MapType::Array;
  array.key_size = 4;
  array.value_size = 16;
  array.max_entries = 4;
  object.maps.push_back(array);
  ebpf::MapDefinition hash = array;
  hash.name = "hash";
  hash.type = ebpf::MapType::Hash;
  hash.key_size = 8;
  hash.value_size = 8;
  object.maps.push_back(hash);

  ProgramBuilder p;
  // array[2].u64[1] += 7 through a looked-up pointer (checked access to a map value).
  p.st(kSizeW, 10, -4, 2);
  p.lddw_map(1, 0).mov64r(2, 10).alu64(kAluAdd, 2, -4).call(ebpf::kHelperMapLookupElem);
  p.jmp(kJmpJeq, 0, 0, "skip");
  p.ldx(kSizeDw, 3, 0, 8).alu64(kAluAdd, 3, 7).stx(kSizeDw, 0, 3, 8);
  p.atomic(kSizeDw, kAtomicAdd | kAtomicFetch, 0, 3, 0);
  p.label("skip");
  // hash[key = r6 counter] = packet length, via update.
  p.lddw_map_value(6, 0, 4).ldx(kSizeW, 7, 6, 0).alu64(kAluAdd, 7, 1).stx(kSizeW, 6, 7, 0);
  p.stx(kSizeDw, 10, 7, -16).st(kSizeDw, 10, -24, 99);
  p.lddw_map(1, 1).mov64r(2, 10).alu64(kAluAdd, 2, -16).mov64r(3, 10).alu64(kAluAdd, 3, -24);
  p.mov64(4, 0).call(ebpf::kHelperMapUpdateElem);
  // Reading past the 16-byte value must abort (the value is not a fast range).
  p.lddw_map_value(8, 0, 0).ldx(kSizeW, 9, 8, 12);
  p.jmp(kJmpJne, 7, 3, "done");
  p.ldx(kSizeDw, 9, 8, 12);
  p.label("done").mov64r(0, 7).exit();
  ebpf::Program program;
  program.section = program.function = "maps";
  program.insns = p.build();
  object.programs.push_back(program);
  const auto results = expect_same(object, {raw_input(), raw_input(), raw_input(), raw_input()});
  EXPECT_FALSE(results.at(1).aborted) << results[1].diagnostic;
  EXPECT_TRUE(results.at(2).aborted);
}

}  // namespace
}  // namespace nicsim::jit::test
