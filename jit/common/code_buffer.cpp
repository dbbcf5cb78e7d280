#include "jit/common/code_buffer.h"

#include <fmt/format.h>

#include "jit/common/jit_error.h"

namespace nicsim::jit {

void CodeBuffer::reserve_bytes(size_t count) {
  if (bytes_.size() + count > limit_)
    throw JitError(fmt::format("jit: generated code exceeds the limit of {} bytes", limit_));
}

void CodeBuffer::put8(uint8_t value) {
  reserve_bytes(1);
  bytes_.push_back(value);
}

void CodeBuffer::put16(uint16_t value) {
  reserve_bytes(2);
  for (int i = 0; i < 2; ++i)
    bytes_.push_back(static_cast<uint8_t>(value >> (8 * i)));
}

void CodeBuffer::put32(uint32_t value) {
  reserve_bytes(4);
  for (int i = 0; i < 4; ++i)
    bytes_.push_back(static_cast<uint8_t>(value >> (8 * i)));
}

void CodeBuffer::put64(uint64_t value) {
  reserve_bytes(8);
  for (int i = 0; i < 8; ++i)
    bytes_.push_back(static_cast<uint8_t>(value >> (8 * i)));
}

void CodeBuffer::put(std::span<const uint8_t> bytes) {
  reserve_bytes(bytes.size());
  bytes_.insert(bytes_.end(), bytes.begin(), bytes.end());
}

void CodeBuffer::check_patch(size_t offset, size_t width) const {
  if (offset > bytes_.size() || bytes_.size() - offset < width)
    throw JitError(
        fmt::format("jit: patch of {} bytes at offset {} is outside the {} bytes of code", width,
                    offset, bytes_.size()));
}

void CodeBuffer::patch8(size_t offset, uint8_t value) {
  check_patch(offset, 1);
  bytes_[offset] = value;
}

void CodeBuffer::patch32(size_t offset, uint32_t value) {
  check_patch(offset, 4);
  for (int i = 0; i < 4; ++i)
    bytes_[offset + i] = static_cast<uint8_t>(value >> (8 * i));
}

void CodeBuffer::patch64(size_t offset, uint64_t value) {
  check_patch(offset, 8);
  for (int i = 0; i < 8; ++i)
    bytes_[offset + i] = static_cast<uint8_t>(value >> (8 * i));
}

Label CodeBuffer::new_label() {
  labels_.push_back(kUnbound);
  return Label{static_cast<uint32_t>(labels_.size() - 1)};
}

void CodeBuffer::bind(Label label) {
  if (!label.valid() || label.id >= labels_.size())
    throw JitError("jit: binding a label that this code buffer did not create");
  if (labels_[label.id] != kUnbound)
    throw JitError(fmt::format("jit: label {} is bound twice", label.id));
  labels_[label.id] = static_cast<int64_t>(bytes_.size());
}

bool CodeBuffer::is_bound(Label label) const {
  return label.valid() && label.id < labels_.size() && labels_[label.id] != kUnbound;
}

size_t CodeBuffer::offset_of(Label label) const {
  if (!is_bound(label)) throw JitError(fmt::format("jit: label {} is not bound", label.id));
  return static_cast<size_t>(labels_[label.id]);
}

void CodeBuffer::check_target(Label target) const {
  if (!target.valid() || target.id >= labels_.size())
    throw JitError("jit: fix-up refers to a label that this code buffer did not create");
}

void CodeBuffer::add_fixup(FixupKind kind, size_t field_offset, size_t from, Label target) {
  const size_t width = kind == FixupKind::Rel8 ? 1 : kind == FixupKind::Rel32 ? 4 : 8;
  check_patch(field_offset, width);
  check_target(target);
  fixups_.push_back(Fixup{kind, field_offset, from, target});
}

void CodeBuffer::add_word_fixup(WordField field, size_t word_offset, Label target) {
  check_patch(word_offset, 4);
  check_target(target);
  word_fixups_.push_back(WordFixup{field, word_offset, target});
}

uint32_t CodeBuffer::read32(size_t offset) const {
  check_patch(offset, 4);
  return uint32_t{bytes_[offset]} | (uint32_t{bytes_[offset + 1]} << 8) |
         (uint32_t{bytes_[offset + 2]} << 16) | (uint32_t{bytes_[offset + 3]} << 24);
}

void CodeBuffer::link(uint64_t load_address) {
  for (const Fixup& fixup : fixups_) {
    const auto target = static_cast<int64_t>(offset_of(fixup.target));
    const int64_t displacement = target - static_cast<int64_t>(fixup.from);
    switch (fixup.kind) {
      case FixupKind::Rel8:
        if (displacement < INT8_MIN || displacement > INT8_MAX)
          throw JitError(
              fmt::format("jit: branch at offset {} cannot reach {} bytes away in 8 bits",
                          fixup.field_offset, displacement));
        patch8(fixup.field_offset, static_cast<uint8_t>(displacement));
        break;
      case FixupKind::Rel32:
        if (displacement < INT32_MIN || displacement > INT32_MAX)
          throw JitError(fmt::format("jit: branch at offset {} cannot reach {} bytes away",
                                     fixup.field_offset, displacement));
        patch32(fixup.field_offset, static_cast<uint32_t>(displacement));
        break;
      case FixupKind::Abs64:
        patch64(fixup.field_offset, load_address + static_cast<uint64_t>(target));
        break;
    }
  }
  for (const WordFixup& fixup : word_fixups_) {
    const uint64_t target = load_address + offset_of(fixup.target);
    const uint32_t word = read32(fixup.word_offset);
    patch32(fixup.word_offset, fixup.field(word, load_address + fixup.word_offset, target));
  }
}

}  // namespace nicsim::jit
