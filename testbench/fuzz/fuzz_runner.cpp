#include "testbench/fuzz/fuzz_runner.h"

#include <fmt/format.h>

#include <chrono>
#include <optional>
#include <random>
#include <regex>

#include "ebpf/asm/disassembler.h"
#include "ebpf/util/error.h"
#include "jit/common/differential.h"
#include "testbench/fuzz/program_edit.h"
#include "verifier/verifier.h"

namespace nicsim::fuzz {

namespace {

std::vector<jit::DifferentialInput> make_inputs(uint64_t seed, int count) {
  std::mt19937 random(static_cast<uint32_t>(seed * 2654435761u));
  std::vector<jit::DifferentialInput> inputs;
  for (std::vector<uint8_t>& packet : generate_packets(seed, count)) {
    jit::DifferentialInput input;
    input.kind = jit::DifferentialInput::Kind::Xdp;
    input.bytes = std::move(packet);
    input.ingress_ifindex = 1 + random() % 4;
    input.rx_queue_index = random() % 8;
    inputs.push_back(std::move(input));
  }
  return inputs;
}

// One engine against the interpreter; nullopt when the engine refused the program (its
// message in `refusal`).
std::optional<jit::DifferentialReport> compare(const ebpf::ElfObject& object,
                                               const verifier::VerifiedProgram& verified,
                                               const std::vector<jit::DifferentialInput>& inputs,
                                               const FuzzEngine& engine, std::string& refusal) {
  jit::DifferentialOptions options;
  options.compare_instruction_counts = engine.counts_instructions;
  const jit::EngineFactory reference = make_reference_engine;
  const jit::EngineFactory candidate = [&](const ebpf::Program&, ebpf::Runtime& runtime) {
    return engine.make(verified, runtime);
  };
  try {
    return jit::compare_engines(object, 0, inputs, reference, candidate, options);
  } catch (const Error& error) {
    refusal = error.what();
    if (engine.may_refuse) return std::nullopt;
    jit::DifferentialReport report;
    report.equal = false;
    report.difference = std::string("refused a verified program: ") + error.what();
    return report;
  }
}

bool still_fails(const ebpf::ElfObject& object, const std::vector<jit::DifferentialInput>& inputs,
                 const FuzzEngine& engine) {
  const verifier::VerificationResult result = verifier::verify(object, object.programs[0]);
  if (!result.accepted) return false;
  const verifier::VerifiedProgram verified = verifier::verify_program(object, object.programs[0]);
  std::string refusal;
  const auto report = compare(object, verified, inputs, engine, refusal);
  return report && !report->equal;
}

// Drops instructions, last first, while the program verifies and the engine still disagrees.
ebpf::ElfObject minimise(ebpf::ElfObject object, const std::vector<jit::DifferentialInput>& inputs,
                         const FuzzEngine& engine) {
  for (bool shrunk = true; shrunk;) {
    shrunk = false;
    for (size_t i = object.programs[0].insns.size(); i-- > 0;) {
      ebpf::ElfObject candidate = object;
      if (!erase_instruction(candidate.programs[0], i)) continue;
      if (!still_fails(candidate, inputs, engine)) continue;
      object = std::move(candidate);
      shrunk = true;
    }
  }
  return object;
}

std::string hex_dump(const std::vector<uint8_t>& bytes) {
  std::string out;
  for (size_t i = 0; i < bytes.size(); ++i)
    out += fmt::format("{}{:02x}", i % 16 == 0 ? (i == 0 ? "  " : "\n  ") : " ", bytes[i]);
  return out.empty() ? "  (empty)" : out;
}

std::string describe(const ebpf::ElfObject& object,
                     const std::vector<jit::DifferentialInput>& inputs, const FuzzEngine& engine) {
  const verifier::VerifiedProgram verified = verifier::verify_program(object, object.programs[0]);
  std::string refusal;
  const auto report = compare(object, verified, inputs, engine, refusal);
  std::string out =
      fmt::format("engine {} vs interp: {}\n", engine.name, report ? report->difference : refusal);
  ebpf::DisasmOptions options;
  options.show_index = true;
  out += ebpf::disassemble(object.programs[0].insns, options);
  if (report && !report->candidate_results.empty()) {
    const size_t index = report->candidate_results.size() - 1;
    const jit::DifferentialInput& input = inputs.at(index);
    out += fmt::format("packet {} ({} bytes, ingress_ifindex {}, rx_queue_index {}):\n{}\n", index,
                       input.bytes.size(), input.ingress_ifindex, input.rx_queue_index,
                       hex_dump(input.bytes));
  }
  return out;
}

std::string rejection_key(const verifier::VerificationResult& result) {
  const std::string message = result.error ? result.error->message : "no error";
  return std::regex_replace(message, std::regex("-?[0-9]+"), "N");
}

}  // namespace

FuzzStatistics run_fuzzer(const FuzzOptions& options, const std::vector<FuzzEngine>& engines,
                          std::ostream* progress) {
  FuzzStatistics statistics;
  const auto start = std::chrono::steady_clock::now();
  for (uint64_t n = 0; n < options.count; ++n) {
    const uint64_t seed = options.seed + n;
    const ebpf::ElfObject object = generate_program(seed, options.generator);
    ++statistics.generated;
    const verifier::VerificationResult verdict = verifier::verify(object, object.programs[0]);
    if (!verdict.accepted) {
      ++statistics.rejections[rejection_key(verdict)];
      continue;
    }
    ++statistics.accepted;
    statistics.instructions += object.programs[0].insns.size();
    const verifier::VerifiedProgram verified = verifier::verify_program(object, object.programs[0]);
    const std::vector<jit::DifferentialInput> inputs = make_inputs(seed, options.packets);
    statistics.packets += inputs.size();
    bool reference_checked = false;
    for (const FuzzEngine& engine : engines) {
      EngineTally& tally = statistics.engines[engine.name];
      std::string refusal;
      const auto report = compare(object, verified, inputs, engine, refusal);
      if (!report) {
        ++tally.refused;
        ++statistics.refusals[engine.name + ": " +
                              std::regex_replace(refusal, std::regex("[0-9]+"), "N")];
        continue;
      }
      ++tally.programs;
      if (!reference_checked) {
        reference_checked = true;
        for (const ebpf::ExecutionResult& result : report->reference_results)
          statistics.reference_aborts += result.aborted ? 1 : 0;
      }
      if (report->equal) continue;
      ++tally.mismatches;
      Mismatch mismatch{seed, engine.name, report->difference, {}};
      if (statistics.mismatches.size() < options.max_reported) {
        const ebpf::ElfObject small = options.minimise ? minimise(object, inputs, engine) : object;
        mismatch.report = describe(small, inputs, engine);
      }
      if (progress != nullptr)
        *progress << fmt::format("seed {}: {} differs: {}\n{}", seed, engine.name,
                                 report->difference, mismatch.report);
      statistics.mismatches.push_back(std::move(mismatch));
    }
    if (progress != nullptr && (n + 1) % 1000 == 0)
      *progress << fmt::format("{} programs, {} accepted, {} mismatches\n", n + 1,
                               statistics.accepted, statistics.mismatches.size());
  }
  statistics.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return statistics;
}

void print_statistics(const FuzzStatistics& s, std::ostream& out) {
  out << fmt::format(
      "{} programs generated, {} accepted by the verifier ({:.1f}%), {} instructions on "
      "average; {} packets each engine; {:.1f} s\n",
      s.generated, s.accepted, s.generated ? 100.0 * s.accepted / s.generated : 0.0,
      s.accepted ? s.instructions / s.accepted : 0, s.packets, s.seconds);
  for (const auto& [name, tally] : s.engines)
    out << fmt::format("  {:<15} {} programs compared, {} refused, {} mismatches\n", name,
                       tally.programs, tally.refused, tally.mismatches);
  out << fmt::format("  interpreter aborts on accepted programs: {}\n", s.reference_aborts);
  for (const auto& [message, count] : s.rejections)
    out << fmt::format("  rejected {}x: {}\n", count, message);
  for (const auto& [message, count] : s.refusals)
    out << fmt::format("  refused {}x: {}\n", count, message);
  for (const Mismatch& m : s.mismatches) {
    out << fmt::format("MISMATCH seed {} engine {}: {}\n", m.seed, m.engine, m.difference);
    if (!m.report.empty()) out << m.report;
  }
}

}  // namespace nicsim::fuzz
