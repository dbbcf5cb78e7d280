#include "ebpf/conformance/assembled_suite.h"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ebpf/conformance/hex.h"
#include "ebpf/util/error.h"

namespace nicsim::ebpf::conformance {

AssembledSuite AssembledSuite::load(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(fmt::format("{}: cannot open the assembled suite", path.string()));
  std::ostringstream text;
  text << in.rdbuf();
  return parse(text.str(), path.string());
}

AssembledSuite AssembledSuite::parse(std::string_view jsonl, std::string_view origin) {
  AssembledSuite suite;
  size_t line_number = 0;
  size_t position = 0;
  while (position < jsonl.size()) {
    size_t end = jsonl.find('\n', position);
    if (end == std::string_view::npos) end = jsonl.size();
    const std::string_view line = jsonl.substr(position, end - position);
    position = end + 1;
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    const std::string where = fmt::format("{}:{}", origin, line_number);
    const auto record = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (record.is_discarded() || !record.is_object())
      throw Error(fmt::format("{}: not a JSON object", where));
    const auto name = record.find("name");
    const auto insns = record.find("insns");
    if (name == record.end() || !name->is_string() || insns == record.end() || !insns->is_array())
      throw Error(
          fmt::format("{}: a record needs a \"name\" string and an \"insns\" array", where));
    std::vector<uint8_t> bytes;
    for (const auto& insn : *insns) {
      if (!insn.is_string() || insn.get_ref<const std::string&>().size() != 16)
        throw Error(fmt::format("{}: an instruction is not 16 hex digits", where));
      const auto slot = parse_hex_bytes(insn.get_ref<const std::string&>(), where);
      bytes.insert(bytes.end(), slot.begin(), slot.end());
    }
    const std::string& key = name->get_ref<const std::string&>();
    if (!suite.programs_.emplace(key, instructions_from_bytes(bytes, where)).second)
      throw Error(fmt::format("{}: test '{}' appears twice", where, key));
  }
  return suite;
}

const std::vector<Instruction>* AssembledSuite::find(std::string_view name) const {
  const auto it = programs_.find(name);
  return it == programs_.end() ? nullptr : &it->second;
}

}  // namespace nicsim::ebpf::conformance
