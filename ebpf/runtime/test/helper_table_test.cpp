#include <gtest/gtest.h>

#include "ebpf/runtime/helpers.h"

namespace nicsim::ebpf {
namespace {

TEST(HelperTable, NamesEveryKernelHelperId) {
  // Spot checks against include/uapi/linux/bpf.h (enum bpf_func_id).
  EXPECT_EQ(helper_name(1), "map_lookup_elem");
  EXPECT_EQ(helper_name(14), "get_current_pid_tgid");
  EXPECT_EQ(helper_name(23), "redirect");
  EXPECT_EQ(helper_name(51), "redirect_map");
  EXPECT_EQ(helper_name(69), "fib_lookup");
  EXPECT_EQ(helper_name(130), "ringbuf_output");
  EXPECT_EQ(helper_name(160), "ktime_get_coarse_ns");
  EXPECT_EQ(helper_name(211), "cgrp_storage_delete");
  for (int32_t id = 1; id <= 211; ++id)
    EXPECT_FALSE(helper_name(id).empty()) << id;
  EXPECT_EQ(helper_name(0), "");
  EXPECT_EQ(helper_name(212), "");
  EXPECT_EQ(helper_name(-1), "");
}

TEST(HelperTable, ImplementedHelpersAreSortedAndNamedAsTheKernelDoes) {
  const auto helpers = implemented_helpers();
  ASSERT_FALSE(helpers.empty());
  for (size_t i = 0; i < helpers.size(); ++i) {
    EXPECT_EQ(helpers[i].name, helper_name(helpers[i].id)) << helpers[i].id;
    EXPECT_EQ(find_helper(helpers[i].id), &helpers[i]);
    if (i > 0) {
      EXPECT_LT(helpers[i - 1].id, helpers[i].id);
    }
    // Only tail_call is left to the engines.
    EXPECT_EQ(helpers[i].function == nullptr, helpers[i].id == kHelperTailCall) << helpers[i].id;
  }
}

TEST(HelperTable, TheBriefsHelpersAreImplemented) {
  for (int32_t id :
       {1, 2, 3, 4, 5, 6, 7, 8, 12, 23, 25, 28, 44, 51, 54, 65, 69, 125, 130, 131, 132, 133, 160})
    EXPECT_NE(find_helper(id), nullptr) << id << " (" << helper_name(id) << ")";
}

TEST(HelperTable, UnimplementedHelpersAreAbsent) {
  EXPECT_EQ(find_helper(14), nullptr);  // get_current_pid_tgid
  EXPECT_EQ(find_helper(0), nullptr);
  EXPECT_EQ(find_helper(212), nullptr);
}

}  // namespace
}  // namespace nicsim::ebpf
