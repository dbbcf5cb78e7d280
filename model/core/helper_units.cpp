#include "model/core/helper_units.h"

#include <fmt/format.h>

#include <algorithm>

#include "ebpf/runtime/helpers.h"
#include "firmware/isa/helper_units.h"

namespace nicsim::model {

namespace {

uint32_t words(uint64_t bytes) {
  return static_cast<uint32_t>((std::min<uint64_t>(bytes, 4096) + 7) / 8);
}

bool array_like(ebpf::MapType type) {
  switch (type) {
    case ebpf::MapType::Array:
    case ebpf::MapType::PercpuArray:
    case ebpf::MapType::Devmap:
    case ebpf::MapType::Cpumap:
    case ebpf::MapType::Xskmap:
    case ebpf::MapType::ProgArray:
      return true;
    default:
      return false;
  }
}

bool hash_like(ebpf::MapType type) {
  switch (type) {
    case ebpf::MapType::Hash:
    case ebpf::MapType::PercpuHash:
    case ebpf::MapType::LruHash:
    case ebpf::MapType::LruPercpuHash:
    case ebpf::MapType::DevmapHash:
      return true;
    default:
      return false;
  }
}

}  // namespace

void HelperUnits::rebind(ContextState& context) {
  runtime_.begin_invocation(context.frame);
  bound_ = &context;
}

uint64_t HelperUnits::host_pointer(ContextState& context, uint64_t address, uint64_t size) {
  if (address == 0) return 0;
  // A range the context may not touch becomes an address the runtime refuses, so that the
  // runtime reports the fault exactly as it does for the interpreter.
  const auto length = static_cast<uint32_t>(std::max<uint64_t>(1, std::min<uint64_t>(size, 4096)));
  uint8_t* host = memory_.translate(context, address, length, false);
  // The runtime may write from the pointer on (a stack buffer it fills).
  if (host != nullptr && firmware::region_of(address) == firmware::Region::Stack)
    context.note_stack_write(address);
  return host ? reinterpret_cast<uint64_t>(host) : 0;
}

uint32_t HelperUnits::lookup_latency(const firmware::MapLayout& map) const {
  if (array_like(map.type)) return latency_.map_array_lookup;
  if (hash_like(map.type)) return latency_.map_hash_base + words(map.key_size);
  if (map.type == ebpf::MapType::LpmTrie) return latency_.map_lpm_base + map.key_size;
  return latency_.map_other;
}

HelperResult HelperUnits::call(const ebpf::HelperInfo* info, int32_t id, const uint64_t* args,
                               ContextState& context) {
  bind(context);
  HelperResult result;
  if (info == nullptr || info->function == nullptr) {
    result.fault = true;
    result.diagnostic = fmt::format("helper {} has no implementation", id);
    return result;
  }
  uint64_t a[5] = {args[0], args[1], args[2], args[3], args[4]};
  MapMemory& maps = memory_.maps();
  const int map_index = maps.map_of_handle(args[0]);
  const firmware::MapLayout* map = map_index >= 0 ? &maps.layout(map_index) : nullptr;
  const auto map_pointer = [&] {
    return map ? maps.host_map_pointer(static_cast<uint32_t>(map_index)) : args[0];
  };

  switch (id) {
    case ebpf::kHelperMapLookupElem:
    case ebpf::kHelperMapDeleteElem:
      a[0] = map_pointer();
      a[1] = host_pointer(context, args[1], map ? map->key_size : 1);
      result.latency = map ? lookup_latency(*map) + (id == ebpf::kHelperMapDeleteElem) : 1;
      break;
    case ebpf::kHelperMapUpdateElem:
      a[0] = map_pointer();
      a[1] = host_pointer(context, args[1], map ? map->key_size : 1);
      a[2] = host_pointer(context, args[2], map ? map->value_size : 1);
      result.latency = map ? lookup_latency(*map) + words(map->value_size) : 1;
      break;
    case ebpf::kHelperCsumDiff:
      a[0] = host_pointer(context, args[0], args[1]);
      a[2] = host_pointer(context, args[2], args[3]);
      result.latency = latency_.csum_base + words(args[1]) + words(args[3]);
      break;
    case ebpf::kHelperXdpAdjustHead:
    case ebpf::kHelperXdpAdjustTail:
    case ebpf::kHelperXdpAdjustMeta:
      // The unit acts on the context's own packet whatever r1 holds; the runtime checks that
      // r1 is the context pointer, so pass it through when it is the context window.
      a[0] = args[0] == firmware::kContextBase
                 ? reinterpret_cast<uint64_t>(context.frame->context())
                 : 0;
      result.latency = latency_.packet_adjust;
      break;
    case ebpf::kHelperRedirect:
      result.latency = latency_.redirect;
      break;
    case ebpf::kHelperRedirectMap:
      a[0] = map_pointer();
      result.latency = latency_.redirect_map;
      break;
    default:
      break;
  }

  result.r0 = info->function(a[0], a[1], a[2], a[3], a[4], &runtime_);
  if (runtime_.fault()) {
    result.fault = true;
    result.diagnostic = *runtime_.fault();
    return result;
  }
  if (id == ebpf::kHelperMapLookupElem && result.r0 != 0 && map_index >= 0) {
    result.r0 =
        maps.nic_address(static_cast<uint32_t>(map_index), reinterpret_cast<const void*>(result.r0),
                         reinterpret_cast<const void*>(a[1]));
  }
  if (id == ebpf::kHelperXdpAdjustHead || id == ebpf::kHelperXdpAdjustTail ||
      id == ebpf::kHelperXdpAdjustMeta)
    context.sync_packet_pointers();
  context.redirect = runtime_.redirect();
  return result;
}

}  // namespace nicsim::model
