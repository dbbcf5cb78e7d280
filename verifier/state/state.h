#pragma once
// The abstract machine state along one path: a call stack of frames (registers and stack
// of each active function) and the references the program holds (sockets, ringbuf records)
// that it must release before exiting.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "verifier/state/register.h"
#include "verifier/state/stack.h"

namespace nicsim::verifier {

constexpr int kRegisterCount = 11;
constexpr int kFramePointer = 10;
constexpr int kMaxFrames = 8;

struct Frame {
  std::array<RegisterState, kRegisterCount> regs;
  FrameStack stack;
  int32_t callsite = -1;  // instruction that called this function (-1: the entry function)
  int32_t function = 0;   // index of the function in the program layout

  friend bool operator==(const Frame&, const Frame&) = default;
};

struct Reference {
  uint32_t id = 0;
  int32_t insn = 0;  // where it was acquired
  friend bool operator==(const Reference&, const Reference&) = default;
};

struct VerifierState {
  std::vector<Frame> frames;
  std::vector<Reference> refs;

  Frame& frame() { return frames.back(); }
  const Frame& frame() const { return frames.back(); }
  int depth() const { return static_cast<int>(frames.size()) - 1; }
  RegisterState& reg(int r) { return frames.back().regs[r]; }
  const RegisterState& reg(int r) const { return frames.back().regs[r]; }

  friend bool operator==(const VerifierState&, const VerifierState&) = default;
};

}  // namespace nicsim::verifier
