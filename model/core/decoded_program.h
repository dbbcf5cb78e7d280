#pragma once
// The image's code predecoded for the per-cycle path: operand B and memory offsets resolved
// (immediates sign-extended, pool constants fetched), per-bundle register masks and unit use
// computed once, so that issuing a bundle is table lookups.

#include <array>
#include <cstdint>
#include <vector>

#include "ebpf/runtime/helpers.h"
#include "firmware/image/image.h"
#include "firmware/isa/opcodes.h"
#include "firmware/isa/slot.h"
#include "model/config.h"

namespace nicsim::model {

struct MicroOp {
  firmware::Slot slot;
  uint64_t b = 0;      // operand B when it is not a register; a store's immediate value
  int64_t offset = 0;  // memory operations: the constant part of the address
  uint32_t ebpf_count = 0;
  uint32_t alu_latency = 1;  // ALU operations: 1, the multiplier's or the divider's latency
  const ebpf::HelperInfo* helper = nullptr;  // hcall: the helper, nullptr when it has none
};

struct MicroBundle {
  std::array<MicroOp, firmware::kMaxLanes> ops{};  // the non-nop slots, in lane order
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
