#pragma once
// What the kernel-oracle tests share: skipping, visibly, where the kernel does not let us load
// programs, and the locations of the test objects.

#include <gtest/gtest.h>

#include <string>

#include "testbench/kernel_oracle/kernel_access.h"

namespace nicsim::kernel_oracle::test {

#define NICSIM_SKIP_WITHOUT_KERNEL()                                             \
  do {                                                                           \
    if (!::nicsim::kernel_oracle::kernel_access().available) {                   \
      GTEST_SKIP() << "the kernel does not let this process load BPF programs: " \
                   << ::nicsim::kernel_oracle::kernel_access().reason;           \
    }                                                                            \
  } while (false)

inline std::string oracle_program(const std::string& name) {
  return std::string(NICSIM_ORACLE_TEST_PROGRAMS_DIR) + "/" + name + ".o";
}

inline std::string sample(const std::string& relative) {
  return std::string(NICSIM_TESTDATA_DIR) + "/ebpf-samples/" + relative;
}

}  // namespace nicsim::kernel_oracle::test
