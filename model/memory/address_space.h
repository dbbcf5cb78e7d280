#pragma once
// Resolution of NIC addresses (docs/nic-isa.md section 3) to the bytes behind them for one
// context: its packet buffer and stack, the shared map memory and firmware data memory. A
// nullptr answer is a bounds fault.

#include <array>
#include <cstdint>
#include <optional>

#include "firmware/isa/address_map.h"
#include "model/core/context.h"
#include "model/memory/map_memory.h"

namespace nicsim::model {

class AddressSpace {
 public:
  explicit AddressSpace(MapMemory& maps) : maps_(maps) {}

  // Host bytes of [address, address + size) for `context`, or nullptr (fault). The context
  // window is not memory: use read_context().
  uint8_t* translate(ContextState& context, uint64_t address, uint32_t size, bool write) {
    switch (firmware::region_of(address)) {
      case firmware::Region::Packet:
        if (address < context.pkt_meta || address + size > context.pkt_end) return nullptr;
        return context.frame->hard_start() + (address - firmware::kPacketBase);
      case firmware::Region::Stack:
        if (address + size > firmware::kFramePointer) return nullptr;
        if (write) context.note_stack_write(address);
        return context.stack.data() + (address - firmware::kStackBase);
      case firmware::Region::Map:
        return maps_.translate(static_cast<uint32_t>(address), size, write);
      case firmware::Region::FirmwareData:
        if (address + size > firmware::kFirmwareDataBase + firmware::kFirmwareDataSize)
          return nullptr;
        return firmware_data_.data() + (address - firmware::kFirmwareDataBase);
      default:
        return nullptr;
    }
  }

  // A load from the context window; nullopt for an access the window does not answer.
  static std::optional<uint64_t> read_context(const ContextState& context, uint64_t address,
                                              uint32_t size) {
    const uint64_t offset = address - firmware::kContextBase;
    if (size == 8 && offset > firmware::kCtxDataMeta) return std::nullopt;
    if (size != 4 && size != 8) return std::nullopt;
    switch (offset) {
      case firmware::kCtxData:
        return context.pkt_data;
      case firmware::kCtxDataEnd:
        return context.pkt_end;
      case firmware::kCtxDataMeta:
        return context.pkt_meta;
      case firmware::kCtxIngressIfindex:
        return context.ingress_ifindex;
      case firmware::kCtxRxQueueIndex:
        return context.rx_queue_index;
      case firmware::kCtxEgressIfindex:
        return 0;
      default:
        return std::nullopt;
    }
  }

  std::array<uint8_t, firmware::kFirmwareDataSize>& firmware_data() { return firmware_data_; }
  MapMemory& maps() { return maps_; }

 private:
  MapMemory& maps_;
  alignas(8) std::array<uint8_t, firmware::kFirmwareDataSize> firmware_data_{};
};

}  // namespace nicsim::model
