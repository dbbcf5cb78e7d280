#include "testbench/fuzz/fuzz_engines.h"

#include <sstream>

#include "ebpf/interp/interpreter.h"
#include "ebpf/util/error.h"
#include "jit/arm64/a64_compiler.h"
#include "jit/x86_64/x86_compiler.h"
#ifdef NICSIM_FUZZ_HAS_NIC
#include "jit/nic/verified.h"
#include "model/engine/model_engine.h"
#endif

namespace nicsim::fuzz {

namespace {

std::vector<FuzzEngine> all_engines() {
  std::vector<FuzzEngine> engines;
  if (jit::x86_64_host()) {
    engines.push_back({"x86_64",
                       [](const verifier::VerifiedProgram& verified, ebpf::Runtime& runtime) {
                         return std::unique_ptr<ebpf::Engine>(
                             jit::make_x86_64_engine(verified, runtime));
                       },
                       false, false});
    engines.push_back({"x86_64-checked",
                       [](const verifier::VerifiedProgram&, ebpf::Runtime& runtime) {
                         return std::unique_ptr<ebpf::Engine>(
                             jit::make_x86_64_engine(runtime.object().programs.at(0), runtime));
                       },
                       false, true});
  }
  engines.push_back({"arm64",
                     [](const verifier::VerifiedProgram& verified, ebpf::Runtime& runtime) {
                       return std::unique_ptr<ebpf::Engine>(
                           jit::make_arm64_engine(verified, runtime));
                     },
                     false, false});
  engines.push_back({"arm64-checked",
                     [](const verifier::VerifiedProgram&, ebpf::Runtime& runtime) {
                       return std::unique_ptr<ebpf::Engine>(
                           jit::make_arm64_engine(runtime.object().programs.at(0), runtime));
                     },
                     false, true});
#ifdef NICSIM_FUZZ_HAS_NIC
  engines.push_back({"nic",
                     [](const verifier::VerifiedProgram& verified, ebpf::Runtime& runtime) {
                       return std::unique_ptr<ebpf::Engine>(std::make_unique<model::ModelEngine>(
                           jit::nic::compile(verified).image, runtime));
                     },
                     true, false});
#endif
  return engines;
}

}  // namespace

std::unique_ptr<ebpf::Engine> make_reference_engine(const ebpf::Program& program,
                                                    ebpf::Runtime& runtime) {
  return std::make_unique<ebpf::Interpreter>(program, runtime);
}

std::vector<std::string> available_engines() {
  std::vector<std::string> names = {"interp"};
  for (const FuzzEngine& engine : all_engines())
    names.push_back(engine.name);
  return names;
}

std::vector<FuzzEngine> parse_engines(const std::string& list) {
  const std::vector<FuzzEngine> all = all_engines();
  if (list == "all") return all;
  std::vector<FuzzEngine> chosen;
  std::stringstream names(list);
  std::string name;
  while (std::getline(names, name, ',')) {
    if (name.empty() || name == "interp") continue;
    bool found = false;
    for (const FuzzEngine& engine : all) {
      if (engine.name != name) continue;
      chosen.push_back(engine);
      found = true;
    }
    if (!found) {
      std::string known;
      for (const std::string& n : available_engines())
        known += " " + n;
      throw Error("--engines: unknown engine '" + name + "' (this build has:" + known + ")");
    }
  }
  return chosen;
}

}  // namespace nicsim::fuzz
