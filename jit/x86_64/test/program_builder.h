#pragma once
// Test programs written instruction by instruction, with named labels for jumps, calls and
// function addresses (resolved relative to the instruction that refers to them).

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "ebpf/isa/instruction.h"

namespace nicsim::jit::test {

using namespace ebpf;  // opcode constants

class ProgramBuilder {
 public:
  using B = ProgramBuilder;

  B& raw(Instruction insn) {
    insns_.push_back(insn);
    return *this;
  }
  B& alu64(uint8_t op, int dst, int32_t imm, int16_t off = 0) {
    return raw(make_insn(kClassAlu64 | kSrcK | op, u8(dst), 0, off, imm));
  }
  B& alu64r(uint8_t op, int dst, int src, int16_t off = 0) {
    return raw(make_insn(kClassAlu64 | kSrcX | op, u8(dst), u8(src), off, 0));
  }
  B& alu32(uint8_t op, int dst, int32_t imm, int16_t off = 0) {
    return raw(make_insn(kClassAlu | kSrcK | op, u8(dst), 0, off, imm));
  }
  B& alu32r(uint8_t op, int dst, int src, int16_t off = 0) {
    return raw(make_insn(kClassAlu | kSrcX | op, u8(dst), u8(src), off, 0));
  }
  B& mov64(int dst, int32_t imm) { return alu64(kAluMov, dst, imm); }
  B& mov64r(int dst, int src) { return alu64r(kAluMov, dst, src); }
  B& mov32(int dst, int32_t imm) { return alu32(kAluMov, dst, imm); }
  B& end(uint8_t cls, uint8_t source, int dst, int32_t bits) {
    return raw(make_insn(cls | kAluEnd | source, u8(dst), 0, 0, bits));
  }

  B& lddw(int dst, uint64_t value, uint8_t src = kLddwImm64) {
    raw(make_insn(kClassLd | kModeImm | kSizeDw, u8(dst), src, 0,
                  static_cast<int32_t>(static_cast<uint32_t>(value))));
    return raw(make_insn(0, 0, 0, 0, static_cast<int32_t>(static_cast<uint32_t>(value >> 32))));
  }
  B& lddw_map(int dst, uint32_t map) { return lddw(dst, map, kLddwMapFd); }
  B& lddw_map_value(int dst, uint32_t map, uint32_t offset) {
    return lddw(dst, (uint64_t{offset} << 32) | map, kLddwMapValue);
  }
  B& lddw_func(int dst, const std::string& target) {
    refs_.push_back({insns_.size(), target, Ref::Imm});
    return lddw(dst, 0, kLddwFunc);
  }

  B& ldx(uint8_t size, int dst, int src, int16_t off) {
    return raw(make_insn(kClassLdx | kModeMem | size, u8(dst), u8(src), off, 0));
  }
  B& ldxs(uint8_t size, int dst, int src, int16_t off) {
    return raw(make_insn(kClassLdx | kModeMemsx | size, u8(dst), u8(src), off, 0));
  }
  B& st(uint8_t size, int dst, int16_t off, int32_t imm) {
    return raw(make_insn(kClassSt | kModeMem | size, u8(dst), 0, off, imm));
  }
  B& stx(uint8_t size, int dst, int src, int16_t off) {
    return raw(make_insn(kClassStx | kModeMem | size, u8(dst), u8(src), off, 0));
  }
  B& atomic(uint8_t size, int32_t op, int dst, int src, int16_t off) {
    return raw(make_insn(kClassStx | kModeAtomic | size, u8(dst), u8(src), off, op));
  }
  B& ld_abs(uint8_t size, int32_t imm) {
    return raw(make_insn(kClassLd | kModeAbs | size, 0, 0, 0, imm));
  }
  B& ld_ind(uint8_t size, int src, int32_t imm) {
    return raw(make_insn(kClassLd | kModeInd | size, 0, u8(src), 0, imm));
  }

  B& jmp(uint8_t op, int dst, int32_t imm, const std::string& target) {
    return branch(make_insn(kClassJmp | kSrcK | op, u8(dst), 0, 0, imm), target);
  }
  B& jmpr(uint8_t op, int dst, int src, const std::string& target) {
    return branch(make_insn(kClassJmp | kSrcX | op, u8(dst), u8(src), 0, 0), target);
  }
  B& jmp32(uint8_t op, int dst, int32_t imm, const std::string& target) {
    return branch(make_insn(kClassJmp32 | kSrcK | op, u8(dst), 0, 0, imm), target);
  }
  B& jmp32r(uint8_t op, int dst, int src, const std::string& target) {
    return branch(make_insn(kClassJmp32 | kSrcX | op, u8(dst), u8(src), 0, 0), target);
  }
  B& ja(const std::string& target) {
    return branch(make_insn(kClassJmp | kJmpJa, 0, 0, 0, 0), target);
  }
  B& gotol(const std::string& target) {
    refs_.push_back({insns_.size(), target, Ref::Imm});
    return raw(make_insn(kClassJmp32 | kJmpJa, 0, 0, 0, 0));
  }
  B& call(int32_t helper) {
    return raw(make_insn(kClassJmp | kJmpCall, 0, kCallHelper, 0, helper));
  }
  B& call_local(const std::string& target) {
    refs_.push_back({insns_.size(), target, Ref::Imm});
    return raw(make_insn(kClassJmp | kJmpCall, 0, kCallLocal, 0, 0));
  }
  B& callx(int reg) { return raw(make_insn(kClassJmp | kJmpCall | kSrcX, u8(reg), 0, 0, 0)); }
  B& exit() { return raw(make_insn(kClassJmp | kJmpExit, 0, 0, 0, 0)); }

  B& label(const std::string& name) {
    if (!labels_.emplace(name, insns_.size()).second)
      throw std::logic_error("duplicate label " + name);
    return *this;
  }

  std::vector<Instruction> build() const {
    std::vector<Instruction> out = insns_;
    for (const Ref& ref : refs_) {
      const auto it = labels_.find(ref.target);
      if (it == labels_.end()) throw std::logic_error("unknown label " + ref.target);
      const auto delta = static_cast<int64_t>(it->second) - static_cast<int64_t>(ref.index) - 1;
      if (ref.field == Ref::Offset) {
        out[ref.index].offset = static_cast<int16_t>(delta);
      } else {
        out[ref.index].imm = static_cast<int32_t>(delta);
      }
    }
    return out;
  }
  size_t size() const { return insns_.size(); }

 private:
  struct Ref {
    size_t index;
    std::string target;
    enum { Offset, Imm } field;
  };
  static uint8_t u8(int reg) { return static_cast<uint8_t>(reg); }
  B& branch(Instruction insn, const std::string& target) {
    refs_.push_back({insns_.size(), target, Ref::Offset});
    return raw(insn);
  }

  std::vector<Instruction> insns_;
  std::map<std::string, size_t> labels_;
  std::vector<Ref> refs_;
};

}  // namespace nicsim::jit::test
