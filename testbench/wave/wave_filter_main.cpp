// nicsim-wave-filter: GTKWave's translate filter process for NIC slot words. One value per line
// in, one line out, flushed at once (GTKWave waits for each answer).

#include <iostream>
#include <string>

#include "testbench/wave/slot_filter.h"

int main() {
  std::string line;
  while (std::getline(std::cin, line)) {
    std::cout << nicsim::wave::translate_slot_value(line) << std::endl;
  }
  return 0;
}
