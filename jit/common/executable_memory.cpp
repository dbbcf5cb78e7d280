#include "jit/common/executable_memory.h"

#include <fmt/format.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "jit/common/jit_error.h"

namespace nicsim::jit {

ExecutableMemory::ExecutableMemory(size_t size) {
  if (size == 0) throw JitError("jit: cannot map an empty code block");
  const auto page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  const size_t mapped = (size + page - 1) / page * page;
  void* base = mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED)
    throw JitError(
        fmt::format("jit: cannot map {} bytes for code: {}", mapped, std::strerror(errno)));
  base_ = static_cast<uint8_t*>(base);
  size_ = size;
  mapped_ = mapped;
}

ExecutableMemory::~ExecutableMemory() {
  release();
}

ExecutableMemory::ExecutableMemory(ExecutableMemory&& other) noexcept
    : base_(std::exchange(other.base_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      mapped_(std::exchange(other.mapped_, 0)),
      sealed_(std::exchange(other.sealed_, false)) {}

ExecutableMemory& ExecutableMemory::operator=(ExecutableMemory&& other) noexcept {
  if (this != &other) {
    release();
    base_ = std::exchange(other.base_, nullptr);
    size_ = std::exchange(other.size_, 0);
    mapped_ = std::exchange(other.mapped_, 0);
    sealed_ = std::exchange(other.sealed_, false);
  }
  return *this;
}

void ExecutableMemory::release() noexcept {
  if (base_ != nullptr) munmap(base_, mapped_);
  base_ = nullptr;
  size_ = mapped_ = 0;
  sealed_ = false;
}

std::span<uint8_t> ExecutableMemory::writable() {
  if (base_ == nullptr) throw JitError("jit: no code block is mapped");
  if (sealed_) throw JitError("jit: code block is sealed (read-execute) and cannot be written");
  return {base_, size_};
}

void ExecutableMemory::seal() {
  if (base_ == nullptr) throw JitError("jit: no code block is mapped");
  if (sealed_) return;
  if (mprotect(base_, mapped_, PROT_READ | PROT_EXEC) != 0)
    throw JitError(fmt::format("jit: cannot make code executable: {}", std::strerror(errno)));
  sealed_ = true;
}

}  // namespace nicsim::jit
