#pragma once
// The translate filter behind `nicsim-wave-filter`: GTKWave hands it one value per line as it
// would display it (hexadecimal) and shows the line it answers instead. A 64-bit slot word
// becomes its NIC assembly; anything else (X, Z, an invalid encoding) is answered as it came.

#include <string>
#include <string_view>

namespace nicsim::wave {

std::string translate_slot_value(std::string_view value);

}  // namespace nicsim::wave
