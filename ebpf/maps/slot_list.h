#pragma once
// Slot bookkeeping for maps whose entries come and go: a doubly linked list threaded through
// slot indices (hash maps keep their entries in insertion order for get_next_key and, for LRU
// maps, in recency order for eviction), and an allocator of free slots.

#include <cstdint>
#include <vector>

namespace nicsim::ebpf {

class SlotList {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  // Links grow with the highest slot used, so a large, mostly empty map stays cheap.
  SlotList() = default;

  uint32_t front() const { return head_; }
  uint32_t next(uint32_t slot) const { return next_[slot]; }

  void push_back(uint32_t slot) {
    if (slot >= prev_.size()) {
      prev_.resize(slot + 1, kNone);
      next_.resize(slot + 1, kNone);
    }
    prev_[slot] = tail_;
    next_[slot] = kNone;
    if (tail_ == kNone) {
      head_ = slot;
    } else {
      next_[tail_] = slot;
    }
    tail_ = slot;
  }

  void erase(uint32_t slot) {
    if (prev_[slot] == kNone) {
      head_ = next_[slot];
    } else {
      next_[prev_[slot]] = next_[slot];
    }
    if (next_[slot] == kNone) {
      tail_ = prev_[slot];
    } else {
      prev_[next_[slot]] = prev_[slot];
    }
    prev_[slot] = next_[slot] = kNone;
  }

  void move_to_back(uint32_t slot) {
    if (slot == tail_) return;
    erase(slot);
    push_back(slot);
  }

 private:
  std::vector<uint32_t> prev_;
  std::vector<uint32_t> next_;
  uint32_t head_ = kNone;
  uint32_t tail_ = kNone;
};

// Hands out slots 0, 1, 2, ... and then the released ones, most recently released first.
// Never-used slots are not listed, so that creating a large map costs nothing per entry.
class SlotAllocator {
 public:
  explicit SlotAllocator(uint32_t capacity) : capacity_(capacity) {}

  bool full() const { return released_.empty() && next_unused_ == capacity_; }
  // Precondition: !full().
  uint32_t take() {
    if (released_.empty()) return next_unused_++;
    const uint32_t slot = released_.back();
    released_.pop_back();
    return slot;
  }
  void release(uint32_t slot) { released_.push_back(slot); }

 private:
  uint32_t capacity_;
  uint32_t next_unused_ = 0;
  std::vector<uint32_t> released_;
};

}  // namespace nicsim::ebpf
