#pragma once
// A refusal: the program is not safe (or not provably so). Thrown by the analysis at the
// first violation and turned into the verification result; never escapes the verifier.

#include <cstdint>
#include <string>
#include <utility>

namespace nicsim::verifier {

class VerifyError {
 public:
  VerifyError(int32_t insn, std::string message) : insn_(insn), message_(std::move(message)) {}
  int32_t insn() const { return insn_; }
  const std::string& message() const { return message_; }

 private:
  int32_t insn_;
  std::string message_;
};

}  // namespace nicsim::verifier
