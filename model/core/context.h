#pragma once
// One hardware context of a core (docs/nic-isa.md section 2): architectural registers, the
// scoreboard, the fetch buffer, the packet it runs and that packet's statistics.

#include <array>
#include <cstdint>
#include <cstring>
#include <string>

#include "ebpf/engine/engine.h"
#include "ebpf/runtime/runtime.h"
#include "ebpf/runtime/xdp.h"
#include "firmware/isa/address_map.h"
#include "firmware/isa/opcodes.h"
#include "model/stats.h"

namespace nicsim::model {

struct PacketJob;

enum class ContextPhase : uint8_t { Free, Loading, Running, Draining };

struct ContextState {
  ContextPhase phase = ContextPhase::Free;
  uint64_t start_cycle = 0;    // Loading: the cycle the context starts running
  uint64_t release_cycle = 0;  // Draining: the cycle the context becomes free

  // r0..r10, then the packet pointers r11..r13 (kept equal to pkt_data/end/meta).
  std::array<uint64_t, firmware::kNumOperandRegisters> regs{};
  std::array<uint64_t, firmware::kNumOperandRegisters> ready{};  // first cycle a bundle may use it
  uint32_t lr = 0;

  // Fetch: FB holds the bundle at fb_addr when fb_valid; fetch_stop while a fetched control
  // bundle has not issued.
  bool fb_valid = false;
  bool fetch_stop = false;
  uint32_t fb_addr = 0;
  const struct MicroBundle* fb = nullptr;  // the bundle in FB
  uint64_t operands_ready = 0;             // first cycle every register FB's bundle uses is ready
  uint32_t fetch_pc = 0;
  StallCause empty_cause = StallCause::Fetch;  // why FB is empty
  uint64_t blocked_until = 0;                  // helper wait

  // The packet.
  PacketJob* job = nullptr;
  ebpf::XdpFrame* frame = nullptr;
  uint32_t pkt_data = 0;
  uint32_t pkt_end = 0;
  uint32_t pkt_meta = 0;
  uint32_t ingress_ifindex = 0;
  uint32_t rx_queue_index = 0;
  uint64_t time_ns = 0;
  uint32_t cpu_id = 0;
  uint64_t deadline = 0;
  ebpf::ExecutionResult result;
  ebpf::RedirectTarget redirect;
  PacketStats stats;

  alignas(8) std::array<uint8_t, firmware::kStackSize> stack{};
  // The offset of the lowest stack byte written since the stack was last cleared (kStackSize:
  // none). A store or a helper's access through a stack pointer lowers it; the packet start
  // clears only the bytes above it, which is what makes a short program's start cheap.
  uint32_t stack_written_from = firmware::kStackSize;

  void clear_stack() {
    if (stack_written_from == firmware::kStackSize) return;
    std::memset(stack.data() + stack_written_from, 0, firmware::kStackSize - stack_written_from);
    stack_written_from = firmware::kStackSize;
  }
  void note_stack_write(uint64_t address) {
    const auto offset = static_cast<uint32_t>(address - firmware::kStackBase);
    if (offset < stack_written_from) stack_written_from = offset;
  }

  // Re-reads the packet pointers from the frame (after dispatch or a packet-adjust unit).
  void sync_packet_pointers() {
    const auto data = static_cast<uint32_t>(frame->headroom());
    pkt_data = firmware::kPacketBase + data;
    pkt_end = pkt_data + static_cast<uint32_t>(frame->length());
    pkt_meta = pkt_data - static_cast<uint32_t>(frame->meta_length());
    regs[firmware::kPacketDataRegister] = pkt_data;
    regs[firmware::kPacketEndRegister] = pkt_end;
    regs[firmware::kPacketMetaRegister] = pkt_meta;
  }
};

}  // namespace nicsim::model
