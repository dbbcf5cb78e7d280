#pragma once
// The byte writer every JIT backend emits into: bounds-checked appends and patches, labels
// bound to code offsets, and fix-ups (relative 8/32-bit displacements, absolute 64-bit
// addresses) resolved once the code's final address is known.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

namespace nicsim::jit {

struct Label {
  static constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();
  uint32_t id = kNone;
  bool valid() const { return id != kNone; }
  friend bool operator==(Label, Label) = default;
};

enum class FixupKind : uint8_t {
  Rel8,   // signed 8-bit displacement from the end of the instruction
  Rel32,  // signed 32-bit displacement from the end of the instruction
  Abs64,  // absolute address of the label once the code is placed
};

class CodeBuffer {
 public:
  static constexpr size_t kDefaultLimit = size_t{64} << 20;
  static constexpr int64_t kUnbound = -1;

  explicit CodeBuffer(size_t limit = kDefaultLimit) : limit_(limit) {}

  void put8(uint8_t value);
  void put16(uint16_t value);
  void put32(uint32_t value);
  void put64(uint64_t value);
  void put(std::span<const uint8_t> bytes);

  size_t size() const { return bytes_.size(); }
  std::span<const uint8_t> bytes() const { return bytes_; }
  void patch8(size_t offset, uint8_t value);
  void patch32(size_t offset, uint32_t value);
  void patch64(size_t offset, uint64_t value);

  Label new_label();
  // Binds `label` to the current end of the code; a label is bound once.
  void bind(Label label);
  bool is_bound(Label label) const;
  size_t offset_of(Label label) const;
  size_t label_count() const { return labels_.size(); }
  // Offsets of every label (kUnbound for unbound ones), indexed by label id.
  const std::vector<int64_t>& label_offsets() const { return labels_; }

  // Declares that the field of `kind` at `field_offset` refers to `target`; relative fields
  // are measured from `from` (the end of the instruction that holds them).
  void add_fixup(FixupKind kind, size_t field_offset, size_t from, Label target);
  // Writes every fix-up for code that will run at `load_address`. Throws JitError for an
  // unbound label or a displacement that does not fit its field.
  void link(uint64_t load_address);

 private:
  struct Fixup {
    FixupKind kind;
    size_t field_offset;
    size_t from;
    Label target;
  };

  void reserve_bytes(size_t count);
  void check_patch(size_t offset, size_t width) const;

  size_t limit_;
  std::vector<uint8_t> bytes_;
  std::vector<int64_t> labels_;
  std::vector<Fixup> fixups_;
};

}  // namespace nicsim::jit
