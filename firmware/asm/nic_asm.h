#pragma once
// The NIC core's assembly language (docs/nic-isa.md section 4 gives the mnemonics):
//
//   entry:                                   # a label names the next bundle
//   { add r3, r1, 14 ; ld2 r4, [r1+12] }     # one bundle, lanes in order
//   jgt r3, r2, @drop                        # a bundle of one slot
//   mov r1, =0x1122334455667788              # a 64-bit constant from the pool
//   drop: exit 1
//
// Targets are `@label`, `@<bundle number>` or `@exit<action>` (exit vectors). Comments start
// with `#` or `//`. disassemble_* produces text that assemble_nic() reads back.

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "firmware/isa/slot.h"

namespace nicsim::firmware {

struct AssembledCode {
  std::vector<std::vector<Slot>> bundles;  // each 1..max_lanes slots (not padded)
  std::vector<uint64_t> constants;         // the pool, extended by `=value` operands
  std::map<std::string, uint32_t> labels;  // label -> bundle address
};

struct AsmOptions {
  int max_lanes = kMaxLanes;        // a bundle with more slots is an error
  uint32_t base_address = 0;        // address of the first bundle (labels, @N targets)
  std::vector<uint64_t> constants;  // initial pool; `=value` reuses an equal entry
};

// Throws nicsim::Error "nic asm line N: <reason>".
AssembledCode assemble_nic(std::string_view text, const AsmOptions& options = {});

// One slot; `pool` (may be empty) lets pool operands print as `=0x...` instead of `pool[i]`.
std::string disassemble_slot(const Slot& slot, std::span<const uint64_t> pool = {});
// "{ a ; b }" with nops left out ("{ nop }" for an empty bundle); a single slot prints bare.
std::string disassemble_bundle(std::span<const Slot> slots, std::span<const uint64_t> pool = {});

std::string_view special_register_name(SpecialReg reg);
std::string_view condition_name(Cond cond);
std::string_view alu_function_name(AluFunc func);
std::string_view ext_kind_name(ExtKind kind);

}  // namespace nicsim::firmware
