#include "jit/nic/memory_facts.h"

#include <span>

#include "firmware/isa/address_map.h"
#include "jit/nic/constants.h"
#include "jit/nic/dataflow.h"
#include "jit/nic/widths.h"

namespace nicsim::jit::nic {

using firmware::AluFunc;
using firmware::OpClass;
using firmware::OperandB;
using firmware::SpecialReg;

namespace {

// Offsets that keep an address inside its memory's neighbourhood: every memory's valid bytes
// lie at least 2^24 away from every other memory's.
constexpr int64_t kSmallOffset = int64_t{1} << 23;
constexpr uint8_t kSmallWidth = 22;

Memory memory_of_address(uint64_t address) {
  switch (firmware::region_of(address)) {
    case firmware::Region::Packet:
      return Memory::Packet;
    case firmware::Region::Stack:
      return Memory::Stack;
    case firmware::Region::Map:
      return Memory::Map;
    case firmware::Region::Context:
      return Memory::Context;
    case firmware::Region::FirmwareData:
      return Memory::Firmware;
    default:
      return Memory::Unknown;
  }
}

// Which of the image's maps holds `address` (-1: none, or not known).
int map_of_address(std::span<const firmware::MapLayout> maps, uint64_t address) {
  for (size_t i = 0; i < maps.size(); ++i) {
    const uint64_t begin = maps[i].base;
    const uint64_t end = begin + uint64_t{maps[i].stride} * maps[i].capacity;
    if (address >= begin && address < end) return static_cast<int>(i);
  }
  return -1;
}

struct State {
  Constants constants;
  Widths widths;
  std::array<Memory, firmware::kNumOperandRegisters> memory{};
  // For Memory::Map: which map (-1 when not known).
  std::array<int16_t, firmware::kNumOperandRegisters> map{};
};

bool join(State& into, const State& from) {
  bool changed = join_widths(into.widths, from.widths);
  for (size_t r = 0; r < into.memory.size(); ++r) {
    if (into.constants[r] && into.constants[r] != from.constants[r]) {
      into.constants[r].reset();
      changed = true;
    }
    if (into.memory[r] != Memory::Unknown && into.memory[r] != from.memory[r]) {
      into.memory[r] = Memory::Unknown;
      changed = true;
    }
    if (into.map[r] != -1 && into.map[r] != from.map[r]) {
      into.map[r] = -1;
      changed = true;
    }
  }
  return changed;
}

void transfer(const Op& op, State& state, std::span<const firmware::MapLayout> maps) {
  const firmware::Slot& s = op.slot;
  const State before = state;
  for (uint16_t w = op.writes(); w; w &= w - 1) {
    state.memory[__builtin_ctz(w)] = Memory::Unknown;
    state.map[__builtin_ctz(w)] = -1;
  }
  if (s.op == OpClass::Movs) {
    const auto reg = static_cast<SpecialReg>(s.imm);
    if (reg == SpecialReg::PktData || reg == SpecialReg::PktEnd || reg == SpecialReg::PktMeta)
      state.memory[s.rd] = Memory::Packet;
  } else if (s.op == OpClass::HCall && s.imm == 1) {
    state.memory[0] = Memory::Map;  // map_lookup_elem: a value, or null (never valid memory)
    // The value is in the map whose handle r1 holds.
    if (before.constants[1] && *before.constants[1] >= firmware::kMapHandleBase) {
      const uint64_t index =
          (*before.constants[1] - firmware::kMapHandleBase) / firmware::kMapHandleStride;
      if (index < maps.size()) state.map[0] = static_cast<int16_t>(index);
    }
  } else if (s.op == OpClass::Alu && !s.w32) {
    const Memory base = s.func == AluFunc::Mov ? Memory::Unknown : before.memory[s.ra];
    if (s.func == AluFunc::Mov && s.b == OperandB::Reg) {
      state.memory[s.rd] = before.memory[s.rb];
      state.map[s.rd] = before.map[s.rb];
    } else if ((s.func == AluFunc::Add || s.func == AluFunc::Sub) && base != Memory::Unknown) {
      const bool small = s.b == OperandB::Imm   ? s.imm > -kSmallOffset && s.imm < kSmallOffset
                         : s.b == OperandB::Reg ? before.widths[s.rb] <= kSmallWidth
                                                : false;
      if (small) {
        state.memory[s.rd] = base;
        state.map[s.rd] = before.map[s.ra];
      }
    } else if (s.func == AluFunc::Add && s.b == OperandB::Imm &&
               before.widths[s.ra] <= kSmallWidth) {
      // A small value plus an address (an array map's base plus a scaled index).
      const auto address = static_cast<uint64_t>(static_cast<int64_t>(s.imm));
      state.memory[s.rd] = memory_of_address(address);
      state.map[s.rd] = static_cast<int16_t>(map_of_address(maps, address));
    } else if (s.func == AluFunc::Add && s.b == OperandB::Reg &&
               before.memory[s.rb] != Memory::Unknown && before.widths[s.ra] <= kSmallWidth) {
      state.memory[s.rd] = before.memory[s.rb];
      state.map[s.rd] = before.map[s.rb];
    }
  }
  constant_transfer(op, state.constants);
  width_transfer(op, state.widths);
  for (uint16_t w = op.writes(); w; w &= w - 1) {
    const int r = __builtin_ctz(w);
    if (state.constants[r]) {
      state.memory[r] = memory_of_address(*state.constants[r]);
      state.map[r] = static_cast<int16_t>(map_of_address(maps, *state.constants[r]));
    }
  }
  for (int r = firmware::kPacketDataRegister; r <= firmware::kPacketMetaRegister; ++r)
    state.memory[r] = Memory::Packet;
}

MemoryAccess access_of(const Op& op, const State& state,
                       std::span<const firmware::MapLayout> maps) {
  const firmware::Slot& s = op.slot;
  MemoryAccess access;
  int64_t offset = 0;
  switch (s.op) {
    case OpClass::Load:
      if (s.load_mode == firmware::LoadMode::BaseIndex) return access;
      offset = s.imm;
      break;
    case OpClass::Store:
      offset = s.store_value == firmware::StoreValue::Reg ? s.imm : s.offset12();
      break;
    case OpClass::Atomic:
    case OpClass::Xchg:
    case OpClass::Cmpxchg:
      offset = s.imm;
      break;
    default:
      return access;
  }
  if (state.constants[s.ra]) {
    access.absolute = true;
    access.address = *state.constants[s.ra] + static_cast<uint64_t>(offset);
    access.memory = memory_of_address(access.address);
    access.map = map_of_address(maps, access.address);
    return access;
  }
  if (offset > -kSmallOffset && offset < kSmallOffset) {
    access.memory = state.memory[s.ra];
    access.map = state.map[s.ra];
  } else if (state.widths[s.ra] <= kSmallWidth) {
    // A small value plus an address, as for `add` above (an add folded into the offset).
    access.memory = memory_of_address(static_cast<uint64_t>(offset));
    access.map = map_of_address(maps, static_cast<uint64_t>(offset));
  }
  return access;
}

}  // namespace

std::vector<std::vector<MemoryAccess>> classify_memory(const Function& fn) {
  State entry;
  entry.map.fill(-1);
  entry.constants[firmware::kFrameRegister] = firmware::kFramePointer;
  entry.widths = entry_widths(fn);
  entry.memory[firmware::kFrameRegister] = Memory::Stack;
  for (int r = firmware::kPacketDataRegister; r <= firmware::kPacketMetaRegister; ++r)
    entry.memory[r] = Memory::Packet;
  if (fn.entry_kind == firmware::EntryKind::Xdp) {
    entry.constants[1] = firmware::kContextBase;
    entry.memory[1] = Memory::Context;
  } else {
    entry.memory[1] = Memory::Packet;  // the raw contract: r1 = pkt_data
  }
  const auto in = forward_dataflow(
      fn, entry,
      [&fn](int32_t b, State& state) {
        for (const Op& op : fn.blocks[b].ops)
          transfer(op, state, fn.maps);
      },
      join);
  std::vector<std::vector<MemoryAccess>> out(fn.blocks.size());
  for (size_t b = 0; b < fn.blocks.size(); ++b) {
    out[b].resize(fn.blocks[b].ops.size());
    if (!in[b]) continue;
    State state = *in[b];
    for (size_t i = 0; i < fn.blocks[b].ops.size(); ++i) {
      out[b][i] = access_of(fn.blocks[b].ops[i], state, fn.maps);
      transfer(fn.blocks[b].ops[i], state, fn.maps);
    }
  }
  return out;
}

bool accesses_may_overlap(const MemoryAccess& a, int size_a, const MemoryAccess& b, int size_b) {
  if (a.absolute && b.absolute)
    return a.address < b.address + size_b && b.address < a.address + size_a;
  if (a.memory == Memory::Unknown || b.memory == Memory::Unknown) return true;
  if (a.memory == Memory::Map && b.memory == Memory::Map && a.map >= 0 && b.map >= 0)
    return a.map == b.map;  // every map has its own region
  return a.memory == b.memory;
}

}  // namespace nicsim::jit::nic
