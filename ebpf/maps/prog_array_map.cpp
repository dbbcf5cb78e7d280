#include "ebpf/maps/prog_array_map.h"

#include <cerrno>

namespace nicsim::ebpf {

int ProgArrayMap::check_value(uint32_t value) const {
  // An index naming no program is what a bad file descriptor is to the kernel.
  return value < program_count_ ? 0 : -EBADF;
}

}  // namespace nicsim::ebpf
