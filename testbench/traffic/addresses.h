#pragma once
// MAC and IP addresses and prefixes as traffic specifications write them
// ("02:00:00:00:00:01", "10.0.0.0/8", "fd00:1::/64"), in network byte order.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace nicsim::traffic {

using MacAddress = std::array<uint8_t, 6>;

enum class IpVersion : uint8_t { V4 = 4, V6 = 6 };

// IPv4 addresses use the first 4 bytes; the rest stay zero so that comparisons work.
using IpBytes = std::array<uint8_t, 16>;

struct IpPrefix {
  IpVersion version = IpVersion::V4;
  IpBytes address{};  // host bits are cleared
  uint8_t length = 0;

  size_t address_size() const { return version == IpVersion::V4 ? 4 : 16; }
  uint32_t host_bits() const { return static_cast<uint32_t>(address_size() * 8 - length); }
  bool operator==(const IpPrefix&) const = default;
};

// Throws nicsim::Error("bad MAC address '...'") unless six ':'-separated hex bytes.
MacAddress parse_mac(std::string_view text);
std::string format_mac(const MacAddress& mac);

// "a.b.c.d/len", "x:y::z/len" or a bare address (a host prefix). Host bits set in the
// address are an error, as `ip route` treats them.
IpPrefix parse_ip_prefix(std::string_view text);
std::string format_ip_prefix(const IpPrefix& prefix);
std::string format_ip(IpVersion version, const IpBytes& address);

// The address `offset` places after the prefix's first address; offset must be below
// 2^host_bits (not checked beyond the address width).
IpBytes address_in_prefix(const IpPrefix& prefix, uint64_t offset);

}  // namespace nicsim::traffic
