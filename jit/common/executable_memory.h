#pragma once
// Memory for generated code that is never writable and executable at once (W^X): pages are
// mapped read-write, the code is copied and linked in place, then the pages become
// read-execute for good. A sealed block can no longer be written through this class.

#include <cstddef>
#include <cstdint>
#include <span>

namespace nicsim::jit {

class ExecutableMemory {
 public:
  ExecutableMemory() = default;
  // Maps `size` bytes (rounded up to whole pages) read-write. Throws JitError on failure.
  explicit ExecutableMemory(size_t size);
  ~ExecutableMemory();
  ExecutableMemory(ExecutableMemory&& other) noexcept;
  ExecutableMemory& operator=(ExecutableMemory&& other) noexcept;
  ExecutableMemory(const ExecutableMemory&) = delete;
  ExecutableMemory& operator=(const ExecutableMemory&) = delete;

  uint64_t address() const { return reinterpret_cast<uint64_t>(base_); }
  size_t size() const { return size_; }
  bool sealed() const { return sealed_; }
  // The bytes to fill before sealing; throws JitError once sealed.
  std::span<uint8_t> writable();
  // Read access to the code (valid before and after sealing).
  std::span<const uint8_t> code() const { return {base_, size_}; }
  // Makes the pages read-execute (and no longer writable). Throws JitError on failure.
  void seal();

 private:
  void release() noexcept;

  uint8_t* base_ = nullptr;
  size_t size_ = 0;
  size_t mapped_ = 0;
  bool sealed_ = false;
};

}  // namespace nicsim::jit
