#include "testbench/kernel_oracle/corpus.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "ebpf/elf/elf_loader.h"
#include "ebpf/util/error.h"

namespace nicsim::kernel_oracle {
namespace {

namespace fs = std::filesystem;

std::string identifier(std::string text) {
  for (char& c : text) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return text;
}

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> fields;
  std::stringstream stream(line);
  std::string field;
  while (std::getline(stream, field, '\t'))
    fields.push_back(field);
  return fields;
}

}  // namespace

std::vector<CorpusProgram> ebpf_samples_programs(const std::string& samples_dir) {
  const std::string list = samples_dir + "/expectations_prevail_2025-04.tsv";
  std::ifstream in(list);
  if (!in) throw Error(fmt::format("cannot read {}", list));
  std::string line;
  std::getline(in, line);  // project object section program macro meaning present_locally
  std::vector<CorpusProgram> programs;
  std::map<std::string, int> seen;
  while (std::getline(in, line)) {
    const std::vector<std::string> fields = split_tabs(line);
    if (fields.size() < 7 || fields[6] != "True") continue;
    const std::string& meaning = fields[5];
    if (meaning == "elf-load-error" || meaning == "unmarshal-error") continue;
    CorpusProgram program;
    program.path = samples_dir + "/" + fields[0] + "/" + fields[1];
    if (!fs::exists(program.path)) continue;
    program.section = fields[2];
    program.function = fields[3];
    program.expectation = meaning;
    std::string name = identifier(fields[0] + "_" + fields[1] + "_" + fields[2] +
                                  (fields[3].empty() ? "" : "_" + fields[3]));
    if (seen[name]++ > 0) name += fmt::format("_{}", seen[name]);
    program.name = name;
    programs.push_back(std::move(program));
  }
  return programs;
}

std::vector<CorpusProgram> directory_programs(const std::string& directory,
                                              const std::string& prefix) {
  std::vector<fs::path> objects;
  if (fs::is_directory(directory)) {
    for (const auto& entry : fs::directory_iterator(directory)) {
      if (entry.path().extension() == ".o") objects.push_back(entry.path());
    }
  }
  std::sort(objects.begin(), objects.end());
  std::vector<CorpusProgram> programs;
  for (const fs::path& path : objects) {
    const ebpf::ElfObject object = ebpf::load_elf_file(path.string());
    for (const ebpf::Program& program : object.programs) {
      programs.push_back({identifier(prefix + path.stem().string() + "_" + program.display_name()),
                          path.string(), program.section, program.function, "accept"});
    }
  }
  return programs;
}

}  // namespace nicsim::kernel_oracle
