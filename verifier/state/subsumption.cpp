#include "verifier/state/subsumption.h"

#include <optional>
#include <utility>
#include <vector>

namespace nicsim::verifier {
namespace {

// A one-to-one correspondence between the ids of the explored state and those of the
// current one, built while comparing.
class IdMap {
 public:
  bool match(uint32_t old_id, uint32_t cur_id) {
    for (const auto& [o, c] : pairs_) {
      if (o == old_id) return c == cur_id;
      if (c == cur_id) return false;
    }
    pairs_.emplace_back(old_id, cur_id);
    return true;
  }
  // Scalars without a link get a fresh private id, so that an old link between two
  // registers is only matched by a link in the current state too.
  bool match_scalar(uint32_t old_id, uint32_t cur_id) {
    if (old_id == 0 && cur_id == 0) return true;
    if (old_id == 0) old_id = fresh();
    if (cur_id == 0) cur_id = fresh();
    return match(old_id, cur_id);
  }

 private:
  uint32_t fresh() { return 0x80000000U + next_++; }
  std::vector<std::pair<uint32_t, uint32_t>> pairs_;
  uint32_t next_ = 0;
};

bool same_region(const RegisterState& a, const RegisterState& b) {
  return a.type == b.type && a.maybe_null == b.maybe_null && a.ringbuf == b.ringbuf &&
         a.read_only == b.read_only && a.off == b.off && a.map == b.map &&
         a.mem_size == b.mem_size && a.target == b.target && a.frame == b.frame;
}

bool register_includes(const RegisterState& old, const RegisterState& cur, IdMap& ids) {
  if (old.type == RegType::NotInit) return true;
  if (old.type != cur.type) return false;
  switch (old.type) {
    case RegType::Scalar:
      return old.value.includes(cur.value) &&
             (old.value.is_const() || ids.match_scalar(old.id, cur.id));
    case RegType::MapValue:
    case RegType::MapKey:
    case RegType::Mem:
      return same_region(old, cur) && old.value.includes(cur.value) &&
             (old.id == 0 || ids.match(old.id, cur.id)) &&
             (old.ref_id == 0 || ids.match(old.ref_id, cur.ref_id));
    case RegType::Packet:
    case RegType::PacketMeta:
      // The current pointer must be known valid for at least as many bytes.
      return old.range <= cur.range && old.off == cur.off && ids.match(old.id, cur.id) &&
             old.value.includes(cur.value);
    default:
      return same_region(old, cur) && old.value == cur.value &&
             (old.id == 0 || ids.match(old.id, cur.id)) &&
             (old.ref_id == 0 || ids.match(old.ref_id, cur.ref_id));
  }
}

// A slot read as a whole 64-bit scalar: a full scalar spill, or eight misc/zero bytes
// (which load as an unknown number, or zero).
std::optional<RegisterState> slot_as_scalar(const StackSlot& slot) {
  if (slot.is_full_spill()) {
    if (slot.spilled.type == RegType::Scalar) return slot.spilled;
    return std::nullopt;
  }
  bool all_zero = true;
  for (SlotByte b : slot.bytes) {
    if (b == SlotByte::Misc)
      all_zero = false;
    else if (b != SlotByte::Zero)
      return std::nullopt;
  }
  return RegisterState::scalar(all_zero ? Scalar::constant(0) : Scalar::unknown());
}

// A byte that holds some number (not part of a spilled pointer).
bool is_data(SlotByte b, const StackSlot& slot) {
  return b == SlotByte::Misc || b == SlotByte::Zero ||
         (b == SlotByte::Spill && slot.spilled.is_scalar());
}

bool slot_includes(const StackSlot& old, const StackSlot& cur, bool precise, IdMap& ids) {
  // A spilled scalar no continuation needed exactly is as good as unknown bytes.
  const bool old_is_plain_data = old.is_spill() && old.spilled.is_scalar() && !precise;
  const auto old_scalar = slot_as_scalar(old);
  const auto cur_scalar = slot_as_scalar(cur);
  if (old_scalar && cur_scalar && !old_is_plain_data) {
    return register_includes(*old_scalar, *cur_scalar, ids);
  }
  for (int i = 0; i < kSlotSize; ++i) {
    const SlotByte o = old.bytes[i];
    const SlotByte c = cur.bytes[i];
    if (o == SlotByte::Invalid) continue;
    // Unknown bytes include any number; zero bytes only zero.
    if (o == SlotByte::Misc || (o == SlotByte::Spill && old_is_plain_data)) {
      if (!is_data(c, cur)) return false;
      continue;
    }
    if (o != c) return false;
  }
  if (old.is_spill() && !old_is_plain_data && !register_includes(old.spilled, cur.spilled, ids)) {
    return false;
  }
  return true;
}

}  // namespace

bool state_includes(const VerifierState& explored, const VerifierState& current,
                    const LocationSet& live, const LocationSet& precise) {
  if (explored.frames.size() != current.frames.size()) return false;
  IdMap ids;
  for (size_t f = 0; f < explored.frames.size(); ++f) {
    const Frame& old_frame = explored.frames[f];
    const Frame& cur_frame = current.frames[f];
    if (old_frame.callsite != cur_frame.callsite || old_frame.function != cur_frame.function) {
      return false;
    }
    const int frame = static_cast<int>(f);
    // Only what the explored state's continuations read matters: walk its live locations.
    const size_t first = reg_location(frame, 0);
    const size_t end = reg_location(frame + 1, 0);
    const size_t start = first == 0 ? live._Find_first() : live._Find_next(first - 1);
    for (size_t l = start; l < end; l = live._Find_next(l)) {
      const auto local = static_cast<int>(l - first);
      if (local < kRegisterCount) {
        const RegisterState& old_reg = old_frame.regs[local];
        if (old_reg.type == RegType::NotInit) continue;
        if (old_reg.is_scalar() && !precise.test(l) && cur_frame.regs[local].is_scalar()) continue;
        if (!register_includes(old_reg, cur_frame.regs[local], ids)) return false;
        continue;
      }
      const int slot = local - kRegisterCount;
      const StackSlot* old_slot = old_frame.stack.slot(slot);
      if (old_slot == nullptr) break;  // slots beyond the explored stack hold nothing
      if (!old_slot->any_initialized()) continue;
      static const StackSlot kEmpty{};
      const StackSlot* cur_slot = cur_frame.stack.slot(slot);
      if (!slot_includes(*old_slot, cur_slot ? *cur_slot : kEmpty, precise.test(l), ids)) {
        return false;
      }
    }
  }
  // The same references must be held (under the id correspondence).
  if (explored.refs.size() != current.refs.size()) return false;
  for (size_t i = 0; i < explored.refs.size(); ++i) {
    if (!ids.match(explored.refs[i].id, current.refs[i].id)) return false;
  }
  return true;
}

}  // namespace nicsim::verifier
