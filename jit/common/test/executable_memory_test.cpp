#include "jit/common/executable_memory.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "jit/common/jit_error.h"

namespace nicsim::jit {
namespace {

// The permissions ("r-xp", "rw-p") of the mapping holding `address`, from /proc/self/maps.
std::string permissions_of(uint64_t address) {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    std::istringstream fields(line);
    std::string range, perms;
    fields >> range >> perms;
    const auto dash = range.find('-');
    const uint64_t begin = std::stoull(range.substr(0, dash), nullptr, 16);
    const uint64_t end = std::stoull(range.substr(dash + 1), nullptr, 16);
    if (address >= begin && address < end) return perms;
  }
  return "";
}

TEST(ExecutableMemory, IsWritableThenExecutableNeverBoth) {
  ExecutableMemory memory(100);
  EXPECT_EQ(memory.size(), 100u);
  EXPECT_EQ(permissions_of(memory.address()).substr(0, 3), "rw-");
  std::memset(memory.writable().data(), 0xc3, memory.size());
  memory.seal();
  EXPECT_TRUE(memory.sealed());
  EXPECT_EQ(permissions_of(memory.address()).substr(0, 3), "r-x");
  EXPECT_THROW(memory.writable(), JitError);
  EXPECT_EQ(memory.code()[99], 0xc3);
}

TEST(ExecutableMemory, RunsSealedCode) {
#if defined(__x86_64__)
  ExecutableMemory memory(16);
  const uint8_t mov_eax_42_ret[] = {0xb8, 42, 0, 0, 0, 0xc3};
  std::memcpy(memory.writable().data(), mov_eax_42_ret, sizeof(mov_eax_42_ret));
  memory.seal();
  const auto function = reinterpret_cast<int (*)()>(memory.address());
  EXPECT_EQ(function(), 42);
#else
  GTEST_SKIP() << "the test code is x86-64 machine code; this host is not x86-64";
#endif
}

TEST(ExecutableMemory, MovesOwnershipAndUnmapsOnce) {
  ExecutableMemory first(10);
  const uint64_t address = first.address();
  ExecutableMemory second(std::move(first));
  EXPECT_EQ(second.address(), address);
  EXPECT_EQ(first.address(), 0u);  // NOLINT(bugprone-use-after-move): moved-from is empty
  ExecutableMemory third;
  third = std::move(second);
  EXPECT_EQ(third.address(), address);
  EXPECT_NE(permissions_of(address), "");
  third = ExecutableMemory();
  EXPECT_EQ(permissions_of(address), "");
}

TEST(ExecutableMemory, RejectsAnEmptyBlock) {
  EXPECT_THROW(ExecutableMemory(0), JitError);
  ExecutableMemory none;
  EXPECT_THROW(none.writable(), JitError);
  EXPECT_THROW(none.seal(), JitError);
}

}  // namespace
}  // namespace nicsim::jit
