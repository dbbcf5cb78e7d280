#include "ebpf/isa/validate.h"

#include <fmt/format.h>

#include <vector>

namespace nicsim::ebpf {

DecodeError::DecodeError(size_t index, const std::string& message)
    : Error(fmt::format("insn {}: {}", index, message)), index_(index) {}

namespace {

// Marks the slots that hold the upper half of an lddw (not instructions of their own).
std::vector<bool> lddw_second_slots(std::span<const Instruction> insns) {
  std::vector<bool> second(insns.size(), false);
  for (size_t i = 0; i < insns.size(); i += insns[i].is_lddw() ? 2 : 1) {
    if (insns[i].is_lddw() && i + 1 < insns.size()) second[i + 1] = true;
  }
  return second;
}

struct CodeView {
  std::span<const Instruction> insns;
  const std::vector<bool>& second_slots;
};

std::string check_register(const char* field, uint8_t reg, bool writable) {
  if (reg > 10) return fmt::format("invalid {} register r{} (registers are r0..r10)", field, reg);
  if (writable && reg == kFrameRegister)
    return fmt::format("{} register r10 is the read-only frame pointer", field);
  return {};
}

std::string check_jump_target(const CodeView& prog, size_t index, int64_t delta) {
  const auto insns = prog.insns;
  const int64_t target = static_cast<int64_t>(index) + delta + 1;
  if (target < 0 || target >= static_cast<int64_t>(insns.size()))
    return fmt::format("jump out of range: target insn {} is outside 0..{}", target,
                       insns.size() - 1);
  if (prog.second_slots[static_cast<size_t>(target)])
    return fmt::format("jump into the middle of lddw at insn {}", target - 1);
  return {};
}

std::string check_alu(const Instruction& insn) {
  const bool is64 = insn.cls() == kClassAlu64;
  const uint8_t op = insn.op();
  if (op > kAluEnd) return fmt::format("invalid ALU operation 0x{:02x}", op);
  if (auto e = check_register("dst", insn.dst(), true); !e.empty()) return e;

  if (op == kAluEnd) {
    if (is64 && insn.source() == kSrcX) return "invalid byte swap: ALU64 END must use source 0";
    if (insn.src() != 0) return "nonzero src field in byte swap";
    if (insn.offset != 0) return "nonzero offset field in byte swap";
    if (insn.imm != 16 && insn.imm != 32 && insn.imm != 64)
      return fmt::format("invalid byte swap width {} (must be 16, 32 or 64)", insn.imm);
    return {};
  }
  if (op == kAluNeg) {
    if (insn.source() != kSrcK) return "invalid NEG: source bit must be 0";
    if (insn.src() != 0) return "nonzero src field in NEG";
    if (insn.imm != 0) return "nonzero imm field in NEG";
    if (insn.offset != 0) return "nonzero offset field in NEG";
    return {};
  }
  if (insn.source() == kSrcK) {
    if (insn.src() != 0) return fmt::format("nonzero src field (r{}) with immediate source", insn.src());
  } else {
    if (auto e = check_register("src", insn.src(), false); !e.empty()) return e;
    if (insn.imm != 0) return fmt::format("nonzero imm field ({}) with register source", insn.imm);
  }
  switch (op) {
    case kAluDiv:
    case kAluMod:
      if (insn.offset != 0 && insn.offset != 1)
        return fmt::format("invalid offset {} for DIV/MOD (0 unsigned, 1 signed)", insn.offset);
      return {};
    case kAluMov:
      if (insn.offset == 0) return {};
      if (insn.offset != 8 && insn.offset != 16 && !(is64 && insn.offset == 32))
        return fmt::format("invalid MOVSX width {}", insn.offset);
      if (insn.source() != kSrcX) return "MOVSX needs a register source";
      return {};
    default:
      if (insn.offset != 0) return fmt::format("nonzero offset field ({}) in ALU", insn.offset);
      return {};
  }
}

std::string check_jmp(const CodeView& prog, size_t index) {
  const Instruction& insn = prog.insns[index];
  const bool is32 = insn.cls() == kClassJmp32;
  const uint8_t op = insn.op();
  if (op > kJmpJsle) return fmt::format("invalid jump operation 0x{:02x}", op);
  switch (op) {
    case kJmpJa:
      if (insn.source() != kSrcK) return "invalid JA: source bit must be 0";
      if (insn.src() != 0 || insn.dst() != 0) return "nonzero register field in JA";
      if (is32) {
        if (insn.offset != 0) return "nonzero offset field in JA32 (gotol uses imm)";
        return check_jump_target(prog, index, insn.imm);
      }
      if (insn.imm != 0) return "nonzero imm field in JA";
      return check_jump_target(prog, index, insn.offset);
    case kJmpCall:
      if (is32) return "invalid CALL in the JMP32 class";
      if (insn.offset != 0) return "nonzero offset field in CALL";
      if (insn.source() == kSrcX) {  // callx: target address in dst
        if (insn.src() != 0) return "nonzero src field in CALLX";
        if (insn.imm != 0) return "nonzero imm field in CALLX";
        return check_register("dst", insn.dst(), false);
      }
      if (insn.dst() != 0) return "nonzero dst field in CALL";
      if (insn.src() == kCallLocal) return check_jump_target(prog, index, insn.imm);
      if (insn.src() != kCallHelper && insn.src() != kCallKfunc)
        return fmt::format("invalid src field {} in CALL", insn.src());
      return {};
    case kJmpExit:
      if (is32) return "invalid EXIT in the JMP32 class";
      if (insn.source() != kSrcK) return "invalid EXIT: source bit must be 0";
      if (insn.regs != 0 || insn.offset != 0 || insn.imm != 0) return "nonzero field in EXIT";
      return {};
    default:
      break;
  }
  if (auto e = check_register("dst", insn.dst(), false); !e.empty()) return e;
  if (insn.source() == kSrcK) {
    if (insn.src() != 0) return fmt::format("nonzero src field (r{}) with immediate source", insn.src());
  } else {
    if (auto e = check_register("src", insn.src(), false); !e.empty()) return e;
    if (insn.imm != 0) return fmt::format("nonzero imm field ({}) with register source", insn.imm);
  }
  return check_jump_target(prog, index, insn.offset);
}

std::string check_ld(std::span<const Instruction> insns, size_t index) {
  const Instruction& insn = insns[index];
  if (insn.is_lddw()) {
    if (auto e = check_register("dst", insn.dst(), true); !e.empty()) return e;
    if (insn.src() > kLddwMapIdxValue) return fmt::format("invalid src field {} in lddw", insn.src());
    if (insn.offset != 0) return "nonzero offset field in lddw";
    if (index + 1 >= insns.size()) return "lddw is missing its second slot";
    const Instruction& next = insns[index + 1];
    if (next.opcode != 0 || next.regs != 0 || next.offset != 0)
      return "invalid second slot of lddw (opcode, registers and offset must be 0)";
    return {};
  }
  const uint8_t mode = insn.mode();
  if ((mode == kModeAbs || mode == kModeInd) && insn.size() != kSizeDw) {
    // Legacy packet access (RFC 9669 section 5.5): result in r0, offset in imm.
    if (insn.dst() != 0) return "nonzero dst field in legacy packet load";
    if (insn.offset != 0) return "nonzero offset field in legacy packet load";
    if (mode == kModeAbs && insn.src() != 0) return "nonzero src field in LD_ABS";
    if (mode == kModeInd) return check_register("src", insn.src(), false);
    return {};
  }
  return fmt::format("invalid opcode 0x{:02x} in the LD class", insn.opcode);
}

std::string check_mem(const Instruction& insn) {
  const uint8_t mode = insn.mode();
  switch (insn.cls()) {
    case kClassLdx:
      if (mode != kModeMem && mode != kModeMemsx)
        return fmt::format("invalid mode 0x{:02x} in LDX", mode);
      if (mode == kModeMemsx && insn.size() == kSizeDw) return "invalid 64-bit sign-extending load";
      if (insn.imm != 0) return "nonzero imm field in LDX";
      if (auto e = check_register("dst", insn.dst(), true); !e.empty()) return e;
      return check_register("src", insn.src(), false);
    case kClassSt:
      if (mode != kModeMem) return fmt::format("invalid mode 0x{:02x} in ST", mode);
      if (insn.src() != 0) return "nonzero src field in ST";
      return check_register("dst", insn.dst(), false);
    default:  // STX
      if (auto e = check_register("dst", insn.dst(), false); !e.empty()) return e;
      if (auto e = check_register("src", insn.src(), false); !e.empty()) return e;
      if (mode == kModeMem) {
        if (insn.imm != 0) return "nonzero imm field in STX";
        return {};
      }
      if (mode != kModeAtomic) return fmt::format("invalid mode 0x{:02x} in STX", mode);
      if (insn.size() != kSizeW && insn.size() != kSizeDw) return "atomic operations are 32 or 64 bit";
      switch (insn.imm) {
        case kAtomicAdd: case kAtomicAdd | kAtomicFetch:
        case kAtomicOr: case kAtomicOr | kAtomicFetch:
        case kAtomicAnd: case kAtomicAnd | kAtomicFetch:
        case kAtomicXor: case kAtomicXor | kAtomicFetch:
        case kAtomicXchg: case kAtomicCmpxchg:
          return {};
        default:
          return fmt::format("invalid atomic operation 0x{:x}", static_cast<uint32_t>(insn.imm));
      }
  }
}

std::string check_one(const CodeView& prog, size_t index) {
  const auto insns = prog.insns;
  const Instruction& insn = insns[index];
  switch (insn.cls()) {
    case kClassAlu:
    case kClassAlu64:
      return check_alu(insn);
    case kClassJmp:
    case kClassJmp32:
      return check_jmp(prog, index);
    case kClassLd:
      return check_ld(insns, index);
    default:
      return check_mem(insn);
  }
}

}  // namespace

std::string check_instruction(std::span<const Instruction> insns, size_t index) {
  const auto second = lddw_second_slots(insns);
  return check_one(CodeView{insns, second}, index);
}

void validate_instructions(std::span<const Instruction> insns) {
  if (insns.empty()) throw DecodeError(0, "empty program");
  const auto second = lddw_second_slots(insns);
  const CodeView prog{insns, second};
  for (size_t i = 0; i < insns.size(); i += insns[i].is_lddw() ? 2 : 1) {
    if (auto reason = check_one(prog, i); !reason.empty()) throw DecodeError(i, reason);
  }
}

}  // namespace nicsim::ebpf
