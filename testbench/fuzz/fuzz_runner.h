#pragma once
// The differential fuzzer's loop: generate a program from each seed, let the verifier judge
// it, run the accepted ones on the interpreter and on every chosen engine with the same random
// packets, and compare r0, the abort state, the packet bytes and every map (the array map
// receives the program's stack data area at its exit, so stack effects are compared too).
// A mismatch is minimised (instructions dropped while the program still verifies and the
// mismatch persists) and reported with the program in pseudo-C and the packet.

#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "testbench/fuzz/fuzz_engines.h"
#include "testbench/fuzz/program_generator.h"

namespace nicsim::fuzz {

struct FuzzOptions {
  uint64_t seed = 1;
  uint64_t count = 100;  // programs generated
  int packets = 8;       // per program
  bool minimise = true;
  size_t max_reported = 5;  // mismatches described in full
  GeneratorOptions generator;
};

struct Mismatch {
  uint64_t seed = 0;
  std::string engine;
  std::string difference;
  std::string report;  // the minimised program and packet, printable
};

struct EngineTally {
  uint64_t programs = 0;  // compared
  uint64_t refused = 0;   // verified programs the engine would not build (may_refuse engines)
  uint64_t mismatches = 0;
};

struct FuzzStatistics {
  uint64_t generated = 0;
  uint64_t accepted = 0;
  uint64_t packets = 0;       // runs per engine
  uint64_t instructions = 0;  // of accepted programs
  // Accepted programs the interpreter aborted on: the verifier let through what faults.
  uint64_t reference_aborts = 0;
  std::map<std::string, uint64_t> rejections;  // verifier message (without insn index) -> count
  std::map<std::string, EngineTally> engines;
  std::vector<Mismatch> mismatches;
  std::map<std::string, uint64_t> refusals;  // refusal message -> count
  double seconds = 0;
};

FuzzStatistics run_fuzzer(const FuzzOptions& options, const std::vector<FuzzEngine>& engines,
                          std::ostream* progress = nullptr);

void print_statistics(const FuzzStatistics& statistics, std::ostream& out);

}  // namespace nicsim::fuzz
