#include "firmware/isa/slot.h"

#include <fmt/format.h>

#include "ebpf/util/error.h"
#include "firmware/isa/helper_units.h"

namespace nicsim::firmware {

namespace {

constexpr uint16_t bit(uint8_t reg) {
  return static_cast<uint16_t>(1u << reg);
}

uint16_t to_x12(int32_t offset) {
  return static_cast<uint16_t>(offset & 0xfff);
}

}  // namespace

// --- construction ---

Slot make_nop() {
  return Slot{};
}

Slot make_alu(AluFunc func, bool w32, uint8_t rd, uint8_t ra, uint8_t rb) {
  Slot s;
  s.op = OpClass::Alu;
  s.func = func;
  s.w32 = w32;
  s.b = OperandB::Reg;
  s.rd = rd;
  s.ra = ra;
  s.rb = rb;
  return s;
}

Slot make_alu_imm(AluFunc func, bool w32, uint8_t rd, uint8_t ra, int32_t imm) {
  Slot s = make_alu(func, w32, rd, ra, 0);
  s.b = OperandB::Imm;
  s.imm = imm;
  return s;
}

Slot make_alu_pool(AluFunc func, uint8_t rd, uint8_t ra, uint32_t pool_index) {
  Slot s = make_alu(func, false, rd, ra, 0);
  s.b = OperandB::Pool;
  s.imm = static_cast<int32_t>(pool_index);
  return s;
}

Slot make_mov(bool w32, uint8_t rd, uint8_t rb) {
  return make_alu(AluFunc::Mov, w32, rd, 0, rb);
}

Slot make_mov_imm(bool w32, uint8_t rd, int32_t imm) {
  return make_alu_imm(AluFunc::Mov, w32, rd, 0, imm);
}

Slot make_ext(ExtKind kind, bool w32, uint8_t rd, uint8_t ra) {
  return make_alu_imm(AluFunc::Ext, w32, rd, ra, static_cast<int32_t>(kind));
}

Slot make_load(uint8_t size, bool sign_extend, uint8_t rd, uint8_t ra, int32_t offset) {
  Slot s;
  s.op = OpClass::Load;
  s.size = size;
  s.sign_extend = sign_extend;
  s.load_mode = LoadMode::BaseImm;
  s.rd = rd;
  s.ra = ra;
  s.imm = offset;
  return s;
}

Slot make_load_no_fault(uint8_t size, uint8_t rd, uint8_t ra, int32_t offset) {
  Slot s = make_load(size, false, rd, ra, offset);
  s.no_fault = true;
  return s;
}

Slot make_load_indexed(uint8_t size, bool sign_extend, uint8_t rd, uint8_t ra, uint8_t rb,
                       int32_t offset12) {
  Slot s;
  s.op = OpClass::Load;
  s.size = size;
  s.sign_extend = sign_extend;
  s.load_mode = LoadMode::BaseIndex;
  s.rd = rd;
  s.ra = ra;
  s.rb = rb;
  s.x12 = to_x12(offset12);
  return s;
}

Slot make_store(uint8_t size, uint8_t ra, int32_t offset, uint8_t rb) {
  Slot s;
  s.op = OpClass::Store;
  s.size = size;
  s.store_value = StoreValue::Reg;
  s.ra = ra;
  s.rb = rb;
  s.imm = offset;
  return s;
}

Slot make_store_imm(uint8_t size, uint8_t ra, int32_t offset12, int32_t value) {
  Slot s;
  s.op = OpClass::Store;
  s.size = size;
  s.store_value = StoreValue::Imm;
  s.ra = ra;
  s.x12 = to_x12(offset12);
  s.imm = value;
  return s;
}

Slot make_store_pool(uint8_t size, uint8_t ra, int32_t offset12, uint32_t pool_index) {
  Slot s = make_store_imm(size, ra, offset12, static_cast<int32_t>(pool_index));
  s.store_value = StoreValue::Pool;
  return s;
}

Slot make_branch(Cond cond, bool w32, uint8_t ra, uint8_t rb, uint16_t target, int32_t addend) {
  Slot s;
  s.op = OpClass::Branch;
  s.cond = cond;
  s.w32 = w32;
  s.b = OperandB::Reg;
  s.ra = ra;
  s.rb = rb;
  s.x12 = target;
  s.imm = addend;
  return s;
}

Slot make_branch_imm(Cond cond, bool w32, uint8_t ra, int32_t imm, uint16_t target) {
  Slot s = make_branch(cond, w32, ra, 0, target, imm);
  s.b = OperandB::Imm;
  return s;
}

Slot make_jump(uint16_t target) {
  return make_branch(Cond::Always, false, 0, 0, target);
}

Slot make_movs(uint8_t rd, SpecialReg reg) {
  Slot s;
  s.op = OpClass::Movs;
  s.rd = rd;
  s.imm = static_cast<int32_t>(reg);
  return s;
}

Slot make_exit_imm(int32_t value) {
  Slot s;
  s.op = OpClass::ExitImm;
  s.imm = value;
  return s;
}

Slot make_exit_reg(uint8_t ra) {
  Slot s;
  s.op = OpClass::ExitReg;
  s.ra = ra;
  return s;
}

Slot make_hcall(int32_t helper_id) {
  Slot s;
  s.op = OpClass::HCall;
  s.imm = helper_id;
  return s;
}

Slot make_callf(uint16_t target) {
  Slot s;
  s.op = OpClass::CallF;
  s.x12 = target;
  return s;
}

Slot make_ret() {
  Slot s;
  s.op = OpClass::Ret;
  return s;
}

Slot make_atomic(AtomicOp op, bool w32, bool fetch, uint8_t rd, uint8_t ra, int32_t offset,
                 uint8_t rb) {
  Slot s;
  s.op = OpClass::Atomic;
  s.atomic_op = op;
  s.w32 = w32;
  s.fetch = fetch;
  s.rd = rd;
  s.ra = ra;
  s.rb = rb;
  s.imm = offset;
  return s;
}

Slot make_xchg(bool w32, uint8_t rd, uint8_t ra, int32_t offset, uint8_t rb) {
  Slot s = make_atomic(AtomicOp::Add, w32, false, rd, ra, offset, rb);
  s.op = OpClass::Xchg;
  return s;
}

Slot make_cmpxchg(bool w32, uint8_t rd, uint8_t ra, int32_t offset, uint8_t rb) {
  Slot s = make_xchg(w32, rd, ra, offset, rb);
  s.op = OpClass::Cmpxchg;
  return s;
}

// --- validity ---

namespace {

// Collects the first violated rule.
class Checker {
 public:
  void require(bool ok, const char* message) {
    if (!ok && error_.empty()) error_ = message;
  }
  void zero(uint32_t value, const char* field) {
    if (value != 0 && error_.empty()) error_ = fmt::format("{} must be 0", field);
  }
  void source(uint8_t reg, const char* field) {
    if (reg >= kNumOperandRegisters && error_.empty())
      error_ = fmt::format("{} names r{}, which does not exist", field, reg);
  }
  void destination(uint8_t reg) {
    source(reg, "rd");
    if (reg >= kFrameRegister && reg < kNumOperandRegisters && error_.empty())
      error_ = fmt::format("rd is r{}, which is read-only", reg);
  }
  std::string take() { return std::move(error_); }

 private:
  std::string error_;
};

bool ext_valid(int32_t kind, bool w32) {
  if (kind < 0 || kind >= kNumExtKinds) return false;
  const auto k = static_cast<ExtKind>(kind);
  return !(w32 && (k == ExtKind::Bswap64 || k == ExtKind::Sext32));
}

}  // namespace

std::string check_slot(const Slot& s) {
  Checker c;
  switch (s.op) {
    case OpClass::Nop:
      c.zero(s.rd, "rd"), c.zero(s.ra, "ra"), c.zero(s.rb, "rb"), c.zero(s.x12, "x12");
      c.zero(static_cast<uint32_t>(s.imm), "imm32");
      break;
    case OpClass::Movs:
      c.destination(s.rd);
      c.zero(s.ra, "ra"), c.zero(s.rb, "rb"), c.zero(s.x12, "x12");
      c.require(s.imm >= 0 && s.imm < kNumSpecialRegs, "movs names no special register");
      break;
    case OpClass::ExitImm:
      c.zero(s.rd, "rd"), c.zero(s.ra, "ra"), c.zero(s.rb, "rb"), c.zero(s.x12, "x12");
      break;
    case OpClass::ExitReg:
      c.source(s.ra, "ra");
      c.zero(s.rd, "rd"), c.zero(s.rb, "rb"), c.zero(s.x12, "x12");
      c.zero(static_cast<uint32_t>(s.imm), "imm32");
      break;
    case OpClass::HCall:
      c.zero(s.rd, "rd"), c.zero(s.ra, "ra"), c.zero(s.rb, "rb"), c.zero(s.x12, "x12");
      c.require(find_hardware_helper(s.imm) != nullptr, "hcall names no hardware helper unit");
      break;
    case OpClass::CallF:
      c.zero(s.rd, "rd"), c.zero(s.ra, "ra"), c.zero(s.rb, "rb");
      c.zero(static_cast<uint32_t>(s.imm), "imm32");
      c.require(s.x12 < kExitVectorBase, "callf cannot target an exit vector");
      break;
    case OpClass::Ret:
      c.zero(s.rd, "rd"), c.zero(s.ra, "ra"), c.zero(s.rb, "rb"), c.zero(s.x12, "x12");
      c.zero(static_cast<uint32_t>(s.imm), "imm32");
      break;
    case OpClass::Xchg:
    case OpClass::Cmpxchg:
      c.destination(s.rd), c.source(s.ra, "ra"), c.source(s.rb, "rb");
      c.zero(s.x12, "x12");
      break;
    case OpClass::Atomic:
      if (s.fetch)
        c.destination(s.rd);
      else
        c.zero(s.rd, "rd of an atomic without fetch");
      c.source(s.ra, "ra"), c.source(s.rb, "rb");
      c.zero(s.x12, "x12");
      break;
    case OpClass::Store:
      c.require(s.size >= 1 && s.size <= 8, "store size must be 1..8 bytes");
      c.zero(s.rd, "rd of a store");
      c.source(s.ra, "ra");
      if (s.store_value == StoreValue::Reg) {
        c.source(s.rb, "rb");
        c.zero(s.x12, "x12 of a register store");
      } else {
        c.require(s.store_value == StoreValue::Imm || s.store_value == StoreValue::Pool,
                  "invalid store value select");
        c.zero(s.rb, "rb of an immediate store");
        if (s.store_value == StoreValue::Pool) c.require(s.imm >= 0, "negative pool index");
      }
      break;
    case OpClass::Alu:
      c.destination(s.rd);
      c.source(s.ra, "ra");
      c.zero(s.x12, "x12 of an ALU operation");
      if (s.b == OperandB::Reg) {
        c.source(s.rb, "rb");
        c.zero(static_cast<uint32_t>(s.imm), "imm32 of a register ALU operation");
      } else {
        c.require(s.b == OperandB::Imm || s.b == OperandB::Pool, "invalid operand B select");
        c.zero(s.rb, "rb of an immediate ALU operation");
        if (s.b == OperandB::Pool) {
          c.require(!s.w32, "32-bit ALU operations have no pool operand");
          c.require(s.imm >= 0, "negative pool index");
        }
      }
      if (s.func == AluFunc::Mov) c.zero(s.ra, "ra of mov");
      if (s.func == AluFunc::Ext) {
        c.require(s.b == OperandB::Imm, "ext takes its conversion from imm32");
        c.require(ext_valid(s.imm, s.w32), "invalid ext conversion");
      }
      break;
    case OpClass::Load:
      c.require(s.size >= 1 && s.size <= 8, "load size must be 1..8 bytes");
      c.destination(s.rd);
      c.source(s.ra, "ra");
      if (s.no_fault)
        c.require(s.load_mode == LoadMode::BaseImm && !s.sign_extend,
                  "ldnf is zero-extending with an immediate offset");
      if (s.load_mode == LoadMode::BaseIndex) {
        c.source(s.rb, "rb");
        c.zero(static_cast<uint32_t>(s.imm), "imm32 of an indexed load");
      } else {
        c.zero(s.rb, "rb of a load with immediate offset");
        c.zero(s.x12, "x12 of a load with immediate offset");
      }
      break;
    case OpClass::Branch:
      c.zero(s.rd, "rd of a branch");
      c.require(static_cast<int>(s.cond) < kNumConds, "invalid branch condition");
      if (s.cond == Cond::Always) {
        c.zero(s.ra, "ra of ja"), c.zero(s.rb, "rb of ja");
        c.zero(static_cast<uint32_t>(s.imm), "imm32 of ja");
        c.require(!s.w32 && s.b == OperandB::Reg, "ja has no operand select");
      } else {
        c.source(s.ra, "ra");
        if (s.b == OperandB::Reg) {
          c.source(s.rb, "rb");
        } else {
          c.require(s.b == OperandB::Imm, "branches have no pool operand");
          c.zero(s.rb, "rb of an immediate branch");
        }
      }
      break;
  }
  c.require(s.x12 <= 0xfff, "x12 exceeds 12 bits");
  return c.take();
}

// --- encoding ---

namespace {

uint8_t opcode_of(const Slot& s) {
  switch (s.op) {
    case OpClass::Nop:
      return static_cast<uint8_t>(MiscOp::Nop);
    case OpClass::Movs:
      return static_cast<uint8_t>(MiscOp::Movs);
    case OpClass::ExitImm:
      return static_cast<uint8_t>(MiscOp::ExitImm);
    case OpClass::ExitReg:
      return static_cast<uint8_t>(MiscOp::ExitReg);
    case OpClass::HCall:
      return static_cast<uint8_t>(MiscOp::HCall);
    case OpClass::CallF:
      return static_cast<uint8_t>(MiscOp::CallF);
    case OpClass::Ret:
      return static_cast<uint8_t>(MiscOp::Ret);
    case OpClass::Xchg:
      return static_cast<uint8_t>(s.w32 ? MiscOp::Xchg32 : MiscOp::Xchg);
    case OpClass::Cmpxchg:
      return static_cast<uint8_t>(s.w32 ? MiscOp::Cmpxchg32 : MiscOp::Cmpxchg);
    case OpClass::Atomic:
      return static_cast<uint8_t>(kMiscAtomicBase | (s.w32 << 3) | (s.fetch << 2) |
                                  static_cast<uint8_t>(s.atomic_op));
    case OpClass::Store:
      return static_cast<uint8_t>(kBlockStoreBase | ((s.size - 1) << 2) |
                                  static_cast<uint8_t>(s.store_value));
    case OpClass::Alu:
      if (s.w32) {
        return static_cast<uint8_t>(kBlockAlu32Base | (static_cast<uint8_t>(s.func) << 1) |
                                    (s.b == OperandB::Imm ? 1 : 0));
      }
      return static_cast<uint8_t>(kBlockAlu64Base | (static_cast<uint8_t>(s.func) << 2) |
                                  static_cast<uint8_t>(s.b));
    case OpClass::Load:
      if (s.no_fault) return static_cast<uint8_t>(MiscOp::LoadNoFault);
      return static_cast<uint8_t>(kBlockLoadBase | (s.sign_extend << 4) | ((s.size - 1) << 1) |
                                  static_cast<uint8_t>(s.load_mode));
    case OpClass::Branch:
      return static_cast<uint8_t>(kBlockBranchBase | (static_cast<uint8_t>(s.cond) << 2) |
                                  (s.w32 << 1) | (s.b == OperandB::Imm ? 1 : 0));
  }
  return 0;
}

// Fills the opcode-derived fields of `s`; false for an invalid opcode.
bool parse_opcode(uint8_t o, Slot* s) {
  switch (block_of(o)) {
    case Block::Misc: {
      const uint8_t op = o & 0x1f;
      if (op >= kMiscAtomicBase) {
        s->op = OpClass::Atomic;
        s->w32 = (op >> 3) & 1;
        s->fetch = (op >> 2) & 1;
        s->atomic_op = static_cast<AtomicOp>(op & 3);
        return true;
      }
      switch (static_cast<MiscOp>(op)) {
        case MiscOp::Nop:
          s->op = OpClass::Nop;
          return true;
        case MiscOp::Movs:
          s->op = OpClass::Movs;
          return true;
        case MiscOp::ExitImm:
          s->op = OpClass::ExitImm;
          return true;
        case MiscOp::ExitReg:
          s->op = OpClass::ExitReg;
          return true;
        case MiscOp::HCall:
          s->op = OpClass::HCall;
          return true;
        case MiscOp::CallF:
          s->op = OpClass::CallF;
          return true;
        case MiscOp::Ret:
          s->op = OpClass::Ret;
          return true;
        case MiscOp::LoadNoFault:
          s->op = OpClass::Load;
          s->no_fault = true;
          s->load_mode = LoadMode::BaseImm;
          return true;
        case MiscOp::Xchg:
        case MiscOp::Xchg32:
          s->op = OpClass::Xchg;
          s->w32 = op == static_cast<uint8_t>(MiscOp::Xchg32);
          return true;
        case MiscOp::Cmpxchg:
        case MiscOp::Cmpxchg32:
          s->op = OpClass::Cmpxchg;
          s->w32 = op == static_cast<uint8_t>(MiscOp::Cmpxchg32);
          return true;
      }
      return false;
    }
    case Block::Store:
      if ((o & 3) == 3) return false;
      s->op = OpClass::Store;
      s->size = static_cast<uint8_t>(((o >> 2) & 7) + 1);
      s->store_value = static_cast<StoreValue>(o & 3);
      return true;
    case Block::Alu32:
      s->op = OpClass::Alu;
      s->w32 = true;
      s->func = static_cast<AluFunc>((o >> 1) & 0xf);
      s->b = (o & 1) ? OperandB::Imm : OperandB::Reg;
      return true;
    case Block::Load:
      s->op = OpClass::Load;
      s->sign_extend = (o >> 4) & 1;
      s->size = static_cast<uint8_t>(((o >> 1) & 7) + 1);
      s->load_mode = static_cast<LoadMode>(o & 1);
      return true;
    case Block::Alu64:
      if ((o & 3) == 3) return false;
      s->op = OpClass::Alu;
      s->func = static_cast<AluFunc>((o >> 2) & 0xf);
      s->b = static_cast<OperandB>(o & 3);
      return true;
    case Block::Branch: {
      const uint8_t cond = (o >> 2) & 0xf;
      if (cond >= kNumConds) return false;
      s->op = OpClass::Branch;
      s->cond = static_cast<Cond>(cond);
      s->w32 = (o >> 1) & 1;
      s->b = (o & 1) ? OperandB::Imm : OperandB::Reg;
      return true;
    }
  }
  return false;
}

}  // namespace

uint64_t encode_slot(const Slot& s) {
  if (std::string error = check_slot(s); !error.empty())
    throw Error(fmt::format("cannot encode slot: {}", error));
  // ldnf carries its size in x12 (the MISC block has no size field).
  const uint16_t x12 = s.op == OpClass::Load && s.no_fault ? s.size : s.x12;
  return (uint64_t{opcode_of(s)} << 56) | (uint64_t{s.rd} << 52) | (uint64_t{s.ra} << 48) |
         (uint64_t{s.rb} << 44) | (uint64_t{x12} << 32) | static_cast<uint32_t>(s.imm);
}

std::string decode_slot(uint64_t word, Slot* slot) {
  Slot s;
  const auto opcode = static_cast<uint8_t>(word >> 56);
  if (!parse_opcode(opcode, &s)) return fmt::format("invalid opcode 0x{:02x}", opcode);
  s.rd = (word >> 52) & 0xf;
  s.ra = (word >> 48) & 0xf;
  s.rb = (word >> 44) & 0xf;
  s.x12 = (word >> 32) & 0xfff;
  s.imm = static_cast<int32_t>(static_cast<uint32_t>(word));
  if (s.op == OpClass::Load && s.no_fault) {
    if (s.x12 < 1 || s.x12 > 8) return "ldnf size must be 1..8 bytes";
    s.size = static_cast<uint8_t>(s.x12);
    s.x12 = 0;
  }
  if (std::string error = check_slot(s); !error.empty()) return error;
  *slot = s;
  return {};
}

// --- operand usage ---

uint16_t registers_read(const Slot& s) {
  switch (s.op) {
    case OpClass::Nop:
    case OpClass::Movs:
    case OpClass::ExitImm:
    case OpClass::CallF:
    case OpClass::Ret:
      return 0;
    case OpClass::ExitReg:
      return bit(s.ra);
    case OpClass::HCall: {
      const HardwareHelper* helper = find_hardware_helper(s.imm);
      const int n = helper ? helper->arguments : 5;
      return static_cast<uint16_t>(((1u << n) - 1) << 1);  // r1..rn
    }
    case OpClass::Xchg:
    case OpClass::Atomic:
      return bit(s.ra) | bit(s.rb);
    case OpClass::Cmpxchg:
      return bit(s.ra) | bit(s.rb) | bit(s.rd);
    case OpClass::Store:
      return s.store_value == StoreValue::Reg ? bit(s.ra) | bit(s.rb) : bit(s.ra);
    case OpClass::Alu: {
      uint16_t mask = s.func == AluFunc::Mov ? 0 : bit(s.ra);
      if (s.b == OperandB::Reg) mask |= bit(s.rb);
      return mask;
    }
    case OpClass::Load:
      return s.load_mode == LoadMode::BaseIndex ? bit(s.ra) | bit(s.rb) : bit(s.ra);
    case OpClass::Branch:
      if (s.cond == Cond::Always) return 0;
      return s.b == OperandB::Reg ? bit(s.ra) | bit(s.rb) : bit(s.ra);
  }
  return 0;
}

uint16_t registers_written(const Slot& s) {
  switch (s.op) {
    case OpClass::Movs:
    case OpClass::Alu:
    case OpClass::Load:
    case OpClass::Xchg:
    case OpClass::Cmpxchg:
      return bit(s.rd);
    case OpClass::Atomic:
      return s.fetch ? bit(s.rd) : 0;
    case OpClass::ExitImm:
    case OpClass::ExitReg:
    case OpClass::HCall:
      return bit(0);
    default:
      return 0;
  }
}

bool is_memory_op(const Slot& s) {
  return s.op == OpClass::Load || s.op == OpClass::Store || s.op == OpClass::Atomic ||
         s.op == OpClass::Xchg || s.op == OpClass::Cmpxchg;
}

bool is_control_op(const Slot& s) {
  return s.op == OpClass::Branch || s.op == OpClass::CallF || s.op == OpClass::Ret ||
         s.op == OpClass::ExitImm || s.op == OpClass::ExitReg;
}

bool is_unit_op(const Slot& s) {
  return s.op == OpClass::HCall || s.op == OpClass::CallF || s.op == OpClass::Ret ||
         s.op == OpClass::ExitImm || s.op == OpClass::ExitReg;
}

bool is_exit_op(const Slot& s) {
  return s.op == OpClass::ExitImm || s.op == OpClass::ExitReg;
}

bool is_unconditional_control(const Slot& s) {
  return (s.op == OpClass::Branch && s.cond == Cond::Always) || s.op == OpClass::CallF ||
         s.op == OpClass::Ret || is_exit_op(s);
}

bool uses_multiplier(const Slot& s) {
  return s.op == OpClass::Alu && s.func == AluFunc::Mul;
}

bool uses_divider(const Slot& s) {
  return s.op == OpClass::Alu && (s.func == AluFunc::Div || s.func == AluFunc::Sdiv ||
                                  s.func == AluFunc::Mod || s.func == AluFunc::Smod);
}

bool uses_pool(const Slot& s) {
  return (s.op == OpClass::Alu && s.b == OperandB::Pool) ||
         (s.op == OpClass::Store && s.store_value == StoreValue::Pool);
}

}  // namespace nicsim::firmware
