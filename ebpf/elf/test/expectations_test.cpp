// Cross-check with PREVAIL's expectations for the corpus (expectations_prevail_2025-04.tsv),
// one test case per row whose object is present: what PREVAIL's ELF loader refuses we refuse,
// and every section PREVAIL verifies is among the programs we load.

#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <ostream>
#include <sstream>

#include "ebpf/elf/elf_loader.h"
#include "test_support.h"

namespace nicsim::ebpf {
namespace {

struct Row {
  size_t line = 0;
  std::string project, object, section, program, macro, meaning;
};

void PrintTo(const Row& row, std::ostream* out) {
  *out << row.project << "/" << row.object << " " << row.section << " " << row.program << " "
       << row.macro;
}

std::vector<Row> present_rows() {
  std::ifstream in(test::corpus_dir() / "expectations_prevail_2025-04.tsv");
  std::vector<Row> rows;
  std::string text;
  std::getline(in, text);  // header
  for (size_t line = 2; std::getline(in, text); ++line) {
    std::vector<std::string> fields;
    std::stringstream stream(text);
    for (std::string field; std::getline(stream, field, '\t');)
      fields.push_back(field);
    if (fields.size() < 7 || fields[6] != "True") continue;
    rows.push_back({line, fields[0], fields[1], fields[2], fields[3], fields[4], fields[5]});
  }
  return rows;
}

std::string row_name(const testing::TestParamInfo<Row>& info) {
  const Row& row = info.param;
  std::string name = "line" + std::to_string(row.line) + "_" + row.project + "_" + row.object +
                     "_" + row.section + (row.program.empty() ? "" : "_" + row.program);
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

std::string object_path(const Row& row) {
  return (test::corpus_dir() / row.project / row.object).string();
}

bool has_section(const ElfObject& object, const std::string& section) {
  for (const auto& program : object.programs) {
    if (program.section == section) return true;
  }
  return false;
}

class Expectation : public testing::TestWithParam<Row> {};

TEST_P(Expectation, MatchesPrevailsLoader) {
  const Row& row = GetParam();
  const std::string path = object_path(row);

  if (row.macro == "FAIL_LOAD_ELF") {
    // Refused: either the object as a whole, or the section it names does not exist.
    try {
      const auto object = load_elf_file(path);
      EXPECT_FALSE(has_section(object, row.section)) << row.section << " should not load";
      EXPECT_THROW(object.find_program(row.section), Error);
    } catch (const ElfError&) {
    }
    return;
  }

  // FAIL_UNMARSHAL rows are PREVAIL's decoder refusing the program. invalid-lddw.o ends in half
  // an lddw, which no loader can accept. wronghelper.o only calls a helper id that does not
  // exist: a well-formed instruction (RFC 9669 leaves the id to the platform), so it loads
  // and the verifier is the one to refuse it.
  if (row.macro == "FAIL_UNMARSHAL" && row.object == "invalid-lddw.o") {
    EXPECT_THROW(load_elf_file(path), ElfError);
    return;
  }

  ElfObject object;
  try {
    object = load_elf_file(path);
  } catch (const ElfError& error) {
    FAIL() << error.what();
  }
  EXPECT_TRUE(has_section(object, row.section)) << "no program in section " << row.section;
  if (!row.program.empty()) {
    bool found = false;
    for (const auto& program : object.programs)
      found = found || (program.section == row.section && program.function == row.program);
    EXPECT_TRUE(found) << "no program " << row.section << "/" << row.program;
  }
}

INSTANTIATE_TEST_SUITE_P(Prevail2025, Expectation, testing::ValuesIn(present_rows()), row_name);

TEST(Expectations, TableIsRead) {
  const auto rows = present_rows();
  EXPECT_EQ(rows.size(), 335u);  // 336 rows, one of them (cilium/not-found.o) not present
}

}  // namespace
}  // namespace nicsim::ebpf
