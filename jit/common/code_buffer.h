#pragma once
// The byte writer every JIT backend emits into: bounds-checked appends and patches, labels
// bound to code offsets, and fix-ups resolved once the code's final address is known: byte
// fields (relative 8/32-bit displacements, absolute 64-bit addresses, as x86 has them) and
// fields inside a 32-bit instruction word (as AArch64 has them), written by the backend's
// encoder through a WordField function.

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

// Encodes a label's address into a field of the 32-bit little-endian instruction `word` at
// `site` (both addresses where the code will run) and returns the word; throws JitError
// when the field cannot hold it. Instruction sets whose displacements are split or scaled
// inside the word (branch immediates, page-relative addresses) supply one per field kind.
using WordField = uint32_t (*)(uint32_t word, uint64_t site, uint64_t target);

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
  // Declares that the instruction word at `word_offset` refers to `target` through `field`.
  void add_word_fixup(WordField field, size_t word_offset, Label target);
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
  struct WordFixup {
    WordField field;
    size_t word_offset;
    Label target;
  };

  void check_target(Label target) const;
  uint32_t read32(size_t offset) const;

  void reserve_bytes(size_t count);
  void check_patch(size_t offset, size_t width) const;

  size_t limit_;
  std::vector<uint8_t> bytes_;
  std::vector<int64_t> labels_;
  std::vector<Fixup> fixups_;
  std::vector<WordFixup> word_fixups_;
};

}  // namespace nicsim::jit
