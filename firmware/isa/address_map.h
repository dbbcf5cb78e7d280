#pragma once
// The NIC address map (docs/nic-isa.md section 3): 32-bit addresses, zero-extended in
// registers, with the region selected by bits [31:28].

#include <cstdint>

namespace nicsim::firmware {

enum class Region : uint8_t { Null, Packet, Stack, Context, Map, MapHandle, FirmwareData, Invalid };

constexpr uint32_t kPacketBase = 0x1000'0000;
constexpr uint32_t kStackBase = 0x2000'0000;
constexpr uint32_t kStackSize = 512;
constexpr uint32_t kFramePointer = kStackBase + kStackSize;
constexpr uint32_t kContextBase = 0x3000'0000;
constexpr uint32_t kContextSize = 24;
constexpr uint32_t kMapBase = 0x4000'0000;
constexpr uint32_t kMapWindowSize = 0x2000'0000;  // 512 MiB: 0x4000_0000..0x5fff_ffff
constexpr uint32_t kMapHandleBase = 0x6000'0000;
constexpr uint32_t kMapHandleStride = 0x1000;
constexpr uint32_t kMaxMaps = 256;
constexpr uint32_t kFirmwareDataBase = 0x7000'0000;
constexpr uint32_t kFirmwareDataSize = 64;

// The packet buffer of a context: XDP headroom, at most this much packet, shared-info tailroom.
constexpr uint32_t kPacketBufferSize = 4096;
constexpr uint32_t kPacketHeadroom = 256;
constexpr uint32_t kPacketTailroom = 320;
constexpr uint32_t kMaxPacketLength = kPacketBufferSize - kPacketHeadroom - kPacketTailroom;

// Offsets of the context window (struct xdp_md).
constexpr uint32_t kCtxData = 0;
constexpr uint32_t kCtxDataEnd = 4;
constexpr uint32_t kCtxDataMeta = 8;
constexpr uint32_t kCtxIngressIfindex = 12;
constexpr uint32_t kCtxRxQueueIndex = 16;
constexpr uint32_t kCtxEgressIfindex = 20;

constexpr Region region_of(uint64_t address) {
  if (address >> 32) return Region::Invalid;
  switch (static_cast<uint32_t>(address) >> 28) {
    case 0x0:
      return Region::Null;
    case 0x1:
      return Region::Packet;
    case 0x2:
      return Region::Stack;
    case 0x3:
      return Region::Context;
    case 0x4:
    case 0x5:
      return Region::Map;
    case 0x6:
      return Region::MapHandle;
    case 0x7:
      return Region::FirmwareData;
    default:
      return Region::Invalid;
  }
}

constexpr uint32_t map_handle(uint32_t map_index) {
  return kMapHandleBase + map_index * kMapHandleStride;
}

}  // namespace nicsim::firmware
