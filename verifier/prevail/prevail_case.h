#pragma once
// PREVAIL's verifier test cases (prevail/test-data/*.yaml): a pre-condition on the entry
// state, labelled blocks of PREVAIL assembly, the expected post-condition and messages.
// nicsim compares verdicts only: a case expecting messages, or an unreachable end ("_|_"
// post-condition), expects a refusal.

#include <string>
#include <utility>
#include <vector>

namespace nicsim::verifier::prevail {

struct PrevailCase {
  std::string file;  // base name of the YAML file
  std::string name;  // test-case
  std::vector<std::string> options;
  std::vector<std::string> pre;
  std::vector<std::pair<std::string, std::vector<std::string>>> blocks;  // label -> lines
  std::vector<std::string> post;
  std::vector<std::string> messages;
  std::string expected_exception;  // cases that PREVAIL itself must reject as malformed
  std::string malformed;           // why nicsim's reader finds the case malformed, if it does

  bool expects_refusal() const;
};

// Reads every case of a YAML file; throws nicsim::Error naming the file on bad YAML.
std::vector<PrevailCase> read_cases(const std::string& path);

}  // namespace nicsim::verifier::prevail
