// Random programs on the interpreter and the JIT, compared after every run: ALU operations of
// all kinds on random values, loads, stores and atomics that sometimes leave their region
// (both engines must abort alike), forward branches, helper and local calls, legacy loads.
// Programs terminate by construction (branches only go forward) and keep the host addresses
// they are given out of their results (r9 holds the memory pointer and is only a base).

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "ebpf/runtime/helpers.h"
#include "jit/x86_64/test/jit_test_support.h"
#include "jit/x86_64/test/program_builder.h"

namespace nicsim::jit::test {
namespace {

constexpr int kMemorySize = 200;  // 128 bytes the program plays with, 72 for the register dump

class RandomProgram {
 public:
  explicit RandomProgram(uint64_t seed) : random_(seed) {}

  std::vector<ebpf::Instruction> generate() {
    const int units = 5 + static_cast<int>(pick(40));
    std::map<int, std::string> labels;  // unit index -> label bound there
    ProgramBuilder p;
    p.mov64r(9, 1);
    for (int r = 0; r <= 8; ++r)
      p.lddw(r, value());
    for (int u = 0; u < units; ++u) {
      if (auto it = labels.find(u); it != labels.end()) p.label(it->second);
      unit(p, u, units, labels);
    }
    if (auto it = labels.find(units); it != labels.end()) p.label(it->second);
    for (int r = 0; r <= 8; ++r)
      p.stx(kSizeDw, 9, r, static_cast<int16_t>(128 + 8 * r));
    p.exit();
    // f(r1, r2, r3): mixes its arguments, uses its own frame and r6..r9 (the caller's are kept).
    p.label("f").mov64r(0, 1).alu64r(kAluXor, 0, 2).alu64r(kAluAdd, 0, 3);
    p.stx(kSizeDw, 10, 0, -8).mov64(6, 1).mov64(9, 2).ldx(kSizeW, 7, 10, -4);
    p.alu64r(kAluAdd, 0, 7).exit();
    return p.build();
  }

 private:
  uint64_t pick(uint64_t n) { return random_() % n; }
  int reg() { return static_cast<int>(pick(9)); }  // r0..r8

  uint64_t value() {
    static constexpr uint64_t kInteresting[] = {0,
                                                1,
                                                2,
                                                7,
                                                31,
                                                32,
                                                63,
                                                64,
                                                0x7f,
                                                0x80,
                                                0xffff,
                                                0x7fffffff,
                                                0x80000000,
                                                0xffffffff,
                                                0x8000000000000000,
                                                0xffffffffffffffff};
    return pick(3) == 0 ? kInteresting[pick(std::size(kInteresting))] : random_();
  }
  int32_t imm() { return static_cast<int32_t>(static_cast<uint32_t>(value())); }

  // A base register and an offset near (sometimes past) its region.
  std::pair<int, int16_t> address(int size) {
    if (pick(2) == 0) return {9, static_cast<int16_t>(static_cast<int>(pick(136)) - 4 - size / 2)};
    return {10, static_cast<int16_t>(-static_cast<int>(pick(520)) + 4 - size / 2)};
  }

  void unit(ProgramBuilder& p, int u, int units, std::map<int, std::string>& labels) {
    static constexpr uint8_t kAluOps[] = {kAluAdd, kAluSub, kAluMul, kAluDiv, kAluOr,  kAluAnd,
                                          kAluLsh, kAluRsh, kAluMod, kAluXor, kAluMov, kAluArsh};
    static constexpr uint8_t kJmpOps[] = {kJmpJeq,  kJmpJgt, kJmpJge, kJmpJset, kJmpJne, kJmpJsgt,
                                          kJmpJsge, kJmpJlt, kJmpJle, kJmpJslt, kJmpJsle};
    static constexpr uint8_t kSizes[] = {kSizeB, kSizeH, kSizeW, kSizeDw};
    switch (pick(14)) {
      case 0:
      case 1:
      case 2:
      case 3: {  // binary ALU
        const uint8_t op = kAluOps[pick(std::size(kAluOps))];
        const int16_t offset = (op == kAluDiv || op == kAluMod) ? static_cast<int16_t>(pick(2)) : 0;
        const bool is64 = pick(2) == 0;
        if (pick(2) == 0) {
          if (is64)
            p.alu64r(op, reg(), reg(), offset);
          else
            p.alu32r(op, reg(), reg(), offset);
        } else {
          if (is64)
            p.alu64(op, reg(), imm(), offset);
          else
            p.alu32(op, reg(), imm(), offset);
        }
        return;
      }
      case 4: {  // unary
        const int dst = reg();
        switch (pick(4)) {
          case 0:
            p.raw(make_insn((pick(2) ? kClassAlu64 : kClassAlu) | kAluNeg,
                            static_cast<uint8_t>(dst), 0, 0, 0));
            return;
          case 1: {
            const int16_t bits = static_cast<int16_t>(8 << pick(3));
            if (bits == 32 || pick(2))
              p.alu64r(kAluMov, dst, reg(), bits);
            else
              p.alu32r(kAluMov, dst, reg(), bits);
            return;
          }
          case 2: {
            const bool swap = pick(2) == 0;  // bswap is ALU64 with source 0
            p.end(swap ? kClassAlu64 : kClassAlu, !swap && pick(2) ? kSrcX : kSrcK, dst,
                  16 << pick(3));
            return;
          }
          default:
            p.lddw(dst, value());
            return;
        }
      }
      case 5:
      case 6: {  // load
        const uint8_t size = kSizes[pick(4)];
        const auto [base, offset] = address(ebpf::access_bytes(size));
        if (size != kSizeDw && pick(3) == 0)
          p.ldxs(size, reg(), base, offset);
        else
          p.ldx(size, reg(), base, offset);
        return;
      }
      case 7:
      case 8: {  // store
        const uint8_t size = kSizes[pick(4)];
        const auto [base, offset] = address(ebpf::access_bytes(size));
        if (pick(2))
          p.stx(size, base, reg(), offset);
        else
          p.st(size, base, offset, imm());
        return;
      }
      case 9: {  // atomic
        static constexpr int32_t kOps[] = {kAtomicAdd,
                                           kAtomicOr,
                                           kAtomicAnd,
                                           kAtomicXor,
                                           kAtomicAdd | kAtomicFetch,
                                           kAtomicOr | kAtomicFetch,
                                           kAtomicAnd | kAtomicFetch,
                                           kAtomicXor | kAtomicFetch,
                                           kAtomicXchg,
                                           kAtomicCmpxchg};
        const uint8_t size = pick(2) ? kSizeW : kSizeDw;
        const auto [base, offset] = address(ebpf::access_bytes(size));
        p.atomic(size, kOps[pick(std::size(kOps))], base, reg(), offset);
        return;
      }
      case 10:
      case 11: {  // forward branch
        const int target = u + 1 + static_cast<int>(pick(static_cast<uint64_t>(units - u)));
        auto [it, added] = labels.emplace(target, fmt::format("u{}", target));
        const std::string& label = it->second;
        const uint8_t op = kJmpOps[pick(std::size(kJmpOps))];
        switch (pick(5)) {
          case 0:
            p.jmpr(op, reg(), reg(), label);
            return;
          case 1:
            p.jmp32r(op, reg(), reg(), label);
            return;
          case 2:
            p.jmp32(op, reg(), imm(), label);
            return;
          case 3:
            p.ja(label);
            return;
          default:
            p.jmp(op, reg(), imm(), label);
            return;
        }
      }
      case 12: {  // calls
        switch (pick(4)) {
          case 0:
            p.call(ebpf::kHelperGetPrandomU32);
            return;
          case 1:
            p.call(ebpf::kHelperKtimeGetNs);
            return;
          case 2:
            p.call_local("f");
            return;
          default:
            p.lddw_func(5, "f").callx(5).mov64(5, 0);
            return;  // no address survives
        }
      }
      default: {  // legacy packet loads from the raw memory (out of range ends the program)
        const uint8_t size = kSizes[pick(3)];
        if (pick(4) != 0) {
          p.alu64(kAluXor, reg(), imm());
        } else if (pick(2)) {
          p.ld_abs(size, static_cast<int32_t>(pick(202)));
        } else {
          p.mov64(5, static_cast<int32_t>(pick(100)))
              .ld_ind(size, 5, static_cast<int32_t>(pick(102)));
        }
        return;
      }
    }
  }

  std::mt19937_64 random_;
};

class X86Random : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override { NICSIM_REQUIRE_X86_64_HOST(); }
};

TEST_P(X86Random, ProgramsAgreeWithTheInterpreter) {
  const int batch = GetParam();
  for (int i = 0; i < 250; ++i) {
    const uint64_t seed = static_cast<uint64_t>(batch) * 1000 + static_cast<uint64_t>(i);
    RandomProgram generator(seed);
    const auto insns = generator.generate();
    std::mt19937_64 bytes(seed);
    std::vector<uint8_t> memory(kMemorySize);
    for (auto& b : memory)
      b = static_cast<uint8_t>(bytes());
    JitOptions options;
    options.harden = (i % 4) == 3;
    SCOPED_TRACE(fmt::format("seed {} ({} instructions{})", seed, insns.size(),
                             options.harden ? ", hardened" : ""));
    expect_same(insns, {raw_input(memory), raw_input(memory)}, options);
    if (HasFailure()) return;  // one reproducible seed is enough
  }
}

INSTANTIATE_TEST_SUITE_P(Batches, X86Random, ::testing::Range(0, 8));

}  // namespace
}  // namespace nicsim::jit::test
