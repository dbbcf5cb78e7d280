#pragma once
// One error type for every "bad input" path: the message says what went wrong and where
// (file, section, instruction index, packet number), in one line, ready to print.

#include <stdexcept>
#include <string>

namespace nicsim {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace nicsim
