#include "ebpf/runtime/runtime.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "ebpf/util/error.h"

namespace nicsim::ebpf {

Runtime::Runtime(const ElfObject& object, RuntimeConfig config)
    : object_(&object),
      config_(config),
      current_cpu_(config.cpu),
      now_ns_(config.start_time_ns),
      prandom_state_(config.prandom_seed ? config.prandom_seed : 1) {
  if (config_.num_cpus == 0 || config_.num_cpus > kMaxCpus)
    throw Error(fmt::format("runtime: the number of CPUs must be between 1 and {}", kMaxCpus));
  if (config_.cpu >= config_.num_cpus)
    throw Error(
        fmt::format("runtime: cpu {} is out of range for {} CPUs", config_.cpu, config_.num_cpus));
  const MapContext context{config_.num_cpus, &current_cpu_};
  MapLinks links;
  links.map_at = [this](uint32_t index) -> Map* {
    return index < maps_.size() ? maps_[index].get() : nullptr;
  };
  links.program_count = static_cast<uint32_t>(object.programs.size());
  maps_.reserve(object.maps.size());
  for (const auto& def : object.maps) {
    maps_.push_back(create_map(def, context, links));
    maps_.back()->set_object_index(static_cast<uint32_t>(maps_.size() - 1));
  }
  for (size_t i = 0; i < maps_.size(); ++i) {
    const MapDefinition& def = object.maps[i];
    if (!def.initial_value.empty()) {
      const uint32_t key = 0;
      if (def.initial_value.size() != def.value_size ||
          maps_[i]->host_update(&key, def.initial_value.data(), kMapUpdateAny) != 0)
        throw Error(
            fmt::format("{}: cannot initialise global data map '{}'", object.path, def.name));
    }
    for (const auto& [slot, name] : def.initial_slots)
      fill_initial_slot(i, slot, name);
  }
}

void Runtime::fill_initial_slot(size_t map, uint32_t slot, const std::string& name) {
  const MapDefinition& def = object_->maps[map];
  uint32_t index = 0;
  if (def.type == MapType::ProgArray) {
    try {
      index = static_cast<uint32_t>(&object_->find_program(name) - object_->programs.data());
    } catch (const Error& e) {
      throw Error(fmt::format("map '{}' slot {}: {}", def.name, slot, e.what()));
    }
  } else {
    const int found = object_->find_map(name);
    if (found < 0)
      throw Error(fmt::format("{}: map '{}' slot {}: no map named '{}'", object_->path, def.name,
                              slot, name));
    index = static_cast<uint32_t>(found);
  }
  if (const int error = maps_[map]->host_update(&slot, &index, kMapUpdateAny))
    throw Error(fmt::format("{}: map '{}' slot {}: cannot store '{}' (error {})", object_->path,
                            def.name, slot, name, error));
}

void Runtime::set_cpu(uint32_t cpu) {
  if (cpu >= config_.num_cpus)
    throw Error(fmt::format("runtime: cpu {} is out of range for {} CPUs", cpu, config_.num_cpus));
  current_cpu_ = cpu;
}

Runtime::~Runtime() = default;

uint64_t Runtime::map_pointer(size_t index) const {
  return reinterpret_cast<uint64_t>(maps_.at(index).get());
}

Map* Runtime::map_from_pointer(uint64_t value) const {
  for (const auto& map : maps_) {
    if (reinterpret_cast<uint64_t>(map.get()) == value) return map.get();
  }
  return nullptr;
}

bool Runtime::accessible(uint64_t addr, uint64_t len, bool write) const {
  if (len == 0 || addr + len < addr) return false;
  for (const auto& region : regions_) {
    if (addr >= region.begin && addr + len <= region.end) return !write || region.writable;
  }
  if (frame_ != nullptr) {
    // The packet (with its metadata) is writable between data_meta and data_end.
    const XdpContextShadow* ctx = const_cast<XdpFrame*>(frame_)->context();
    if (addr >= ctx->data_meta && addr + len <= ctx->data_end) return true;
  }
  for (const auto& region : ringbuf_regions_) {
    if (addr >= region.begin && addr + len <= region.end) return true;
  }
  for (size_t i = 0; i < maps_.size(); ++i) {
    if (maps_[i]->owns_value_range(addr, len))
      return !write || !maps_[i]->def().program_read_only();
  }
  return false;
}

void Runtime::raise_fault(std::string message) {
  if (!fault_) fault_ = std::move(message);
}

uint32_t Runtime::next_prandom() {
  // xorshift64*: deterministic for a given seed, so every engine sees the same sequence.
  prandom_state_ ^= prandom_state_ >> 12;
  prandom_state_ ^= prandom_state_ << 25;
  prandom_state_ ^= prandom_state_ >> 27;
  return static_cast<uint32_t>((prandom_state_ * 0x2545F4914F6CDD1Dull) >> 32);
}

void Runtime::record_trace(std::string text) {
  trace_.push_back(TraceRecord{invocations_ ? invocations_ - 1 : 0, std::move(text)});
}

void Runtime::record_event(uint32_t map_index, uint32_t cpu, std::vector<uint8_t> data) {
  events_.push_back(
      EventRecord{invocations_ ? invocations_ - 1 : 0, map_index, cpu, std::move(data)});
}

void Runtime::add_ringbuf_region(uint64_t begin, uint64_t end) {
  ringbuf_regions_.push_back(MemoryRegion{begin, end, true, RegionKind::Ringbuf});
}

void Runtime::remove_ringbuf_region(uint64_t begin) {
  std::erase_if(ringbuf_regions_, [begin](const MemoryRegion& r) { return r.begin == begin; });
}

}  // namespace nicsim::ebpf
