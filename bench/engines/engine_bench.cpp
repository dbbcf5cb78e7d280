// Per-packet cost of each host engine on each benchmark program (Google Benchmark).
//   build/bench/engines/nicsim_engine_bench --benchmark_filter=interp
// Engines: interp; x86_64 and arm64 (checked code, arm64 under Unicorn on x86-64 hosts);
// x86_64-verified and arm64-verified (the verifier's VerifiedProgram in Verified mode).
// Counters: s_per_packet, insns_per_packet (eBPF instructions executed), s_per_insn. The
// "empty" program (r0 = XDP_PASS; exit) measures the harness: frame setup and the call.
// compile/<engine>/<program> times building the engine (translation passes, W^X placement)
// and reports code_bytes (native code, trampoline and stubs included).

#include <benchmark/benchmark.h>

#include <memory>
#include <optional>
#include <string>

#include "bench/engines/bench_programs.h"
#include "ebpf/asm/assembler.h"
#include "ebpf/elf/elf_loader.h"
#include "ebpf/interp/interpreter.h"
#include "jit/arm64/a64_compiler.h"
#include "jit/x86_64/x86_compiler.h"
#include "testbench/traffic/generator.h"
#include "testbench/traffic/traffic_spec.h"
#include "verifier/verifier.h"

namespace nicsim::bench {
namespace {

ebpf::ElfObject load_object(const BenchProgram& program) {
  if (program.object.empty())
    return ebpf::make_single_program_object(ebpf::assemble("r0 = 2\nexit"), ebpf::ProgramType::Xdp,
                                            "empty");
  return ebpf::load_elf_file(program.object);
}

std::unique_ptr<jit::JitEngine> make_jit(const std::string& engine, const ebpf::Program& program,
                                         ebpf::Runtime& runtime) {
  const bool verified = engine.find("-verified") != std::string::npos;
  const bool arm64 = engine.rfind("arm64", 0) == 0;
  if (!verified)
    return arm64 ? jit::make_arm64_engine(program, runtime)
                 : jit::make_x86_64_engine(program, runtime);
  const verifier::VerifiedProgram checked = verifier::verify_program(runtime.object(), program);
  return arm64 ? jit::make_arm64_engine(checked, runtime)
               : jit::make_x86_64_engine(checked, runtime);
}

std::unique_ptr<ebpf::Engine> make(const std::string& engine, const ebpf::Program& program,
                                   ebpf::Runtime& runtime) {
  if (engine == "interp") return std::make_unique<ebpf::Interpreter>(program, runtime);
  return make_jit(engine, program, runtime);
}

void compile_benchmark(benchmark::State& state, BenchProgram program, std::string engine_name) {
  const ebpf::ElfObject object = load_object(program);
  const ebpf::Program* entry =
      program.program.empty() ? &object.programs.front() : &object.find_program(program.program);
  ebpf::Runtime runtime(object);
  const bool verified = engine_name.find("-verified") != std::string::npos;
  const bool arm64 = engine_name.rfind("arm64", 0) == 0;
  // The verifier runs once: its time is the verifier's, measured in its own section.
  std::optional<verifier::VerifiedProgram> checked;
  if (verified) checked.emplace(verifier::verify_program(object, *entry));
  size_t code_bytes = 0;
  for (auto _ : state) {
    std::unique_ptr<jit::JitEngine> engine;
    if (verified) {
      engine = arm64 ? jit::make_arm64_engine(*checked, runtime)
                     : jit::make_x86_64_engine(*checked, runtime);
    } else {
      engine = arm64 ? jit::make_arm64_engine(*entry, runtime)
                     : jit::make_x86_64_engine(*entry, runtime);
    }
    code_bytes = engine->entry().code.size();
    benchmark::DoNotOptimize(engine);
  }
  state.counters["code_bytes"] = static_cast<double>(code_bytes);
  state.counters["ebpf_insns"] = static_cast<double>(entry->insns.size());
}

void run_benchmark(benchmark::State& state, BenchProgram program, std::string engine_name) {
  const ebpf::ElfObject object = load_object(program);
  const ebpf::Program* entry =
      program.program.empty() ? &object.programs.front() : &object.find_program(program.program);
  ebpf::Runtime runtime(object);
  const auto packets = traffic::generate_traffic(traffic::parse_traffic_spec(program.traffic));
  if (program.populate) program.populate(runtime, packets);
  auto engine = make(engine_name, *entry, runtime);

  uint64_t instructions = 0;
  size_t next = 0;
  for (auto _ : state) {
    const auto& packet = packets[next];
    next = next + 1 == packets.size() ? 0 : next + 1;
    ebpf::XdpFrame frame(packet.bytes, packet.ingress_ifindex, packet.rx_queue_index);
    const ebpf::ExecutionResult result = engine->run_xdp(frame);
    benchmark::DoNotOptimize(result.return_value);
    instructions += result.instructions;
  }
  const double packets_run = static_cast<double>(state.iterations());
  state.counters["insns_per_packet"] = static_cast<double>(instructions) / packets_run;
  // Inverted rates over CPU time: seconds per packet and per instruction (printed with SI
  // prefixes, e.g. 3.7n = 3.7 ns).
  state.counters["s_per_packet"] =
      benchmark::Counter(packets_run, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["s_per_insn"] = benchmark::Counter(
      static_cast<double>(instructions), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

int register_all() {
  for (const auto& program : bench_programs()) {
    for (const char* engine : {"interp", "x86_64", "x86_64-verified", "arm64", "arm64-verified"}) {
      benchmark::RegisterBenchmark((std::string(engine) + "/" + program.name).c_str(),
                                   run_benchmark, program, std::string(engine));
    }
    for (const char* engine : {"x86_64", "x86_64-verified", "arm64", "arm64-verified"}) {
      benchmark::RegisterBenchmark(("compile/" + std::string(engine) + "/" + program.name).c_str(),
                                   compile_benchmark, program, std::string(engine));
    }
  }
  return 0;
}

const int kRegistered = register_all();

}  // namespace
}  // namespace nicsim::bench

BENCHMARK_MAIN();
