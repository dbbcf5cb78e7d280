#include "ebpf/runtime/trace_printk.h"

#include <fmt/format.h>

#include <cctype>
#include <cerrno>
#include <cstdio>

namespace nicsim::ebpf {

namespace {

constexpr size_t kMaxArgs = 3;              // MAX_TRACE_PRINTK_VARARGS
constexpr size_t kOutputBufferSize = 1024;  // MAX_BPRINTF_BUF
constexpr size_t kMaxStringLength = 512;    // MAX_BPRINTF_BIN_ARGS

bool is_ascii(char c) {
  return static_cast<unsigned char>(c) < 0x80;
}
// What the kernel accepts right after a %p or %s conversion.
bool ends_conversion(char c) {
  return c == 0 || std::isspace(static_cast<unsigned char>(c)) ||
         std::ispunct(static_cast<unsigned char>(c));
}

std::string read_string(const ProgramMemoryReader& read, uint64_t address) {
  std::string text;
  for (size_t i = 0; i + 1 < kMaxStringLength; ++i) {
    char c;
    // Like strncpy_from_kernel_nofault: a fault yields an empty string, not an error.
    if (!read(address + i, &c, 1)) return {};
    if (c == 0) break;
    text.push_back(c);
  }
  return text;
}

std::string format_ip(const ProgramMemoryReader& read, uint64_t address, char style, char version) {
  uint8_t bytes[16] = {};
  const size_t size = version == '4' ? 4 : 16;
  if (!read(address, bytes, size)) std::fill(bytes, bytes + size, 0);
  std::string text;
  if (version == '4') {
    for (size_t i = 0; i < 4; ++i) {
      if (i > 0) text += '.';
      text += style == 'I' ? fmt::format("{}", bytes[i]) : fmt::format("{:03}", bytes[i]);
    }
    return text;
  }
  for (size_t i = 0; i < 16; i += 2) {
    if (i > 0 && style == 'I') text += ':';
    text += fmt::format("{:02x}{:02x}", bytes[i], bytes[i + 1]);
  }
  return text;
}

// printf of one integer or character conversion with the given flags/width spec.
template <typename T>
std::string c_format(const std::string& spec, T value) {
  char buffer[128];
  const int n = std::snprintf(buffer, sizeof buffer, spec.c_str(), value);
  return n < 0 ? std::string() : std::string(buffer, std::min<size_t>(n, sizeof buffer - 1));
}

std::string pad(std::string text, const std::string& flags, int width) {
  if (static_cast<int>(text.size()) >= width) return text;
  const std::string fill(width - text.size(), ' ');
  return flags.find('-') != std::string::npos ? text + fill : fill + text;
}

}  // namespace

int64_t format_trace_printk(std::string_view format, std::span<const uint64_t> args,
                            const ProgramMemoryReader& read, std::string& out) {
  out.clear();
  const size_t end = format.find('\0');
  if (end == std::string_view::npos) return -EINVAL;
  // Parsing past the NUL reads a 0, as the kernel's does on its zero-terminated copy.
  const std::string fmt_text(format.substr(0, end));
  auto at = [&](size_t i) { return i < fmt_text.size() ? fmt_text[i] : '\0'; };
  std::string text;
  size_t spec_count = 0;
  for (size_t i = 0; i < fmt_text.size(); ++i) {
    const char c = fmt_text[i];
    if (is_ascii(c) && !std::isprint(static_cast<unsigned char>(c)) &&
        !std::isspace(static_cast<unsigned char>(c)))
      return -EINVAL;
    if (c != '%') {
      text += c;
      continue;
    }
    if (at(i + 1) == '%') {
      text += '%';
      ++i;
      continue;
    }
    if (spec_count >= kMaxArgs || spec_count >= args.size()) return -EINVAL;
    ++i;
    if (!is_ascii(at(i))) return -EINVAL;
    std::string flags;
    while (at(i) == '0' || at(i) == '+' || at(i) == '-' || at(i) == ' ')
      flags += at(i++);
    int width = 0;
    if (at(i) >= '1' && at(i) <= '9') {
      while (at(i) >= '0' && at(i) <= '9')
        width = std::min(width * 10 + (at(i++) - '0'), 1000);
    }
    const std::string width_text = width > 0 ? std::to_string(width) : "";
    const uint64_t arg = args[spec_count++];

    if (at(i) == 'p') {
      const char next = at(i + 1);
      if (ends_conversion(next)) {
        text += pad(fmt::format("{:016x}", arg), flags, width);
      } else if ((next == 'k' || next == 'u') && at(i + 2) == 's') {
        i += 2;
        if (!ends_conversion(at(i + 1))) return -EINVAL;
        text += pad(read_string(read, arg), flags, width);
      } else if (next == 'K' || next == 'x') {
        ++i;
        text += pad(fmt::format("{:016x}", arg), flags, width);
      } else if (next == 's' || next == 'S' || next == 'B') {
        ++i;
        text += pad(fmt::format("{:#x}", arg), flags, width);
      } else if ((next == 'i' || next == 'I') && (at(i + 2) == '4' || at(i + 2) == '6')) {
        text += pad(format_ip(read, arg, next, at(i + 2)), flags, width);
        i += 2;
      } else {
        return -EINVAL;
      }
      continue;
    }
    if (at(i) == 's') {
      if (!ends_conversion(at(i + 1))) return -EINVAL;
      text += pad(read_string(read, arg), flags, width);
      continue;
    }
    if (at(i) == 'c') {
      text += c_format("%" + flags + width_text + "c", static_cast<int>(static_cast<uint8_t>(arg)));
      continue;
    }
    int longs = 0;
    while (longs < 2 && at(i) == 'l') {
      ++longs;
      ++i;
    }
    const char conversion = at(i);
    if (conversion != 'i' && conversion != 'd' && conversion != 'u' && conversion != 'x' &&
        conversion != 'X')
      return -EINVAL;
    const bool is_signed = conversion == 'i' || conversion == 'd';
    if (longs == 0) {
      const std::string spec = "%" + flags + width_text + conversion;
      text += is_signed ? c_format(spec, static_cast<int32_t>(arg))
                        : c_format(spec, static_cast<uint32_t>(arg));
    } else {
      const std::string spec = "%" + flags + width_text + "ll" + conversion;
      text += is_signed ? c_format(spec, static_cast<long long>(arg))
                        : c_format(spec, static_cast<unsigned long long>(arg));
    }
  }
  const auto length = static_cast<int64_t>(text.size());
  if (text.size() > kOutputBufferSize - 1) text.resize(kOutputBufferSize - 1);
  out = std::move(text);
  return length;
}

}  // namespace nicsim::ebpf
