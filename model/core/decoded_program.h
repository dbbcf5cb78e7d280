#pragma once
// The image's code predecoded for the per-cycle path: operand B and memory offsets resolved
// (immediates sign-extended, pool constants fetched), each operation's handler chosen (see
// op_kind.h), per-bundle register masks and unit use computed once, so that issuing a bundle
// is table lookups and straight-line code with few data-dependent host branches.

#include <array>
#include <cstdint>
#include <vector>

#include "ebpf/runtime/helpers.h"
#include "firmware/image/image.h"
#include "firmware/isa/opcodes.h"
#include "firmware/isa/slot.h"
#include "model/config.h"
#include "model/core/op_kind.h"

namespace nicsim::model {

struct MicroOp {
  OpKind kind = OpKind::End;
  // Loads: 64 minus the access's bits when it sign-extends, else 0 (a shift left then an
  // arithmetic shift right by it sign-extends; by 0 it changes nothing).
  uint8_t sign_shift = 0;
  ControlKind taken = ControlKind::None;  // branches, exits, calls: what taking it does
  firmware::Slot slot;
  // Operand B (ALU, branch), a store's value, a load's index: (regs[slot.rb] & b_mask) | b.
  // A register operand has b_mask all ones and b 0; an immediate or pool constant b_mask 0.
  uint64_t b_mask = 0;
  uint64_t b = 0;
  // Memory operations: the constant part of the address; branches: the addend of register A.
  int64_t offset = 0;
  uint32_t target = 0;      // taken branch, jump, call: the next bundle
  uint64_t exit_value = 0;  // taken exit (or branch to the exit vector): r0
  uint32_t ebpf_count = 0;
  uint32_t alu_latency = 1;  // ALU operations: 1, the multiplier's or the divider's latency
  const ebpf::HelperInfo* helper = nullptr;  // hcall: the helper, nullptr when it has none
};

struct MicroBundle {
  // The non-nop slots, in lane order, then an End (kind's default) that ends execution.
  std::array<MicroOp, firmware::kMaxLanes + 1> ops{};
  uint8_t count = 0;
  uint16_t registers = 0;  // read or written: all must be ready to issue
  // The registers of `registers`, then r10 (read-only: never later than any other register)
  // up to DecodedProgram::register_list_length(), so that the scoreboard check at fetch is a
  // loop of the same length for every bundle (a length that varies from bundle to bundle is a
  // branch the host mispredicts when contexts interleave).
  std::array<uint8_t, firmware::kNumOperandRegisters> register_list{};
  bool control = false;
  bool hcall = false;
  bool divider = false;
  bool shared_unit = false;  // hcall || divider: the issue test of most bundles is one load
  uint32_t divider_latency = 0;
  uint32_t ebpf_count = 0;
};

class DecodedProgram {
 public:
  DecodedProgram(const firmware::Image& image, const LatencyConfig& latency);
  const MicroBundle& bundle(uint32_t address) const { return bundles_[address]; }
  size_t size() const { return bundles_.size(); }
  uint32_t entry() const { return entry_; }
  // The most registers a bundle of the program uses (see MicroBundle::register_list).
  uint32_t register_list_length() const { return register_list_length_; }
  firmware::EntryKind entry_kind() const { return entry_kind_; }

 private:
  std::vector<MicroBundle> bundles_;
  uint32_t register_list_length_ = 0;
  uint32_t entry_;
  firmware::EntryKind entry_kind_;
};

}  // namespace nicsim::model
