#pragma once
// Register definitions whose value no instruction reads, in verified code: the definitions a
// folded array lookup leaves behind (`r1 = map`, `r2 = r10; r2 += -4` in front of a lookup
// that reads neither) and any other. A backward liveness in which a definition nobody
// reads reads nothing itself, so a chain of them (r2 = r10 feeding only a dead r2 += -4) is
// left out whole. Only ALU instructions and lddw, which have no effect besides their
// register, are ever left out.

#include <cstdint>
#include <functional>
#include <vector>

#include "ebpf/isa/instruction.h"

namespace nicsim::jit {

using RegisterMask = uint16_t;  // bit r: eBPF register r

// `reachable[slot]`: some execution reaches the slot (unreachable ones are translated to
// nothing). `call_reads(slot)`: the registers the translation of the call at `slot` reads
// (r1..r5 for a called function; fewer for one computed inline). Returns, per slot, whether
// the instruction may be left out.
std::vector<bool> unread_definitions(const std::vector<ebpf::Instruction>& insns,
                                     const std::vector<bool>& reachable,
                                     const std::function<RegisterMask(size_t)>& call_reads);

}  // namespace nicsim::jit
