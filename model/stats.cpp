#include "model/stats.h"

namespace nicsim::model {

std::string_view stall_cause_name(StallCause cause) {
  switch (cause) {
    case StallCause::Helper:
      return "helper";
    case StallCause::Unit:
      return "unit";
    case StallCause::Data:
      return "data";
    case StallCause::Branch:
      return "branch";
    case StallCause::Fetch:
      return "fetch";
    case StallCause::Issue:
      return "issue";
  }
  return "?";
}

}  // namespace nicsim::model
