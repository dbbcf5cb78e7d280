#include "ebpf/runtime/fib.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <cctype>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "ebpf/util/error.h"

namespace nicsim::ebpf {

namespace {

// Parses an IPv4 or IPv6 address; the family is 4 or 6, 0 when `text` is neither.
int parse_address(const std::string& text, std::array<uint8_t, 16>& out) {
  out.fill(0);
  if (inet_pton(AF_INET, text.c_str(), out.data()) == 1) return 4;
  if (inet_pton(AF_INET6, text.c_str(), out.data()) == 1) return 6;
  return 0;
}

bool parse_mac(const std::string& text, std::array<uint8_t, 6>& out) {
  if (text.size() != 17) return false;
  for (size_t i = 0; i < 6; ++i) {
    if (i > 0 && text[i * 3 - 1] != ':') return false;
    unsigned value = 0;
    for (size_t j = 0; j < 2; ++j) {
      const char c = text[i * 3 + j];
      const int digit = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
                        : (c >= 'a' && c <= 'f')                    ? c - 'a' + 10
                        : (c >= 'A' && c <= 'F')                    ? c - 'A' + 10
                                                                    : -1;
      if (digit < 0) return false;
      value = value * 16 + static_cast<unsigned>(digit);
    }
    out[i] = static_cast<uint8_t>(value);
  }
  return true;
}

bool prefix_matches(const uint8_t* prefix, uint32_t length, const uint8_t* address) {
  const uint32_t bytes = length / 8;
  if (std::memcmp(prefix, address, bytes) != 0) return false;
  const uint32_t bits = length % 8;
  if (bits == 0) return true;
  const auto mask = static_cast<uint8_t>(0xff00 >> bits);
  return (prefix[bytes] & mask) == (address[bytes] & mask);
}

FibRoute parse_route(const nlohmann::json& entry, const std::string& where) {
  auto fail = [&](const std::string& what) -> Error { return Error(where + ": " + what); };
  if (!entry.is_object()) throw fail("a route must be a JSON object");
  static const std::set<std::string> kFields = {"prefix", "ifindex", "gateway",
                                                "smac",   "dmac",    "mtu"};
  for (const auto& [name, value] : entry.items()) {
    if (!kFields.contains(name)) throw fail(fmt::format("unknown field '{}'", name));
  }
  auto string_field = [&](const char* name) -> std::string {
    const auto& value = entry.at(name);
    if (!value.is_string()) throw fail(fmt::format("'{}' must be a string", name));
    return value.get<std::string>();
  };

  FibRoute route;
  if (!entry.contains("prefix")) throw fail("missing 'prefix'");
  const std::string prefix = string_field("prefix");
  const size_t slash = prefix.find('/');
  const std::string address = prefix.substr(0, slash);
  route.family = parse_address(address, route.prefix);
  if (route.family == 0)
    throw fail(fmt::format("prefix '{}' is not an IPv4 or IPv6 prefix", prefix));
  const uint32_t max_length = route.family == 4 ? 32 : 128;
  route.prefix_length = max_length;
  if (slash != std::string::npos) {
    const std::string length = prefix.substr(slash + 1);
    if (length.empty() || length.size() > 3 ||
        length.find_first_not_of("0123456789") != std::string::npos ||
        std::stoul(length) > max_length)
      throw fail(fmt::format("prefix '{}' has a bad length", prefix));
    route.prefix_length = static_cast<uint32_t>(std::stoul(length));
  }
  // Host bits past the prefix are ignored, as `ip route` would refuse or clear them.
  for (uint32_t bit = route.prefix_length; bit < max_length; ++bit)
    route.prefix[bit / 8] &= static_cast<uint8_t>(~(0x80 >> (bit % 8)));

  if (!entry.contains("ifindex")) throw fail("missing 'ifindex'");
  const auto& ifindex = entry.at("ifindex");
  if (!ifindex.is_number_unsigned() || ifindex.get<uint64_t>() == 0 ||
      ifindex.get<uint64_t>() > UINT32_MAX)
    throw fail("'ifindex' must be a positive 32-bit integer");
  route.ifindex = ifindex.get<uint32_t>();

  if (entry.contains("gateway")) {
    std::array<uint8_t, 16> gateway;
    const std::string text = string_field("gateway");
    if (parse_address(text, gateway) != route.family)
      throw fail(fmt::format("gateway '{}' is not an IPv{} address", text, route.family));
    route.gateway = gateway;
  }
  if (entry.contains("smac") && !parse_mac(string_field("smac"), route.smac))
    throw fail(fmt::format("smac '{}' is not a MAC address", string_field("smac")));
  if (entry.contains("dmac")) {
    std::array<uint8_t, 6> dmac;
    if (!parse_mac(string_field("dmac"), dmac))
      throw fail(fmt::format("dmac '{}' is not a MAC address", string_field("dmac")));
    route.dmac = dmac;
  }
  if (entry.contains("mtu")) {
    const auto& mtu = entry.at("mtu");
    if (!mtu.is_number_unsigned() || mtu.get<uint64_t>() < 68 || mtu.get<uint64_t>() > 65535)
      throw fail("'mtu' must be an integer from 68 to 65535");
    route.mtu = mtu.get<uint16_t>();
  }
  return route;
}

}  // namespace

void Fib::add_route(const FibRoute& route) {
  routes_.push_back(route);
}

void Fib::load_json_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(fmt::format("{}: cannot open the FIB file", path));
  nlohmann::json document;
  try {
    document = nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw Error(fmt::format("{}: not valid JSON: {}", path, e.what()));
  }
  if (!document.is_object() || !document.contains("routes") || !document["routes"].is_array())
    throw Error(fmt::format("{}: expected an object with a \"routes\" array", path));
  std::vector<FibRoute> routes;
  const auto& entries = document["routes"];
  for (size_t i = 0; i < entries.size(); ++i)
    routes.push_back(parse_route(entries[i], fmt::format("{}: route {}", path, i)));
  for (const auto& route : routes)
    add_route(route);
}

const FibRoute* Fib::lookup(int family, const uint8_t* address) const {
  const FibRoute* best = nullptr;
  for (const auto& route : routes_) {
    if (route.family != family) continue;
    if (best != nullptr && route.prefix_length <= best->prefix_length) continue;
    if (prefix_matches(route.prefix.data(), route.prefix_length, address)) best = &route;
  }
  return best;
}

}  // namespace nicsim::ebpf
