#pragma once
// The XDP packet buffer as the kernel lays it out (256 bytes of headroom, the packet, then
// tailroom up to the frame end less skb_shared_info), and the context that programs read
// through `struct xdp_md`.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace nicsim::ebpf {

enum class XdpAction : uint32_t { Aborted = 0, Drop = 1, Pass = 2, Tx = 3, Redirect = 4 };
constexpr uint32_t kNumXdpActions = 5;
std::string_view xdp_action_name(XdpAction action);  // "aborted", "drop", "pass", "tx", "redirect"

constexpr uint32_t kXdpPacketHeadroom = 256;  // XDP_PACKET_HEADROOM
constexpr uint32_t kXdpFrameSize = 4096;      // one page per frame
constexpr uint32_t kXdpSharedInfoSize = 320;  // skb_shared_info, reserved at the frame end
constexpr uint32_t kXdpFrameHeaderSize = 40;  // struct xdp_frame, kept free at the buffer start
constexpr uint32_t kEthHeaderLength = 14;
constexpr uint32_t kXdpMaxMetaLength = 32;

// The UAPI `struct xdp_md` offsets programs use.
enum XdpMdOffset : uint16_t {
  kXdpMdData = 0,
  kXdpMdDataEnd = 4,
  kXdpMdDataMeta = 8,
  kXdpMdIngressIfindex = 12,
  kXdpMdRxQueueIndex = 16,
  kXdpMdEgressIfindex = 20,
  kXdpMdSize = 24,
};

class XdpFrame;

// Frame buffers start on a page, as a driver's XDP buffers do (one page each, the packet at
// XDP_PACKET_HEADROOM): where a packet lies within its page is then the same for every frame,
// not wherever the heap put it, which changes which of the engine's other memory accesses it
// competes with (addresses equal modulo 4 KiB) and so the time a run takes.
void* allocate_frame_buffer(size_t bytes);
void release_frame_buffer(void* buffer, size_t bytes);

template <typename T>
struct PageAlignedAllocator {
  using value_type = T;
  PageAlignedAllocator() = default;
  template <typename U>
  explicit PageAlignedAllocator(const PageAlignedAllocator<U>&) {}
  T* allocate(size_t n) { return static_cast<T*>(allocate_frame_buffer(n * sizeof(T))); }
  void deallocate(T* p, size_t n) { release_frame_buffer(p, n * sizeof(T)); }
  bool operator==(const PageAlignedAllocator&) const = default;
};

// What the context pointer really points at (as the kernel rewrites xdp_md accesses to
// xdp_buff ones): full 64-bit pointers, so that a 32-bit load of xdp_md->data yields a pointer.
struct XdpContextShadow {
  uint64_t data = 0;
  uint64_t data_end = 0;
  uint64_t data_meta = 0;
  uint32_t ingress_ifindex = 0;
  uint32_t rx_queue_index = 0;
  uint32_t egress_ifindex = 0;
  uint32_t reserved = 0;
  // The frame whose context this is: helpers handed the context find the frame from it, as
  // the kernel's find their xdp_buff (programs cannot read it: no xdp_md field maps here).
  XdpFrame* frame = nullptr;
};

// One readable field of a program context: the access (offset, size) a program makes in the
// UAPI struct, and where the value lives in the shadow. Pointer fields widen to 8 bytes.
struct ContextField {
  uint16_t uapi_offset;
  uint16_t uapi_size;
  uint16_t shadow_offset;
  uint16_t shadow_size;
  bool is_pointer;
};
std::span<const ContextField> xdp_context_fields();
// Looks up an access of `size` bytes at `offset` of xdp_md; nullptr if programs may not make it.
const ContextField* find_xdp_context_field(int64_t offset, int size);

class XdpFrame {
 public:
  // Copies `packet` into a fresh frame. Packets larger than the frame grows the buffer so
  // that tailroom is still kXdpSharedInfoSize.
  explicit XdpFrame(std::span<const uint8_t> packet, uint32_t ingress_ifindex = 1,
                    uint32_t rx_queue_index = 0);
  XdpFrame(const XdpFrame&) = delete;
  XdpFrame& operator=(const XdpFrame&) = delete;

  uint8_t* data() { return buffer_.data() + data_; }
  uint8_t* data_end() { return buffer_.data() + data_end_; }
  uint8_t* data_meta() { return buffer_.data() + meta_; }
  uint8_t* hard_start() { return buffer_.data(); }
  size_t length() const { return data_end_ - data_; }
  size_t meta_length() const { return data_ - meta_; }
  size_t headroom() const { return data_; }
  size_t tailroom() const { return buffer_.size() - kXdpSharedInfoSize - data_end_; }
  std::span<const uint8_t> packet() const { return {buffer_.data() + data_, length()}; }
  std::span<const uint8_t> metadata() const { return {buffer_.data() + meta_, meta_length()}; }
  std::span<const uint8_t> buffer() const { return buffer_; }

  // The kernel's bpf_xdp_adjust_head/tail/meta rules; 0 on success or a negative errno, in
  // which case the frame is unchanged.
  int adjust_head(int32_t delta);
  int adjust_tail(int32_t delta);
  int adjust_meta(int32_t delta);

  // The context the program's r1 points at; kept in sync with every adjustment.
  XdpContextShadow* context() { return &context_; }

 private:
  void sync_context();

  std::vector<uint8_t, PageAlignedAllocator<uint8_t>> buffer_;
  uint32_t meta_ = 0;
  uint32_t data_ = 0;
  uint32_t data_end_ = 0;
  XdpContextShadow context_;
};

}  // namespace nicsim::ebpf
