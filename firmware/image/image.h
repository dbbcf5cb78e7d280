#pragma once
// The NIC image (docs/nic-isa.md section 10): what jit/nic writes and model/ and rtl/ load.
// In memory the code is kept decoded; write_image() encodes it and read_image() decodes and
// validates every part before anything may run it.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "ebpf/program/program.h"
#include "firmware/isa/slot.h"

namespace nicsim::firmware {

constexpr uint16_t kImageVersionMajor = 1;
constexpr uint16_t kImageVersionMinor = 0;

enum class EntryKind : uint8_t {
  Xdp = 0,  // r1 = the context window
  Raw = 1,  // bpf_conformance contract: r1 = packet data, r2 = packet length
};

struct MapLayout {
  std::string name;
  ebpf::MapType type = ebpf::MapType::Unspec;
  uint32_t key_size = 0;
  uint32_t value_size = 0;
  uint32_t max_entries = 0;
  uint32_t flags = 0;
  uint32_t base = 0;      // NIC address of slot 0
  uint32_t stride = 0;    // value_size rounded up to 8
  uint32_t capacity = 0;  // value slots in the map's region
  bool read_only = false;

  friend bool operator==(const MapLayout&, const MapLayout&) = default;
};

enum class HelperKind : uint32_t { Unit = 0, Routine = 1 };

struct HelperBinding {
  int32_t id = 0;
  HelperKind kind = HelperKind::Unit;
  uint32_t entry = 0;  // Routine: entry bundle
  std::string name;

  friend bool operator==(const HelperBinding&, const HelperBinding&) = default;
};

struct Image {
  std::string program_name;
  uint8_t lanes = 4;
  uint8_t memory_ports = 2;
  EntryKind entry_kind = EntryKind::Xdp;
  uint32_t entry_bundle = 0;
  uint32_t program_bundles = 0;  // bundles before the first firmware routine
  std::vector<Slot> code;        // bundle n, lane i at n * lanes + i
  std::vector<uint64_t> constants;
  std::vector<MapLayout> maps;
  std::vector<HelperBinding> helpers;
  // Debug information: the eBPF program and, per slot, the eBPF instructions it came from
  // (empty, or one list per slot).
  std::vector<uint64_t> source;
  std::vector<std::vector<uint32_t>> origins;

  size_t bundle_count() const { return lanes ? code.size() / lanes : 0; }
  std::span<const Slot> bundle(size_t index) const {
    return std::span<const Slot>(code).subspan(index * lanes, lanes);
  }
  const HelperBinding* find_helper(int32_t id) const;

  friend bool operator==(const Image&, const Image&) = default;
};

// Throws nicsim::Error "image '<name>': <what> (bundle N lane I / map 'x' / ...)" when the image
// breaks a rule of docs/nic-isa.md section 10.
void validate_image(const Image& image);

// Validates, then encodes (with checksum).
std::vector<uint8_t> write_image(const Image& image);
// Decodes and validates; `name` is used in error messages (a file name).
Image read_image(std::span<const uint8_t> bytes, const std::string& name);

void save_image_file(const Image& image, const std::string& path);
Image load_image_file(const std::string& path);

// CRC-32 as zlib computes it (IEEE 802.3 polynomial, reflected).
uint32_t crc32(std::span<const uint8_t> bytes);

}  // namespace nicsim::firmware
