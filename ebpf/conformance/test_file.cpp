#include "ebpf/conformance/test_file.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "ebpf/conformance/hex.h"
#include "ebpf/util/error.h"

namespace nicsim::ebpf::conformance {

namespace {

enum class Section { None, Asm, Memory, Result, Error, Raw, Ignored };

// The section a "-- <name>" line opens, matched as upstream's runner does (by keyword).
std::optional<Section> section_named(std::string_view name) {
  if (name == "asm") return Section::Asm;
  if (name == "mem") return Section::Memory;
  if (name == "result") return Section::Result;
  if (name == "error") return Section::Error;
  if (name == "raw") return Section::Raw;
  if (name == "c" || name == "no register offset") return Section::Ignored;
  return std::nullopt;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

ConformanceTest parse_conformance_test(std::string_view text, std::string name) {
  ConformanceTest test;
  test.name = std::move(name);
  Section section = Section::None;
  std::string memory_text, result_text, raw_text;
  size_t line_number = 0;
  size_t position = 0;
  while (position < text.size()) {
    size_t end = text.find('\n', position);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = trim(text.substr(position, end - position));
    position = end + 1;
    ++line_number;
    const std::string where = fmt::format("{}:{}", test.name, line_number);

    if (line.starts_with("--")) {
      const auto opened = section_named(trim(line.substr(2)));
      if (!opened) throw Error(fmt::format("{}: unknown section '{}'", where, line));
      section = *opened;
      continue;
    }
    if (section == Section::Ignored) continue;
    std::string_view content = line;
    if (const size_t hash = content.find('#'); hash != std::string_view::npos)
      content = trim(content.substr(0, hash));
    if (content.empty()) continue;
    switch (section) {
      case Section::None:
        throw Error(fmt::format("{}: text before the first section", where));
      case Section::Asm:
        test.assembly.append(content).push_back('\n');
        break;
      case Section::Memory:
        memory_text.append(content).push_back(' ');
        break;
      case Section::Result:
        result_text = content;
        break;
      case Section::Error:
        test.expected_error = content;
        break;
      case Section::Raw:
        test.raw.push_back(Instruction::from_raw(parse_number(content, where)));
        break;
      case Section::Ignored:
        break;
    }
  }
  test.memory = parse_hex_bytes(memory_text, fmt::format("{}: -- mem", test.name));
  if (!result_text.empty())
    test.expected_result = parse_number(result_text, fmt::format("{}: -- result", test.name));
  if (!test.expected_result && test.expected_error.empty())
    throw Error(fmt::format("{}: the test has neither a result nor an error", test.name));
  return test;
}

ConformanceTest load_conformance_test(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(fmt::format("{}: cannot open the test file", path.string()));
  std::ostringstream text;
  text << in.rdbuf();
  return parse_conformance_test(text.str(), path.filename().string());
}

std::vector<std::filesystem::path> find_conformance_tests(const std::filesystem::path& directory) {
  std::error_code error;
  std::filesystem::directory_iterator it(directory, error);
  if (error)
    throw Error(fmt::format("{}: cannot list the conformance tests: {}", directory.string(),
                            error.message()));
  std::vector<std::filesystem::path> files;
  for (const auto& entry : it) {
    if (entry.is_regular_file() && entry.path().extension() == ".data")
      files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace nicsim::ebpf::conformance
