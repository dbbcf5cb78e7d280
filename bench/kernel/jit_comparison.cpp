// nicsim_kernel_jit_compare [--rounds N] [--filter SUBSTRING] [--dump DIRECTORY] [--profile]
// For each program of the benchmark suite (bench/engines: the bundled programs and the
// corpus's Linux XDP samples, with their traffic and map contents) and each kernel XDP sample
// built from linux-source in bench/programs, on the same 64-byte packets and the same map
// contents:
// - code size: nicsim's x86-64 JIT in Verified mode (the verifier's facts, jit/common
//   verified_facts.h: what the kernel's JIT also relies on) and in Checked mode, against the
//   kernel's jited_prog_len (and xlated_prog_len);
// - per-packet time: nicsim's x86-64 engine, both modes (an XdpFrame built and the program
//   run, as bench/engines measures it), against BPF_PROG_TEST_RUN's duration, with repeat 1
//   on each packet (a fresh packet every run, as nicsim) and with repeat 1000 (the kernel's
//   steady state; the frame is reused, so a program that rewrites the packet sees its own
//   output);
// - the kernel's steady state on nicsim's side too: Verified code run 1000 times on one frame
//   per packet with `Engine::run_xdp_repeated(frame, 1000)`, what BPF_PROG_TEST_RUN's repeat
//   does (the frame and the run set up once, the program called in a loop; same packets,
//   same reuse of the frame), the empty program likewise;
// - the empty program (r0 = XDP_PASS; exit) measures every harness: each round times it on
//   the same packets right before the program, and "net" subtracts it;
// - the XDP action and output packet of every packet, nicsim (both modes) against the kernel.
// Each time is the fastest of N rounds (the machine is shared). --dump writes nicsim's code
// (<name>.verified.bin, <name>.checked.bin) and the kernel's (<name>.kernel.bin) for
// `objdump -D -b binary -m i386:x86-64`.
// --profile times nicsim's Verified steady state alone (no other engine, no kernel run in
// the loop), so that `perf record` sees only that loop.

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bench/engines/bench_programs.h"
#include "ebpf/asm/assembler.h"
#include "ebpf/elf/elf_loader.h"
#include "jit/x86_64/x86_compiler.h"
#include "testbench/kernel_oracle/kernel_access.h"
#include "testbench/kernel_oracle/kernel_program.h"
#include "testbench/kernel_oracle/map_transfer.h"
#include "testbench/traffic/generator.h"
#include "testbench/traffic/traffic_spec.h"
#include "verifier/verifier.h"

using namespace nicsim;

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr uint32_t kSteadyRepeat = 1000;
constexpr size_t kSteadyPackets = 64;  // packets measured in steady state (of 1024)

// A time with the empty program's, measured alongside it.
struct Timed {
  double program_ns = 1e30;
  double empty_ns = 1e30;
  double net() const { return program_ns - empty_ns; }
  void keep_fastest(double program, double empty) {
    program_ns = std::min(program_ns, program);
    empty_ns = std::min(empty_ns, empty);
  }
};

// One of nicsim's two compilation modes on one program.
struct NicsimMode {
  std::string status;  // "" when compiled
  size_t code_bytes = 0;
  size_t insn_code_bytes = 0;  // the instructions' code: from instruction 0 to the stubs
  Timed time;
  Timed steady;  // Verified mode only: one frame per packet, run kSteadyRepeat times
  size_t same_action = 0;
  size_t same_packet = 0;
  std::string first_difference;
};

struct Measurement {
  std::string name;
  size_t ebpf_insns = 0;
  NicsimMode verified;
  NicsimMode checked;
  std::string kernel_status;  // "" when loaded
  // Map entries the kernel refused (a devmap naming an interface this machine lacks): the
  // two sides then run with different maps, and the kernel's figures are not comparable.
  std::vector<std::string> kernel_map_refusals;
  uint32_t kernel_jited = 0;
  uint32_t kernel_xlated = 0;
  Timed kernel_fresh;
  Timed kernel_steady;
  size_t packets = 0;
};

ebpf::ElfObject load_object(const bench::BenchProgram& program) {
  if (program.object.empty()) {
    return ebpf::make_single_program_object(ebpf::assemble("r0 = 2\nexit"), ebpf::ProgramType::Xdp,
                                            "empty");
  }
  return ebpf::load_elf_file(program.object);
}

const ebpf::Program& entry_of(const ebpf::ElfObject& object, const bench::BenchProgram& p) {
  return p.program.empty() ? object.programs.front() : object.find_program(p.program);
}

// ns per packet over 20 passes through the packets.
double time_nicsim(ebpf::Engine& engine, const std::vector<traffic::Packet>& packets) {
  const size_t runs = packets.size() * 20;
  uint64_t sink = 0;
  const auto start = Clock::now();
  for (size_t i = 0; i < runs; ++i) {
    const auto& packet = packets[i % packets.size()];
    ebpf::XdpFrame frame(packet.bytes, packet.ingress_ifindex, packet.rx_queue_index);
    sink += engine.run_xdp(frame).return_value;
  }
  const double ns = std::chrono::duration<double, std::nano>(Clock::now() - start).count();
  if (sink == 0xdeadbeef) std::cerr << "";  // keeps the runs observable
  return ns / static_cast<double>(runs);
}

// The kernel's steady state, on nicsim's side: one frame per packet, built outside the clock
// and run `repeat` times by the engine's repeated run, so that the program sees its own output
// as it does in the kernel.
double time_nicsim_steady(ebpf::Engine& engine, const std::vector<traffic::Packet>& packets,
                          size_t count, uint32_t repeat) {
  uint64_t sink = 0;
  double ns = 0;
  for (size_t i = 0; i < count; ++i) {
    ebpf::XdpFrame frame(packets[i].bytes, packets[i].ingress_ifindex, packets[i].rx_queue_index);
    const auto start = Clock::now();
    sink += engine.run_xdp_repeated(frame, repeat).return_value;
    ns += std::chrono::duration<double, std::nano>(Clock::now() - start).count();
  }
  if (sink == 0xdeadbeef) std::cerr << "";
  return ns / static_cast<double>(count * repeat);
}

// The kernel's average duration over the first `count` packets, `repeat` runs each.
double time_kernel(const kernel_oracle::KernelProgram& kernel,
                   const std::vector<traffic::Packet>& packets, size_t count, uint32_t repeat) {
  double sum = 0;
  for (size_t i = 0; i < count; ++i)
    sum += kernel.test_run_xdp(packets[i].bytes, repeat).average_ns;
  return sum / static_cast<double>(count);
}

// The empty program, on every side: the harness figures.
struct EmptyProgram {
  ebpf::ElfObject object = ebpf::make_single_program_object(ebpf::assemble("r0 = 2\nexit"),
                                                            ebpf::ProgramType::Xdp, "empty");
  ebpf::Runtime runtime{object};
  verifier::VerifiedProgram verified = verifier::verify_program(object, object.programs[0]);
  std::unique_ptr<jit::JitEngine> verified_engine = jit::make_x86_64_engine(verified, runtime);
  std::unique_ptr<jit::JitEngine> checked_engine =
      jit::make_x86_64_engine(object.programs[0], runtime);
  kernel_oracle::KernelProgram kernel =
      kernel_oracle::KernelProgram::load(object, object.programs[0]);
};

// Every packet through nicsim's engine and the kernel's program: same action, same bytes?
void compare_outputs(ebpf::Engine& engine, const kernel_oracle::KernelProgram& kernel,
                     const std::vector<traffic::Packet>& packets, NicsimMode& mode) {
  for (const auto& packet : packets) {
    ebpf::XdpFrame frame(packet.bytes, packet.ingress_ifindex, packet.rx_queue_index);
    const auto ours = engine.run_xdp(frame);
    const auto theirs = kernel.test_run_xdp(packet.bytes, 1);
    const auto action = static_cast<uint32_t>(ebpf::xdp_action_of(ours));
    const bool same_action = action == theirs.return_value;
    const auto out = frame.packet();
    const bool same_packet =
        std::equal(out.begin(), out.end(), theirs.packet.begin(), theirs.packet.end());
    mode.same_action += same_action;
    mode.same_packet += same_packet;
    if ((!same_action || !same_packet) && mode.first_difference.empty()) {
      mode.first_difference = fmt::format("packet {}: nicsim {} ({} bytes{}), kernel {} ({} bytes)",
                                          &packet - packets.data(), action, out.size(),
                                          ours.aborted ? ", " + ours.diagnostic : "",
                                          theirs.return_value, theirs.packet.size());
    }
  }
}

std::string dump_directory;  // --dump
bool profile_only = false;   // --profile

// --dump: <directory>/<name>.<kind>.bin
void write_code(std::span<const uint8_t> code, const std::string& name, const char* kind) {
  std::string file = name;
  std::replace(file.begin(), file.end(), '/', '_');
  std::ofstream out(fmt::format("{}/{}.{}.bin", dump_directory, file, kind), std::ios::binary);
  out.write(reinterpret_cast<const char*>(code.data()), static_cast<std::streamsize>(code.size()));
}

void record_code(const jit::JitEngine& engine, const std::string& name, const char* mode_name,
                 NicsimMode& mode) {
  const std::span<const uint8_t> code = engine.entry().code.code();
  mode.code_bytes = code.size();
  const auto& offsets = engine.entry().insn_offsets;
  mode.insn_code_bytes = engine.entry().instructions_end - (offsets.empty() ? 0 : offsets[0]);
  if (!dump_directory.empty()) write_code(code, name, mode_name);
}

Measurement measure(const bench::BenchProgram& bench_program, EmptyProgram& empty, int rounds) {
  Measurement m;
  m.name = bench_program.name;
  const ebpf::ElfObject object = load_object(bench_program);
  const ebpf::Program* entry = &entry_of(object, bench_program);
  m.ebpf_insns = entry->insns.size();
  ebpf::Runtime runtime(object);
  const auto packets =
      traffic::generate_traffic(traffic::parse_traffic_spec(bench_program.traffic));
  if (bench_program.populate) bench_program.populate(runtime, packets);
  m.packets = packets.size();

  kernel_oracle::KernelLoadOptions options;
  options.program_type = ebpf::ProgramType::Xdp;
  const auto kernel = kernel_oracle::KernelProgram::load(object, *entry, options);
  if (!kernel.loaded()) {
    m.kernel_status = std::string(kernel_oracle::verdict_name(kernel.result().verdict)) + ": " +
                      kernel.result().first_error + kernel.result().setup_error;
  } else {
    m.kernel_jited = kernel.result().jited_bytes;
    m.kernel_xlated = kernel.result().xlated_bytes;
    const auto transfer = kernel_oracle::copy_map_contents(runtime, kernel);
    for (const auto& skipped : transfer.skipped) {
      if (skipped.find("not copied") == std::string::npos) m.kernel_map_refusals.push_back(skipped);
    }
  }

  // The engines are built after the copy and share nicsim's maps; each pass below runs every
  // packet once through one engine and once through the kernel, so both sides' maps have
  // seen the same packets whenever a packet is compared.
  std::optional<verifier::VerifiedProgram> verified;
  std::unique_ptr<jit::JitEngine> verified_engine;
  try {
    verified.emplace(verifier::verify_program(object, *entry));
    verified_engine = jit::make_x86_64_engine(*verified, runtime);
    record_code(*verified_engine, m.name, "verified", m.verified);
  } catch (const Error& e) {
    m.verified.status = e.what();
  }
  auto checked_engine = jit::make_x86_64_engine(*entry, runtime);
  record_code(*checked_engine, m.name, "checked", m.checked);

  if (kernel.loaded() && !dump_directory.empty()) write_code(kernel.jited_code(), m.name, "kernel");
  if (kernel.loaded()) {
    if (verified_engine) compare_outputs(*verified_engine, kernel, packets, m.verified);
    compare_outputs(*checked_engine, kernel, packets, m.checked);
  }
  const size_t steady = std::min(kSteadyPackets, packets.size());
  for (int round = 0; round < rounds; ++round) {
    if (verified_engine && !profile_only) {
      const double empty_ns = time_nicsim(*empty.verified_engine, packets);
      m.verified.time.keep_fastest(time_nicsim(*verified_engine, packets), empty_ns);
    }
    if (verified_engine) {
      const double steady_empty =
          time_nicsim_steady(*empty.verified_engine, packets, steady, kSteadyRepeat);
      m.verified.steady.keep_fastest(
          time_nicsim_steady(*verified_engine, packets, steady, kSteadyRepeat), steady_empty);
    }
    if (profile_only) continue;
    const double checked_empty = time_nicsim(*empty.checked_engine, packets);
    m.checked.time.keep_fastest(time_nicsim(*checked_engine, packets), checked_empty);
    if (!kernel.loaded()) continue;
    const double fresh_empty = time_kernel(empty.kernel, packets, packets.size(), 1);
    m.kernel_fresh.keep_fastest(time_kernel(kernel, packets, packets.size(), 1), fresh_empty);
    const double steady_empty = time_kernel(empty.kernel, packets, steady, kSteadyRepeat);
    m.kernel_steady.keep_fastest(time_kernel(kernel, packets, steady, kSteadyRepeat), steady_empty);
  }
  return m;
}

std::vector<bench::BenchProgram> programs() {
  std::vector<bench::BenchProgram> all = bench::bench_programs();
  const std::string kernel_dir = NICSIM_KERNEL_PROGRAMS_DIR;
  for (const char* sample : {"xdp_adjust_tail", "xdp_fwd", "xdp_tx_iptunnel", "xdp_router_ipv4"}) {
    const std::string path = kernel_dir + "/" + sample + ".o";
    if (fs::exists(path)) {
      all.push_back({std::string("kernel/") + sample,
                     path,
                     "ip=4,proto=mix,size=64,flows=64,packets=1024",
                     "",
                     {}});
    }
  }
  return all;
}

std::string size_cell(const NicsimMode& mode) {
  if (!mode.status.empty()) return "not compiled";
  return fmt::format("{} ({})", mode.code_bytes, mode.insn_code_bytes);
}

std::string ratio_cell(const NicsimMode& mode, uint32_t kernel_bytes) {
  if (!mode.status.empty() || kernel_bytes == 0) return "";
  return fmt::format("{:.2f}", static_cast<double>(mode.code_bytes) / kernel_bytes);
}

// Three cells (program, empty, net) of a time; blank when it was not measured (a mode that did
// not compile, a kernel that refused the program, a regime --profile skips).
std::string time_cells(const Timed& t, bool measured = true) {
  if (!measured || t.program_ns >= Timed{}.program_ns) return "| | | ";
  return fmt::format("| {:.1f} | {:.1f} | {:.1f} ", t.program_ns, t.empty_ns, t.net());
}

std::string agreement_cell(const NicsimMode& mode, size_t packets) {
  if (!mode.status.empty()) return "";
  return fmt::format("{}/{} / {}/{}", mode.same_action, packets, mode.same_packet, packets);
}

void print_tables(const std::vector<Measurement>& rows) {
  fmt::print(
      "Code size (bytes; nicsim: whole code (instructions' code only: no entry, no stubs))\n\n"
      "| program | eBPF insns | nicsim verified | nicsim checked | kernel jited | kernel xlated | "
      "verified / kernel | checked / kernel |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
  for (const auto& m : rows) {
    fmt::print("| {} | {} | {} | {} | {} | {} | {} | {} |\n", m.name, m.ebpf_insns,
               size_cell(m.verified), size_cell(m.checked),
               m.kernel_status.empty() ? fmt::format("{}", m.kernel_jited) : m.kernel_status,
               m.kernel_status.empty() ? fmt::format("{}", m.kernel_xlated) : "",
               ratio_cell(m.verified, m.kernel_jited), ratio_cell(m.checked, m.kernel_jited));
  }
  fmt::print(
      "\nTime per packet (ns; net = program - empty program, measured alongside)\n\n"
      "| program | verified | empty | net | checked | empty | net | kernel repeat 1 | empty | net "
      "| verified same frame x{0} | empty | net | kernel repeat {0} | empty | net |\n"
      "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
      kSteadyRepeat);
  for (const auto& m : rows) {
    const bool verified = m.verified.status.empty();
    const bool kernel = m.kernel_status.empty();
    fmt::print("| {} {}{}{}{}{}|\n", m.name, time_cells(m.verified.time, verified),
               time_cells(m.checked.time), time_cells(m.kernel_fresh, kernel),
               time_cells(m.verified.steady, verified), time_cells(m.kernel_steady, kernel));
  }
  fmt::print(
      "\nSame action / same packet as the kernel\n\n| program | verified | checked |\n"
      "|---|---|---|\n");
  for (const auto& m : rows) {
    fmt::print("| {} | {} | {} |\n", m.name, agreement_cell(m.verified, m.packets),
               agreement_cell(m.checked, m.packets));
  }
  fmt::print(
      "\nMaps the kernel refused, not compiled in Verified mode, first differences from the "
      "kernel:\n\n");
  for (const auto& m : rows) {
    for (const auto& refusal : m.kernel_map_refusals)
      fmt::print("- {}: kernel maps differ: {}\n", m.name, refusal);
    if (!m.verified.status.empty()) fmt::print("- {}: verified: {}\n", m.name, m.verified.status);
    if (!m.verified.first_difference.empty())
      fmt::print("- {}: verified: {}\n", m.name, m.verified.first_difference);
    if (!m.checked.first_difference.empty())
      fmt::print("- {}: checked: {}\n", m.name, m.checked.first_difference);
  }
}

constexpr const char* kUsage =
    "usage: nicsim_kernel_jit_compare [--rounds N] [--filter NAME] [--dump DIR] [--profile]\n"
    "  Compiles every benchmark program with nicsim's x86-64 JIT (verified and checked) and\n"
    "  loads it into the running kernel (root needed), then prints code sizes and ns per\n"
    "  packet side by side as Markdown tables.\n"
    "  --rounds N     timing rounds; each cell is the fastest (default 5)\n"
    "  --filter NAME  only programs whose name contains NAME\n"
    "  --dump DIR     write nicsim's code (<name>.verified.bin, <name>.checked.bin) and the\n"
    "                 kernel's (<name>.kernel.bin) into DIR\n"
    "  --profile      time only nicsim's verified steady state (for perf record)\n";

}  // namespace

int main(int argc, char** argv) {
  int rounds = 5;
  std::string filter;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--rounds" && has_value) {
      rounds = std::atoi(argv[++i]);
    } else if (arg == "--filter" && has_value) {
      filter = argv[++i];
    } else if (arg == "--dump" && has_value) {
      dump_directory = argv[++i];
    } else if (arg == "--profile") {
      profile_only = true;
    } else if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return 0;
    } else {
      std::cerr << "nicsim_kernel_jit_compare: unknown or incomplete option '" << arg << "'\n"
                << kUsage;
      return 2;
    }
  }
  if (rounds < 1) {
    std::cerr << "nicsim_kernel_jit_compare: --rounds must be at least 1\n";
    return 2;
  }
  const auto& access = kernel_oracle::kernel_access();
  if (!access.available) {
    std::cerr << "the kernel does not let us load BPF programs: " << access.reason << "\n";
    return 1;
  }
  EmptyProgram empty;
  if (!empty.kernel.loaded()) {
    std::cerr << "the kernel refused the empty program: " << empty.kernel.result().first_error
              << "\n";
    return 1;
  }
  std::vector<Measurement> rows;
  for (const auto& program : programs()) {
    if (!filter.empty() && program.name.find(filter) == std::string::npos) continue;
    try {
      rows.push_back(measure(program, empty, rounds));
    } catch (const Error& e) {
      fmt::print(stderr, "{}: {}\n", program.name, e.what());
    }
  }

  print_tables(rows);
  return 0;
}
