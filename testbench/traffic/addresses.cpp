#include "testbench/traffic/addresses.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <charconv>

#include "ebpf/util/error.h"

namespace nicsim::traffic {

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

MacAddress parse_mac(std::string_view text) {
  MacAddress mac{};
  // "xx:xx:xx:xx:xx:xx": 6 pairs of hex digits separated by ':'.
  bool ok = text.size() == 17;
  for (size_t i = 0; ok && i < 6; ++i) {
    int high = hex_digit(text[3 * i]);
    int low = hex_digit(text[3 * i + 1]);
    ok = high >= 0 && low >= 0 && (i == 5 || text[3 * i + 2] == ':');
    mac[i] = static_cast<uint8_t>(high << 4 | low);
  }
  if (!ok) throw Error(fmt::format("bad MAC address '{}' (expected xx:xx:xx:xx:xx:xx)", text));
  return mac;
}

std::string format_mac(const MacAddress& mac) {
  return fmt::format("{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", mac[0], mac[1], mac[2], mac[3],
                     mac[4], mac[5]);
}

IpPrefix parse_ip_prefix(std::string_view text) {
  IpPrefix prefix;
  std::string_view address_text = text;
  std::string_view length_text;
  if (size_t slash = text.find('/'); slash != std::string_view::npos) {
    address_text = text.substr(0, slash);
    length_text = text.substr(slash + 1);
  }
  std::string address(address_text);
  if (inet_pton(AF_INET, address.c_str(), prefix.address.data()) == 1) {
    prefix.version = IpVersion::V4;
  } else if (inet_pton(AF_INET6, address.c_str(), prefix.address.data()) == 1) {
    prefix.version = IpVersion::V6;
  } else {
    throw Error(fmt::format("bad IP address '{}' in '{}'", address_text, text));
  }
  const uint32_t width = static_cast<uint32_t>(prefix.address_size() * 8);
  uint32_t length = width;
  if (text.find('/') != std::string_view::npos) {
    auto [end, ec] =
        std::from_chars(length_text.data(), length_text.data() + length_text.size(), length);
    if (ec != std::errc() || end != length_text.data() + length_text.size() || length > width) {
      throw Error(
          fmt::format("bad prefix length '{}' in '{}' (0 to {})", length_text, text, width));
    }
  }
  prefix.length = static_cast<uint8_t>(length);
  for (uint32_t bit = length; bit < width; ++bit) {
    if (prefix.address[bit / 8] & (0x80 >> (bit % 8))) {
      throw Error(fmt::format("'{}' has host bits set beyond the /{} prefix", text, length));
    }
  }
  return prefix;
}

std::string format_ip(IpVersion version, const IpBytes& address) {
  char buffer[INET6_ADDRSTRLEN] = {};
  inet_ntop(version == IpVersion::V4 ? AF_INET : AF_INET6, address.data(), buffer, sizeof buffer);
  return buffer;
}

std::string format_ip_prefix(const IpPrefix& prefix) {
  return fmt::format("{}/{}", format_ip(prefix.version, prefix.address), prefix.length);
}

IpBytes address_in_prefix(const IpPrefix& prefix, uint64_t offset) {
  IpBytes address = prefix.address;
  // Add the offset to the address as a big-endian number, from the last byte up.
  uint64_t carry = offset;
  for (size_t i = prefix.address_size(); i-- > 0 && carry != 0;) {
    carry += address[i];
    address[i] = static_cast<uint8_t>(carry & 0xff);
    carry >>= 8;
  }
  return address;
}

}  // namespace nicsim::traffic
