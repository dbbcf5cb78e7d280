#pragma once
// Which memory each load, store and atomic operation can reach. A NIC address reaches valid
// bytes of one memory only (packet buffer, stack, map memory, docs/nic-isa.md section 3), so
// two accesses whose addresses lie in different memories' neighbourhoods never touch the same
// byte. An address is classified by the value of its base register: a constant, a special
// register (packet pointers), the frame pointer, a map value returned by the map engine, and
// those plus a small offset (an immediate, or a register known to hold a small value). Map
// accesses are also told apart by map when the lookup's handle or the address is known (the
// maps' regions never overlap).

#include <cstdint>
#include <vector>

#include "jit/nic/ir.h"

namespace nicsim::jit::nic {

enum class Memory : uint8_t { Unknown, Packet, Stack, Map, Context, Firmware };

struct MemoryAccess {
  Memory memory = Memory::Unknown;
  bool absolute = false;  // the address is known: `address`
  uint64_t address = 0;
  int map = -1;  // Memory::Map: the index of the map in the image, -1 when not known
};

// For every operation of every block (indexed [block][op]): where its memory access goes
// (Memory::Unknown for operations that access no memory or cannot be classified).
std::vector<std::vector<MemoryAccess>> classify_memory(const Function& fn);

// Whether two classified accesses of `size_a` and `size_b` bytes may touch a common byte.
bool accesses_may_overlap(const MemoryAccess& a, int size_a, const MemoryAccess& b, int size_b);

}  // namespace nicsim::jit::nic
