#pragma once
// Runs one PREVAIL test case through nicsim's verifier. The pre-condition becomes the entry
// state (one state per alternative of "rN.type in {...}"), the program runs as a fragment
// with PREVAIL's test context (64 bytes, data pointer at 0, data_end at 4), and the
// verdict is compared with PREVAIL's expectation.
//
// nicsim's verdict counts as a refusal when it refuses the program, when no path reaches
// the end, or when it finds a conditional edge (or assumption) that no path can take:
// PREVAIL reports those as "Code becomes unreachable" messages, which the comparison rule
// counts as refusals, so nicsim's dead-code finding is counted the same way.

#include <string>

#include "verifier/prevail/prevail_case.h"

namespace nicsim::verifier::prevail {

struct CaseOutcome {
  bool expected_refusal = false;
  bool nicsim_refusal = false;
  bool agrees() const { return expected_refusal == nicsim_refusal; }
  // Why nicsim refused (its error, or the dead edge), or why the case could not run.
  std::string detail;
  bool unsupported = false;  // a construct nicsim's harness does not translate
};

CaseOutcome run_case(const PrevailCase& c);

}  // namespace nicsim::verifier::prevail
