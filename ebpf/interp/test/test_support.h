#pragma once
// Test-only helpers: instruction constructors named after the assembly they stand for, and a
// one-call way to run a program on the interpreter (raw memory or an XDP packet).

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <vector>

#include "ebpf/engine/engine.h"
#include "ebpf/interp/interpreter.h"
#include "ebpf/isa/instruction.h"
#include "ebpf/program/program.h"
#include "ebpf/runtime/runtime.h"

namespace nicsim::ebpf::test {

// ---- instruction constructors ----
inline Instruction alu64_imm(uint8_t op, uint8_t dst, int32_t imm, int16_t off = 0) {
  return make_insn(kClassAlu64 | kSrcK | op, dst, 0, off, imm);
}
inline Instruction alu64_reg(uint8_t op, uint8_t dst, uint8_t src, int16_t off = 0) {
  return make_insn(kClassAlu64 | kSrcX | op, dst, src, off, 0);
}
inline Instruction alu32_imm(uint8_t op, uint8_t dst, int32_t imm, int16_t off = 0) {
  return make_insn(kClassAlu | kSrcK | op, dst, 0, off, imm);
}
inline Instruction alu32_reg(uint8_t op, uint8_t dst, uint8_t src, int16_t off = 0) {
  return make_insn(kClassAlu | kSrcX | op, dst, src, off, 0);
}
inline Instruction mov64_imm(uint8_t dst, int32_t imm) {
  return alu64_imm(kAluMov, dst, imm);
}
inline Instruction mov64_reg(uint8_t dst, uint8_t src) {
  return alu64_reg(kAluMov, dst, src);
}
inline Instruction mov32_imm(uint8_t dst, int32_t imm) {
  return alu32_imm(kAluMov, dst, imm);
}
inline Instruction mov32_reg(uint8_t dst, uint8_t src) {
  return alu32_reg(kAluMov, dst, src);
}
inline Instruction neg64(uint8_t dst) {
  return make_insn(kClassAlu64 | kAluNeg, dst, 0, 0, 0);
}
inline Instruction neg32(uint8_t dst) {
  return make_insn(kClassAlu | kAluNeg, dst, 0, 0, 0);
}
inline Instruction movsx64(uint8_t dst, uint8_t src, int16_t bits) {
  return alu64_reg(kAluMov, dst, src, bits);
}
inline Instruction movsx32(uint8_t dst, uint8_t src, int16_t bits) {
  return alu32_reg(kAluMov, dst, src, bits);
}
inline Instruction le(uint8_t dst, int32_t bits) {
  return make_insn(kClassAlu | kAluEnd | kSrcK, dst, 0, 0, bits);
}
inline Instruction be(uint8_t dst, int32_t bits) {
  return make_insn(kClassAlu | kAluEnd | kSrcX, dst, 0, 0, bits);
}
inline Instruction bswap(uint8_t dst, int32_t bits) {
  return make_insn(kClassAlu64 | kAluEnd | kSrcK, dst, 0, 0, bits);
}

inline Instruction ldx(uint8_t size, uint8_t dst, uint8_t src, int16_t off) {
  return make_insn(kClassLdx | kModeMem | size, dst, src, off, 0);
}
inline Instruction ldxs(uint8_t size, uint8_t dst, uint8_t src, int16_t off) {
  return make_insn(kClassLdx | kModeMemsx | size, dst, src, off, 0);
}
inline Instruction st(uint8_t size, uint8_t dst, int16_t off, int32_t imm) {
  return make_insn(kClassSt | kModeMem | size, dst, 0, off, imm);
}
inline Instruction stx(uint8_t size, uint8_t dst, uint8_t src, int16_t off) {
  return make_insn(kClassStx | kModeMem | size, dst, src, off, 0);
}
inline Instruction atomic(uint8_t size, int32_t op, uint8_t dst, uint8_t src, int16_t off) {
  return make_insn(kClassStx | kModeAtomic | size, dst, src, off, op);
}
inline Instruction ld_abs(uint8_t size, int32_t imm) {
  return make_insn(kClassLd | kModeAbs | size, 0, 0, 0, imm);
}
inline Instruction ld_ind(uint8_t size, uint8_t src, int32_t imm) {
  return make_insn(kClassLd | kModeInd | size, 0, src, 0, imm);
}

inline Instruction jmp_imm(uint8_t op, uint8_t dst, int32_t imm, int16_t off) {
  return make_insn(kClassJmp | kSrcK | op, dst, 0, off, imm);
}
inline Instruction jmp_reg(uint8_t op, uint8_t dst, uint8_t src, int16_t off) {
  return make_insn(kClassJmp | kSrcX | op, dst, src, off, 0);
}
inline Instruction jmp32_imm(uint8_t op, uint8_t dst, int32_t imm, int16_t off) {
  return make_insn(kClassJmp32 | kSrcK | op, dst, 0, off, imm);
}
inline Instruction jmp32_reg(uint8_t op, uint8_t dst, uint8_t src, int16_t off) {
  return make_insn(kClassJmp32 | kSrcX | op, dst, src, off, 0);
}
inline Instruction ja(int16_t off) {
  return make_insn(kClassJmp | kJmpJa, 0, 0, off, 0);
}
inline Instruction gotol(int32_t imm) {
  return make_insn(kClassJmp32 | kJmpJa, 0, 0, 0, imm);
}
inline Instruction call_helper(int32_t id) {
  return make_insn(kClassJmp | kJmpCall, 0, kCallHelper, 0, id);
}
inline Instruction call_local(int32_t imm) {
  return make_insn(kClassJmp | kJmpCall, 0, kCallLocal, 0, imm);
}
inline Instruction callx(uint8_t reg) {
  return make_insn(kClassJmp | kJmpCall | kSrcX, reg, 0, 0, 0);
}
inline Instruction exit_insn() {
  return make_insn(kClassJmp | kJmpExit, 0, 0, 0, 0);
}

// lddw takes two slots; append both.
inline void lddw(std::vector<Instruction>& code, uint8_t dst, uint64_t value, uint8_t src = 0) {
  code.push_back(make_insn(kClassLd | kModeImm | kSizeDw, dst, src, 0,
                           static_cast<int32_t>(static_cast<uint32_t>(value))));
  code.push_back(make_insn(0, 0, 0, 0, static_cast<int32_t>(static_cast<uint32_t>(value >> 32))));
}

// A program built from a list where lddw already appears as its two slots.
inline std::vector<Instruction> code(std::initializer_list<Instruction> insns) {
  return insns;
}

// ---- running ----
// Owns what one interpreter run needs: the object, its runtime and the interpreter.
struct Harness {
  explicit Harness(ElfObject object_in, size_t program = 0, InterpreterOptions options = {},
                   RuntimeConfig config = {})
      : object(std::move(object_in)),
        runtime(std::make_unique<Runtime>(object, config)),
        interpreter(std::make_unique<Interpreter>(object.programs.at(program), *runtime, options)) {
  }
  explicit Harness(std::vector<Instruction> insns, InterpreterOptions options = {})
      : Harness(make_single_program_object(std::move(insns)), 0, options) {}

  ExecutionResult raw(std::span<uint8_t> memory = {}) { return interpreter->run_raw(memory); }

  ElfObject object;
  std::unique_ptr<Runtime> runtime;
  std::unique_ptr<Interpreter> interpreter;
};

inline ExecutionResult run_raw(std::vector<Instruction> insns, std::vector<uint8_t> memory = {},
                               InterpreterOptions options = {}) {
  Harness harness(std::move(insns), options);
  return harness.raw(memory);
}

// r0 of a run that must finish normally (the failure message carries the diagnostic).
inline uint64_t r0_of(std::vector<Instruction> insns, std::vector<uint8_t> memory = {}) {
  const ExecutionResult result = run_raw(std::move(insns), std::move(memory));
  EXPECT_FALSE(result.aborted) << result.diagnostic;
  return result.return_value;
}

}  // namespace nicsim::ebpf::test
