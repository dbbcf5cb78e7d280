#include "verifier/prevail/prevail_case.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <sstream>

#include "ebpf/util/error.h"

namespace nicsim::verifier::prevail {

namespace {

std::vector<std::string> strings_of(const YAML::Node& node) {
  std::vector<std::string> out;
  if (!node || node.IsNull()) return out;
  for (const auto& item : node)
    out.push_back(item.as<std::string>());
  return out;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    lines.push_back(line);
  return lines;
}

}  // namespace

bool PrevailCase::expects_refusal() const {
  if (!messages.empty() || !expected_exception.empty()) return true;
  return post.size() == 1 && post.front() == "_|_";
}

std::vector<PrevailCase> read_cases(const std::string& path) {
  std::vector<PrevailCase> cases;
  const std::string file = path.substr(path.rfind('/') + 1);
  try {
    for (const YAML::Node& doc : YAML::LoadAllFromFile(path)) {
      if (!doc || !doc["test-case"]) continue;
      PrevailCase c;
      c.file = file;
      c.name = doc["test-case"].as<std::string>();
      c.options = strings_of(doc["options"]);
      c.pre = strings_of(doc["pre"]);
      c.post = strings_of(doc["post"]);
      c.messages = strings_of(doc["messages"]);
      if (doc["expected-exception"])
        c.expected_exception = doc["expected-exception"].as<std::string>();
      if (const YAML::Node observe = doc["observe"]) {
        // Observation points are not compared, but must be well formed.
        if (!observe.IsSequence()) {
          c.malformed = "observe must be a sequence";
        } else {
          for (const auto& item : observe) {
            if (!item.IsMap()) {
              c.malformed = "observe item must be a map";
            } else if (!item["constraints"]) {
              c.malformed = "observe item missing required 'constraints' field";
            } else if (!item["constraints"].IsSequence()) {
              c.malformed = "observe.constraints must be a sequence of strings";
            }
          }
        }
      }
      for (const auto& block : doc["code"]) {
        c.blocks.emplace_back(block.first.as<std::string>(),
                              lines_of(block.second.as<std::string>()));
      }
      cases.push_back(std::move(c));
    }
  } catch (const YAML::Exception& e) {
    throw Error(fmt::format("{}: {}", path, e.what()));
  }
  return cases;
}

}  // namespace nicsim::verifier::prevail
