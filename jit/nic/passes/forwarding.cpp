// Store-to-load forwarding on the stack, part of the access-merge pass. eBPF programs park
// values on the stack (a return code, a key they also pass to a helper) and read them back
// later in the same straight line; the load's 2-cycle latency then sits on the path to the
// exit. When the last write to the loaded bytes is a store of a register (still unchanged) or
// of an immediate, the load becomes an ALU operation on that value. And in a block that ends
// the packet, a stack store nothing reads afterwards is dropped (the stack dies with the
// packet).

#include <optional>

#include "firmware/isa/address_map.h"
#include "jit/nic/memory_facts.h"
#include "jit/nic/passes/pass.h"

namespace nicsim::jit::nic {

using firmware::AluFunc;
using firmware::OpClass;

namespace {

uint16_t bit(uint8_t r) {
  return static_cast<uint16_t>(1u << r);
}

// Bytes an operation reads or writes in memory (0 for none).
int access_size(const firmware::Slot& s) {
  switch (s.op) {
    case OpClass::Load:
    case OpClass::Store:
      return s.size;
    case OpClass::Atomic:
    case OpClass::Xchg:
    case OpClass::Cmpxchg:
      return s.w32 ? 4 : 8;
    default:
      return 0;
  }
}

bool reads_memory(const firmware::Slot& s) {
  return s.op == OpClass::Load || s.op == OpClass::Atomic || s.op == OpClass::Xchg ||
         s.op == OpClass::Cmpxchg;
}

// The value `store` leaves in its first `size` bytes, as an operation writing `rd`; nullopt
// when it cannot be expressed in one operation.
std::optional<firmware::Slot> forwarded(const Op& store, uint8_t size, uint8_t rd) {
  const firmware::Slot& s = store.slot;
  if (store.pool || s.store_value == firmware::StoreValue::Pool) return std::nullopt;
  if (s.store_value == firmware::StoreValue::Reg) {
    switch (size) {
      case 8:
        return firmware::make_mov(false, rd, s.rb);
      case 4:
        return firmware::make_mov(true, rd, s.rb);
      case 2:
        return firmware::make_alu_imm(AluFunc::And, false, rd, s.rb, 0xffff);
      case 1:
        return firmware::make_alu_imm(AluFunc::And, false, rd, s.rb, 0xff);
      default:
        return std::nullopt;
    }
  }
  // An immediate store writes sext(imm32) truncated to its size; the load zero-extends.
  const uint64_t value = static_cast<uint64_t>(static_cast<int64_t>(s.imm));
  const uint64_t loaded = size == 8 ? value : value & ((uint64_t{1} << (8 * size)) - 1);
  if (static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(loaded))) == loaded)
    return firmware::make_mov_imm(false, rd, static_cast<int32_t>(loaded));
  return firmware::make_mov_imm(true, rd, static_cast<int32_t>(static_cast<uint32_t>(loaded)));
}

size_t forward_in_block(Block& block, const std::vector<MemoryAccess>& accesses) {
  size_t changes = 0;
  for (size_t j = 0; j < block.ops.size(); ++j) {
    const firmware::Slot load = block.ops[j].slot;
    if (load.op != OpClass::Load || load.no_fault || load.sign_extend ||
        load.load_mode != firmware::LoadMode::BaseImm || !accesses[j].absolute ||
        accesses[j].memory != Memory::Stack)
      continue;
    // The last operation before the load that may write its bytes, and what writes the
    // registers in between.
    uint16_t written = 0;
    for (size_t i = j; i-- > 0;) {
      const Op& op = block.ops[i];
      if (op.is_call()) break;
      const int size = op.writes_memory() ? access_size(op.slot) : 0;
      if (size > 0 && accesses_may_overlap(accesses[i], size, accesses[j], load.size)) {
        const bool same_start = accesses[i].absolute && accesses[i].address == accesses[j].address;
        if (op.slot.op == OpClass::Store && same_start && size >= load.size &&
            (op.slot.store_value != firmware::StoreValue::Reg || !(written & bit(op.slot.rb)))) {
          if (auto value = forwarded(op, load.size, load.rd)) {
            block.ops[j].slot = *value;
            block.ops[j].safe = false;
            block.ops[j].access_proven = false;
            ++changes;
          }
        }
        break;
      }
      written |= op.writes();
    }
  }
  return changes;
}

// In a block with no successor, stack stores after which no operation reads the stack (or
// might, or calls a helper) are dead.
size_t drop_dead_stack_stores(Function& fn, int32_t b, const std::vector<MemoryAccess>& accesses) {
  Block& block = fn.blocks[b];
  if (!fn.successors(b).empty() || block.ops.empty() || !block.ops.back().is_exit()) return 0;
  std::vector<size_t> dead;
  for (size_t i = block.ops.size(); i-- > 0;) {
    const Op& op = block.ops[i];
    if (op.is_call()) break;
    if (reads_memory(op.slot) &&
        (accesses[i].memory == Memory::Stack || accesses[i].memory == Memory::Unknown))
      break;
    if (op.slot.op == OpClass::Store && accesses[i].memory == Memory::Stack) dead.push_back(i);
  }
  for (size_t i : dead)  // descending indices
    remove_op(block, i);
  return dead.size();
}

}  // namespace

size_t forward_stack_stores(Function& fn) {
  size_t changes = 0;
  const auto accesses = classify_memory(fn);
  for (int32_t b = 0; b < static_cast<int32_t>(fn.blocks.size()); ++b) {
    if (fn.blocks[b].removed) continue;
    changes += forward_in_block(fn.blocks[b], accesses[b]);
    changes += drop_dead_stack_stores(fn, b, accesses[b]);
  }
  return changes;
}

}  // namespace nicsim::jit::nic
