#include "verifier/state/state_hash.h"

namespace nicsim::verifier {
namespace {

class Hasher {
 public:
  void add(uint64_t v) {
    // FNV-1a over 64-bit words, with a final mix in value().
    h_ ^= v;
    h_ *= 0x100000001b3ULL;
  }
  void add(const Scalar& s) {
    add(s.bits.value());
    add(s.bits.mask());
    add(s.u64.min);
    add(s.u64.max);
    add(static_cast<uint64_t>(s.s64.min));
    add(static_cast<uint64_t>(s.s64.max));
    add((uint64_t{s.u32.min} << 32) | s.u32.max);
    add((uint64_t{static_cast<uint32_t>(s.s32.min)} << 32) | static_cast<uint32_t>(s.s32.max));
  }
  void add(const RegisterState& r) {
    add((uint64_t{static_cast<uint8_t>(r.type)} << 56) | (uint64_t{r.maybe_null} << 48) |
        (uint64_t{r.ringbuf} << 40) | (uint64_t{r.read_only} << 32) | (uint64_t{r.frame} << 24));
    if (r.type == RegType::NotInit) return;
    add(static_cast<uint64_t>(static_cast<uint32_t>(r.off)) | (uint64_t{r.id} << 32));
    add(uint64_t{r.ref_id} | (uint64_t{r.range} << 32));
    add(static_cast<uint64_t>(static_cast<uint32_t>(r.map)) | (uint64_t{r.mem_size} << 32));
    add(static_cast<uint64_t>(static_cast<uint32_t>(r.target)) |
        (uint64_t{static_cast<uint32_t>(r.invalidated_at)} << 32));
    add(static_cast<uint64_t>(static_cast<uint32_t>(r.range_proof)));
    add(r.value);
  }
  uint64_t value() const {
    uint64_t x = h_;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
  }

 private:
  uint64_t h_ = 0xcbf29ce484222325ULL;
};

}  // namespace

uint64_t hash_state(const VerifierState& s) {
  Hasher h;
  for (const Frame& f : s.frames) {
    h.add(static_cast<uint64_t>(static_cast<uint32_t>(f.callsite)) |
          (uint64_t{static_cast<uint32_t>(f.function)} << 32));
    for (const RegisterState& r : f.regs)
      h.add(r);
    for (int i = 0; i < f.stack.allocated_slots(); ++i) {
      const StackSlot& slot = *f.stack.slot(i);
      if (!slot.any_initialized()) continue;  // absent and all-Invalid slots compare equal
      uint64_t bytes = static_cast<uint64_t>(i) << 56;
      for (int b = 0; b < kSlotSize; ++b)
        bytes |= uint64_t{static_cast<uint8_t>(slot.bytes[b])} << (2 * b);
      h.add(bytes);
      if (slot.is_spill()) h.add(slot.spilled);
    }
  }
  for (const Reference& r : s.refs)
    h.add(uint64_t{r.id} | (uint64_t{static_cast<uint32_t>(r.insn)} << 32));
  return h.value();
}

}  // namespace nicsim::verifier
