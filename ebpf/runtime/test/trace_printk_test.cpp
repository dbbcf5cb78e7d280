#include "ebpf/runtime/trace_printk.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>

#include "ebpf/runtime/test/runtime_test_support.h"

namespace nicsim::ebpf::test {
namespace {

// Program memory for the formatter: one readable buffer at a fixed fake address.
struct FakeMemory {
  static constexpr uint64_t kBase = 0x10000;
  std::vector<uint8_t> bytes = std::vector<uint8_t>(256, 0);
  ProgramMemoryReader reader() {
    return [this](uint64_t address, void* out, size_t length) {
      if (address < kBase || address + length > kBase + bytes.size()) return false;
      std::memcpy(out, bytes.data() + (address - kBase), length);
      return true;
    };
  }
  uint64_t put(size_t offset, const void* data, size_t length) {
    std::memcpy(bytes.data() + offset, data, length);
    return kBase + offset;
  }
};

std::string format(const std::string& fmt, uint64_t a1 = 0, uint64_t a2 = 0, uint64_t a3 = 0,
                   FakeMemory* memory = nullptr) {
  FakeMemory empty;
  const uint64_t args[3] = {a1, a2, a3};
  std::string out;
  const std::string with_nul = fmt + '\0';
  const int64_t result =
      format_trace_printk(with_nul, args, (memory ? memory : &empty)->reader(), out);
  if (result < 0) return "error " + std::to_string(result);
  EXPECT_EQ(result, static_cast<int64_t>(out.size()));
  return out;
}

TEST(TracePrintk, IntegerConversions) {
  EXPECT_EQ(format("%d %i %u", static_cast<uint32_t>(-5), 7, static_cast<uint32_t>(-1)),
            "-5 7 4294967295");
  EXPECT_EQ(format("%x %X", 0xbeef, 0xbeef), "beef BEEF");
  // Without l, only the low 32 bits count.
  EXPECT_EQ(format("%d %x", 0x1'0000'0005ull, 0xabcd'0000'1234ull), "5 1234");
  EXPECT_EQ(format("%ld %lu %lx", static_cast<uint64_t>(-9), 1ull << 40, 0xdead'beef'cafeull),
            "-9 1099511627776 deadbeefcafe");
  EXPECT_EQ(format("%lld %llu %llx", static_cast<uint64_t>(-1), ~0ull, 1ull << 63),
            "-1 18446744073709551615 8000000000000000");
  EXPECT_EQ(format("[%5d|%-5d|%05x]", 42, 42, 0xab), "[   42|42   |000ab]");
  EXPECT_EQ(format("100%% %c%c", 'o', 'k'), "100% ok");
}

TEST(TracePrintk, PointersAndStrings) {
  FakeMemory memory;
  const uint64_t text = memory.put(0, "hello", 6);
  EXPECT_EQ(format("%s, %p", text, 0x1234, 0, &memory), "hello, 0000000000001234");
  // An unreadable string prints as empty, as the kernel's nofault copy does.
  EXPECT_EQ(format("<%s>", 0x10, 0, 0, &memory), "<>");
  const uint8_t ip4[4] = {10, 0, 0, 1};
  const uint64_t ip = memory.put(16, ip4, 4);
  EXPECT_EQ(format("%pI4 %pi4", ip, ip, 0, &memory), "10.0.0.1 010.000.000.001");
  uint8_t ip6[16] = {0x20, 0x01, 0x0d, 0xb8};
  ip6[15] = 1;
  const uint64_t ip6_address = memory.put(32, ip6, 16);
  EXPECT_EQ(format("%pI6", ip6_address, 0, 0, &memory), "2001:0db8:0000:0000:0000:0000:0000:0001");
  EXPECT_EQ(format("%px", 0xffff888012345678ull), "ffff888012345678");
}

TEST(TracePrintk, RefusesWhatTheKernelRefuses) {
  EXPECT_EQ(format("%d %d %d %d", 1, 2, 3), "error -22");  // a fourth argument
  EXPECT_EQ(format("%f", 1), "error -22");
  EXPECT_EQ(format("%hd", 1), "error -22");
  EXPECT_EQ(format("%lllx", 1), "error -22");
  EXPECT_EQ(format("%sx", 1), "error -22");
  EXPECT_EQ(format("%pQ", 1), "error -22");
  EXPECT_EQ(format("trailing %"), "error -22");
  EXPECT_EQ(format("bell \a"), "error -22");
  // No NUL within fmt_size.
  std::string out;
  const uint64_t args[3] = {};
  EXPECT_EQ(format_trace_printk("abc", args, FakeMemory().reader(), out), -EINVAL);
  EXPECT_EQ(format("tab\tand newline\n"), "tab\tand newline\n");
}

TEST(TracePrintk, LongOutputIsTruncatedButCounted) {
  const std::string long_text(2000, 'x');
  std::string out;
  const uint64_t args[3] = {};
  EXPECT_EQ(format_trace_printk(long_text + '\0', args, FakeMemory().reader(), out), 2000);
  EXPECT_EQ(out.size(), 1023u);
}

TEST(TracePrintkHelper, RecordsTheLineAndReturnsItsLength) {
  TestWorld world;
  const char fmt[] = "pkt %d from %x\n";
  std::memcpy(world.stack, fmt, sizeof fmt);
  const uint64_t length =
      world.call(kHelperTracePrintk, address_of(world.stack), sizeof fmt, 3, 0xc0a8, 0);
  EXPECT_EQ(length, std::string("pkt 3 from c0a8\n").size());
  ASSERT_EQ(world.runtime->trace_log().size(), 1u);
  EXPECT_EQ(world.runtime->trace_log()[0].text, "pkt 3 from c0a8\n");
  // A refused format records nothing.
  const char bad[] = "%q";
  std::memcpy(world.stack, bad, sizeof bad);
  EXPECT_EQ(as_signed(world.call(kHelperTracePrintk, address_of(world.stack), sizeof bad)),
            -EINVAL);
  EXPECT_EQ(world.runtime->trace_log().size(), 1u);
  // %s reads the program's memory through the runtime.
  const char with_string[] = "name=%s";
  std::memcpy(world.stack, with_string, sizeof with_string);
  std::memcpy(world.stack + 64, "eth0", 5);
  world.call(kHelperTracePrintk, address_of(world.stack), sizeof with_string,
             address_of(world.stack + 64));
  EXPECT_EQ(world.runtime->trace_log().back().text, "name=eth0");
  EXPECT_EQ(world.fault(), "");
  world.call(kHelperTracePrintk, 0x100, 8);
  EXPECT_EQ(world.fault(), "helper trace_printk: format pointer 0x100 is not readable for 8 bytes");
}

}  // namespace
}  // namespace nicsim::ebpf::test
