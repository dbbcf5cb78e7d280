#include <fmt/format.h>

#include <array>

#include "firmware/asm/nic_asm.h"
#include "firmware/isa/helper_units.h"

namespace nicsim::firmware {

namespace {

constexpr std::array<std::string_view, kNumSpecialRegs> kSpecialNames = {
    "pkt_data",        "pkt_end",        "pkt_meta",       "pkt_len",
    "ingress_ifindex", "rx_queue_index", "egress_ifindex", "cpu_id",
    "time_ns",         "context_id",     "cycle"};
constexpr std::array<std::string_view, kNumConds> kCondNames = {
    "ja",   "jeq",  "jne",  "jgt",  "jge",  "jlt",  "jle",
    "jsgt", "jsge", "jslt", "jsle", "jset", "jnset"};
constexpr std::array<std::string_view, 16> kAluNames = {"add",  "sub", "mul",  "div", "sdiv", "mod",
                                                        "smod", "or",  "and",  "xor", "lsh",  "rsh",
                                                        "arsh", "mov", "rsub", "ext"};
constexpr std::array<std::string_view, kNumExtKinds> kExtNames = {"bswap16", "bswap32", "bswap64",
                                                                  "sext8",   "sext16",  "sext32"};
constexpr std::array<std::string_view, 4> kAtomicNames = {"add", "or", "and", "xor"};

std::string reg(uint8_t r) {
  return fmt::format("r{}", r);
}

std::string signed_offset(int64_t v) {
  return v < 0 ? fmt::format("-{}", -v) : fmt::format("+{}", v);
}

std::string address(uint8_t base, int64_t offset) {
  return fmt::format("[r{}{}]", base, signed_offset(offset));
}

std::string pool_operand(uint32_t index, std::span<const uint64_t> pool) {
  if (index < pool.size()) return fmt::format("=0x{:x}", pool[index]);
  return fmt::format("pool[{}]", index);
}

std::string target(const Slot& s) {
  if (s.targets_exit_vector()) return fmt::format("@exit{}", s.target() - kExitVectorBase);
  return fmt::format("@{}", s.target());
}

const char* width(bool w32) {
  return w32 ? ".32" : "";
}

}  // namespace

std::string_view special_register_name(SpecialReg r) {
  const auto i = static_cast<size_t>(r);
  return i < kSpecialNames.size() ? kSpecialNames[i] : "?";
}
std::string_view condition_name(Cond c) {
  const auto i = static_cast<size_t>(c);
  return i < kCondNames.size() ? kCondNames[i] : "?";
}
std::string_view alu_function_name(AluFunc f) {
  return kAluNames[static_cast<size_t>(f) & 15];
}
std::string_view ext_kind_name(ExtKind k) {
  const auto i = static_cast<size_t>(k);
  return i < kExtNames.size() ? kExtNames[i] : "?";
}

std::string disassemble_slot(const Slot& s, std::span<const uint64_t> pool) {
  switch (s.op) {
    case OpClass::Nop:
      return "nop";
    case OpClass::Movs:
      return fmt::format("movs {}, {}", reg(s.rd),
                         special_register_name(static_cast<SpecialReg>(s.imm)));
    case OpClass::ExitImm:
      return fmt::format("exit {}", s.imm);
    case OpClass::ExitReg:
      return fmt::format("exit {}", reg(s.ra));
    case OpClass::HCall: {
      const HardwareHelper* helper = find_hardware_helper(s.imm);
      return helper ? fmt::format("hcall {}", helper->name) : fmt::format("hcall {}", s.imm);
    }
    case OpClass::CallF:
      return fmt::format("callf {}", target(s));
    case OpClass::Ret:
      return "ret";
    case OpClass::Xchg:
      return fmt::format("xchg{} {}, {}, {}", width(s.w32), reg(s.rd), address(s.ra, s.imm),
                         reg(s.rb));
    case OpClass::Cmpxchg:
      return fmt::format("cmpxchg{} {}, {}, {}", width(s.w32), reg(s.rd), address(s.ra, s.imm),
                         reg(s.rb));
    case OpClass::Atomic: {
      const auto name = kAtomicNames[static_cast<size_t>(s.atomic_op)];
      if (s.fetch)
        return fmt::format("lock.f{}{} {}, {}, {}", name, width(s.w32), reg(s.rd),
                           address(s.ra, s.imm), reg(s.rb));
      return fmt::format("lock.{}{} {}, {}", name, width(s.w32), address(s.ra, s.imm), reg(s.rb));
    }
    case OpClass::Store:
      switch (s.store_value) {
        case StoreValue::Reg:
          return fmt::format("st{} {}, {}", s.size, address(s.ra, s.imm), reg(s.rb));
        case StoreValue::Imm:
          return fmt::format("st{} {}, {}", s.size, address(s.ra, s.offset12()), s.imm);
        case StoreValue::Pool:
          return fmt::format("st{} {}, {}", s.size, address(s.ra, s.offset12()),
                             pool_operand(static_cast<uint32_t>(s.imm), pool));
      }
      break;
    case OpClass::Alu: {
      if (s.func == AluFunc::Ext)
        return fmt::format("{}{} {}, {}", ext_kind_name(static_cast<ExtKind>(s.imm)), width(s.w32),
                           reg(s.rd), reg(s.ra));
      std::string b = s.b == OperandB::Reg   ? reg(s.rb)
                      : s.b == OperandB::Imm ? fmt::format("{}", s.imm)
                                             : pool_operand(static_cast<uint32_t>(s.imm), pool);
      const auto name = alu_function_name(s.func);
      if (s.func == AluFunc::Mov)
        return fmt::format("{}{} {}, {}", name, width(s.w32), reg(s.rd), b);
      return fmt::format("{}{} {}, {}, {}", name, width(s.w32), reg(s.rd), reg(s.ra), b);
    }
    case OpClass::Load: {
      const char* prefix = s.no_fault ? "ldnf" : s.sign_extend ? "lds" : "ld";
      if (s.load_mode == LoadMode::BaseImm)
        return fmt::format("{}{} {}, {}", prefix, s.size, reg(s.rd), address(s.ra, s.imm));
      return fmt::format("{}{} {}, [r{}+r{}{}]", prefix, s.size, reg(s.rd), s.ra, s.rb,
                         signed_offset(s.offset12()));
    }
    case OpClass::Branch: {
      if (s.cond == Cond::Always) return fmt::format("ja {}", target(s));
      const auto name = condition_name(s.cond);
      if (s.b == OperandB::Imm)
        return fmt::format("{}{} {}, {}, {}", name, width(s.w32), reg(s.ra), s.imm, target(s));
      std::string left = s.imm == 0 ? reg(s.ra) : reg(s.ra) + signed_offset(s.imm);
      return fmt::format("{}{} {}, {}, {}", name, width(s.w32), left, reg(s.rb), target(s));
    }
  }
  return "?";
}

std::string disassemble_bundle(std::span<const Slot> slots, std::span<const uint64_t> pool) {
  // Nops after the last operation are left out; earlier ones keep the lanes in place.
  size_t used = slots.size();
  while (used > 0 && slots[used - 1].op == OpClass::Nop)
    --used;
  std::vector<std::string> parts;
  for (size_t i = 0; i < used; ++i)
    parts.push_back(disassemble_slot(slots[i], pool));
  if (parts.empty()) return slots.size() == 1 ? "nop" : "{ nop }";
  if (parts.size() == 1 && slots.size() == 1) return parts[0];
  return fmt::format("{{ {} }}", fmt::join(parts, " ; "));
}

}  // namespace nicsim::firmware
