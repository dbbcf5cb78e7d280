#pragma once
// The bpf_conformance suite as the NIC sees it, shared by the model's and the RTL's conformance
// tests: the test files, the assembled programs, and the tests the NIC must refuse (with a
// fragment of the reason), so that both engines are held to one list.

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "ebpf/conformance/assembled_suite.h"
#include "ebpf/conformance/runner.h"

namespace nicsim::model::suite {

inline const std::filesystem::path& conformance_suite_dir() {
  static const std::filesystem::path dir =
      std::filesystem::path(NICSIM_TESTDATA_DIR) / "bpf-conformance";
  return dir;
}

inline const std::map<std::string, std::string>& nic_conformance_refusals() {
  static const std::map<std::string, std::string> refusals = {
      {"call_local.data", "bpf-to-bpf calls are not supported"},
      {"rfc9669_call_local.data", "bpf-to-bpf calls are not supported"},
      {"callx.data", "indirect calls (callx) are not supported"},
  };
  return refusals;
}

inline std::vector<std::string> conformance_test_names() {
  std::vector<std::string> names;
  for (const auto& path :
       ebpf::conformance::find_conformance_tests(conformance_suite_dir() / "tests"))
    names.push_back(path.filename().string());
  return names;
}

inline const ebpf::conformance::AssembledSuite& assembled_conformance_suite() {
  static const ebpf::conformance::AssembledSuite suite =
      ebpf::conformance::AssembledSuite::load(conformance_suite_dir() / "tests_assembled.jsonl");
  return suite;
}

}  // namespace nicsim::model::suite
