#include "ebpf/runtime/xdp.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <new>

namespace nicsim::ebpf {

std::string_view xdp_action_name(XdpAction action) {
  switch (action) {
    case XdpAction::Aborted:
      return "aborted";
    case XdpAction::Drop:
      return "drop";
    case XdpAction::Pass:
      return "pass";
    case XdpAction::Tx:
      return "tx";
    case XdpAction::Redirect:
      return "redirect";
  }
  return "unknown";
}

namespace {

constexpr std::array<ContextField, 9> kXdpFields = {{
    {kXdpMdData, 4, offsetof(XdpContextShadow, data), 8, true},
    {kXdpMdDataEnd, 4, offsetof(XdpContextShadow, data_end), 8, true},
    {kXdpMdDataMeta, 4, offsetof(XdpContextShadow, data_meta), 8, true},
    {kXdpMdIngressIfindex, 4, offsetof(XdpContextShadow, ingress_ifindex), 4, false},
    {kXdpMdRxQueueIndex, 4, offsetof(XdpContextShadow, rx_queue_index), 4, false},
    {kXdpMdEgressIfindex, 4, offsetof(XdpContextShadow, egress_ifindex), 4, false},
    // 64-bit loads of the pointer fields are also accepted by the kernel.
    {kXdpMdData, 8, offsetof(XdpContextShadow, data), 8, true},
    {kXdpMdDataEnd, 8, offsetof(XdpContextShadow, data_end), 8, true},
    {kXdpMdDataMeta, 8, offsetof(XdpContextShadow, data_meta), 8, true},
}};

}  // namespace

void* allocate_frame_buffer(size_t bytes) {
  return ::operator new (bytes, std::align_val_t{kXdpFrameSize});
}

void release_frame_buffer(void* buffer, size_t) {
  ::operator delete (buffer, std::align_val_t{kXdpFrameSize});
}

std::span<const ContextField> xdp_context_fields() {
  return kXdpFields;
}

const ContextField* find_xdp_context_field(int64_t offset, int size) {
  for (const auto& field : kXdpFields) {
    if (field.uapi_offset == offset && field.uapi_size == size) return &field;
  }
  return nullptr;
}

XdpFrame::XdpFrame(std::span<const uint8_t> packet, uint32_t ingress_ifindex,
                   uint32_t rx_queue_index) {
  const size_t needed = kXdpPacketHeadroom + packet.size() + kXdpSharedInfoSize;
  buffer_.assign(std::max<size_t>(kXdpFrameSize, needed), 0);
  data_ = meta_ = kXdpPacketHeadroom;
  data_end_ = static_cast<uint32_t>(data_ + packet.size());
  if (!packet.empty()) std::memcpy(buffer_.data() + data_, packet.data(), packet.size());
  context_.ingress_ifindex = ingress_ifindex;
  context_.rx_queue_index = rx_queue_index;
  context_.frame = this;
  sync_context();
}

void XdpFrame::sync_context() {
  const auto base = reinterpret_cast<uint64_t>(buffer_.data());
  context_.data = base + data_;
  context_.data_end = base + data_end_;
  context_.data_meta = base + meta_;
}

int XdpFrame::adjust_head(int32_t delta) {
  const int64_t new_data = static_cast<int64_t>(data_) + delta;
  const int64_t meta_length = data_ - meta_;
  if (new_data - meta_length < kXdpFrameHeaderSize ||
      new_data > static_cast<int64_t>(data_end_) - kEthHeaderLength)
    return -EINVAL;
  const auto new_meta = static_cast<uint32_t>(new_data - meta_length);
  if (meta_length > 0) std::memmove(buffer_.data() + new_meta, buffer_.data() + meta_, meta_length);
  meta_ = new_meta;
  data_ = static_cast<uint32_t>(new_data);
  sync_context();
  return 0;
}

int XdpFrame::adjust_tail(int32_t delta) {
  const int64_t new_end = static_cast<int64_t>(data_end_) + delta;
  const int64_t limit = static_cast<int64_t>(buffer_.size()) - kXdpSharedInfoSize;
  if (new_end > limit || new_end < static_cast<int64_t>(data_) + kEthHeaderLength) return -EINVAL;
  // Growing exposes bytes the program has not written; the kernel clears them.
  if (delta > 0) std::memset(buffer_.data() + data_end_, 0, static_cast<size_t>(delta));
  data_end_ = static_cast<uint32_t>(new_end);
  sync_context();
  return 0;
}

int XdpFrame::adjust_meta(int32_t delta) {
  const int64_t new_meta = static_cast<int64_t>(meta_) + delta;
  if (new_meta < kXdpFrameHeaderSize || new_meta > data_) return -EINVAL;
  const int64_t meta_length = data_ - new_meta;
  if ((meta_length & 3) != 0 || meta_length > kXdpMaxMetaLength) return -EACCES;
  meta_ = static_cast<uint32_t>(new_meta);
  sync_context();
  return 0;
}

}  // namespace nicsim::ebpf
