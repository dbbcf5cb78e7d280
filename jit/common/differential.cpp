#include "jit/common/differential.h"

#include <fmt/format.h>

#include <cctype>
#include <utility>

namespace nicsim::jit {

namespace {

// The state of one world after a run, in a comparable form.
struct Observation {
  std::vector<uint8_t> memory;
  std::vector<uint8_t> metadata;
  std::vector<std::vector<std::pair<std::vector<uint8_t>, std::vector<uint8_t>>>> maps;
  ebpf::RedirectTarget redirect;
  std::vector<std::string> trace;
  std::vector<std::pair<uint32_t, std::vector<uint8_t>>> events;
};

std::vector<std::pair<std::vector<uint8_t>, std::vector<uint8_t>>> dump_map(const ebpf::Map& map) {
  std::vector<std::pair<std::vector<uint8_t>, std::vector<uint8_t>>> entries;
  const size_t key_size = map.def().key_size;
  std::vector<uint8_t> key(key_size), next(key_size), value(map.host_value_size());
  const void* previous = nullptr;
  // Bounded: a map cannot hold more entries than it was declared with.
  for (uint64_t n = 0; n <= uint64_t{map.def().max_entries}; ++n) {
    if (map.get_next_key(previous, next.data()) != 0) break;
    key = next;
    previous = key.data();
    if (map.host_lookup(key.data(), value.data()) == 0) entries.emplace_back(key, value);
  }
  return entries;
}

Observation observe(ebpf::Runtime& runtime, std::span<const uint8_t> memory,
                    std::span<const uint8_t> metadata) {
  Observation o;
  o.memory.assign(memory.begin(), memory.end());
  o.metadata.assign(metadata.begin(), metadata.end());
  for (size_t i = 0; i < runtime.map_count(); ++i)
    o.maps.push_back(dump_map(runtime.map(i)));
  o.redirect = runtime.redirect();
  for (const auto& record : runtime.trace_log())
    o.trace.push_back(record.text);
  for (const auto& event : runtime.events())
    o.events.emplace_back(event.map_index, event.data);
  return o;
}

struct World {
  World(const ebpf::ElfObject& object, size_t program, const EngineFactory& factory,
        const ebpf::RuntimeConfig& config)
      : runtime(object, config), engine(factory(object.programs.at(program), runtime)) {}

  std::pair<ebpf::ExecutionResult, Observation> run(const DifferentialInput& input) {
    if (input.kind == DifferentialInput::Kind::Raw) {
      std::vector<uint8_t> memory = input.bytes;
      ebpf::ExecutionResult result = engine->run_raw(memory);
      return {std::move(result), observe(runtime, memory, {})};
    }
    ebpf::XdpFrame frame(input.bytes, input.ingress_ifindex, input.rx_queue_index);
    ebpf::ExecutionResult result =
        input.repeat == 0 ? engine->run_xdp(frame) : engine->run_xdp_repeated(frame, input.repeat);
    return {std::move(result), observe(runtime, frame.packet(), frame.metadata())};
  }

  ebpf::Runtime runtime;
  std::unique_ptr<ebpf::Engine> engine;
};

std::string compare(const ebpf::ExecutionResult& a, const Observation& oa,
                    const ebpf::ExecutionResult& b, const Observation& ob,
                    const DifferentialOptions& options) {
  if (a.aborted != b.aborted)
    return fmt::format("aborted: {} ('{}') vs {} ('{}')", a.aborted, a.diagnostic, b.aborted,
                       b.diagnostic);
  if (!a.aborted && a.return_value != b.return_value)
    return fmt::format("r0: {:#x} vs {:#x}", a.return_value, b.return_value);
  if (options.compare_diagnostics && mask_addresses(a.diagnostic) != mask_addresses(b.diagnostic))
    return fmt::format("diagnostic: '{}' vs '{}'", a.diagnostic, b.diagnostic);
  if (options.compare_instruction_counts && a.instructions != b.instructions)
    return fmt::format("instructions: {} vs {}", a.instructions, b.instructions);
  if (a.tail_calls != b.tail_calls)
    return fmt::format("tail calls: {} vs {}", a.tail_calls, b.tail_calls);
  if (oa.memory != ob.memory) {
    if (oa.memory.size() != ob.memory.size())
      return fmt::format("memory size: {} vs {}", oa.memory.size(), ob.memory.size());
    for (size_t i = 0; i < oa.memory.size(); ++i) {
      if (oa.memory[i] != ob.memory[i])
        return fmt::format("memory byte {}: {:#04x} vs {:#04x}", i, oa.memory[i], ob.memory[i]);
    }
  }
  if (oa.metadata != ob.metadata) return "packet metadata differs";
  for (size_t m = 0; m < oa.maps.size(); ++m) {
    if (oa.maps[m] != ob.maps[m])
      return fmt::format("map {}: {} vs {} entries, or different contents", m, oa.maps[m].size(),
                         ob.maps[m].size());
  }
  if (oa.redirect.kind != ob.redirect.kind || oa.redirect.ifindex != ob.redirect.ifindex ||
      oa.redirect.map_index != ob.redirect.map_index || oa.redirect.key != ob.redirect.key)
    return "redirect target differs";
  if (oa.trace != ob.trace) return "trace output differs";
  if (oa.events != ob.events) return "event output differs";
  return "";
}

}  // namespace

std::string mask_addresses(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    if (text.compare(i, 2, "0x") == 0) {
      size_t j = i + 2;
      while (j < text.size() && std::isxdigit(static_cast<unsigned char>(text[j])))
        ++j;
      if (j - (i + 2) >= 6) {
        out += "0x…";
        i = j;
        continue;
      }
    }
    out += text[i++];
  }
  return out;
}

DifferentialReport compare_engines(const ebpf::ElfObject& object, size_t program_index,
                                   std::span<const DifferentialInput> inputs,
                                   const EngineFactory& reference, const EngineFactory& candidate,
                                   const DifferentialOptions& options) {
  World left(object, program_index, reference, options.runtime);
  World right(object, program_index, candidate, options.runtime);
  DifferentialReport report;
  for (size_t i = 0; i < inputs.size(); ++i) {
    auto [a, oa] = left.run(inputs[i]);
    auto [b, ob] = right.run(inputs[i]);
    const std::string difference = compare(a, oa, b, ob, options);
    report.reference_results.push_back(a);
    report.candidate_results.push_back(b);
    if (!difference.empty()) {
      report.equal = false;
      report.difference = fmt::format("input {}: {}", i, difference);
      return report;
    }
  }
  return report;
}

}  // namespace nicsim::jit
