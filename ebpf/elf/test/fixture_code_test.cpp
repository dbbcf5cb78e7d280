// Code linking of the subprograms fixture: calls into .text (static and global functions),
// a callback passed by address, a call between two programs of one section, and BTF line
// info (lines found through markers in the fixture source).

#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "ebpf/elf/elf_loader.h"
#include "test_support.h"

namespace nicsim::ebpf {
namespace {

const std::string kSource = "subprograms";

ElfObject load_subprograms(const ElfLoadOptions& options = {}) {
  return load_elf_file(test::fixture_object(kSource).string(), options);
}

// Name of the function that starts at `position`, or "" when none does.
std::string function_at(const Program& program, int64_t position) {
  for (const auto& [start, name] : program.functions) {
    if (static_cast<int64_t>(start) == position) return name;
  }
  return {};
}

// Names of the functions the local calls of program[begin, end) land on.
std::multiset<std::string> call_targets(const Program& program, size_t begin, size_t end) {
  std::multiset<std::string> targets;
  for (size_t i = begin; i < end; ++i) {
    const Instruction& insn = program.insns[i];
    if (insn.is_local_call())
      targets.insert(function_at(program, static_cast<int64_t>(i) + insn.imm + 1));
    if (insn.is_lddw()) ++i;
  }
  return targets;
}

// End of the function starting at `start`: the next function start, or the program end.
size_t function_end(const Program& program, size_t start) {
  size_t end = program.insns.size();
  for (const auto& [other, name] : program.functions)
    if (other > start && other < end) end = other;
  return end;
}

TEST(FixtureCode, ProgramsAreTheEntryFunctionsAndGlobalTextFunctions) {
  const auto object = load_subprograms();
  std::vector<std::string> names;
  for (const auto& program : object.programs)
    names.push_back(program.display_name());
  // Program sections first, then .text's global function (a libbpf "global subprogram").
  EXPECT_EQ(names, (std::vector<std::string>{"xdp/first", "xdp/second", ".text/offset_by"}));
  EXPECT_EQ(object.find_program("offset_by").type, ProgramType::Unspec);
  EXPECT_TRUE(object.skipped_programs.empty());
}

TEST(FixtureCode, CallsIntoTextReachTheAppendedSubprograms) {
  const auto object = load_subprograms();
  const Program& first = object.find_program("first");
  std::set<std::string> functions;
  for (const auto& [start, name] : first.functions)
    functions.insert(name);
  // Only what `first` calls is appended: loop_body is not.
  EXPECT_EQ(functions, (std::set<std::string>{"first", "scale", "offset_by"}));
  EXPECT_EQ(first.functions.front(), std::make_pair(size_t{0}, std::string("first")));
  EXPECT_EQ(call_targets(first, 0, function_end(first, 0)),
            (std::multiset<std::string>{"scale", "offset_by"}));
  // The appended bodies are the callees: `x * 3` and `x + 11`.
  const auto scale = static_cast<size_t>(test::function_start(first, "scale"));
  const auto offset_by = static_cast<size_t>(test::function_start(first, "offset_by"));
  EXPECT_EQ(first.insns.at(scale + 1), make_insn(kClassAlu64 | kAluMul | kSrcK, 0, 0, 0, 3));
  EXPECT_EQ(first.insns.at(offset_by + 1), make_insn(kClassAlu64 | kAluAdd | kSrcK, 0, 0, 0, 11));
}

TEST(FixtureCode, CallbackAddressAndCallToAnotherProgramOfTheSection) {
  const auto object = load_subprograms();
  const Program& second = object.find_program("second");
  // bpf_loop(4, loop_body, ...): the callback's address is a pc-relative kLddwFunc.
  int callbacks = 0;
  for (size_t i = 0; i < second.insns.size(); ++i) {
    const Instruction& insn = second.insns[i];
    if (!insn.is_lddw()) continue;
    if (insn.src() == kLddwFunc) {
      ++callbacks;
      EXPECT_EQ(function_at(second, static_cast<int64_t>(i) + insn.imm + 1), "loop_body");
      EXPECT_EQ(second.insns[i + 1].imm, 0);
    }
    ++i;
  }
  EXPECT_EQ(callbacks, 1);
  // second calls first (same section, not inlined), which calls scale and offset_by.
  EXPECT_EQ(call_targets(second, 0, function_end(second, 0)), std::multiset<std::string>{"first"});
  const auto first = static_cast<size_t>(test::function_start(second, "first"));
  ASSERT_GT(first, 0u);
  EXPECT_EQ(call_targets(second, first, function_end(second, first)),
            (std::multiset<std::string>{"scale", "offset_by"}));
  std::multiset<std::string> functions;
  for (const auto& [start, name] : second.functions)
    functions.insert(name);
  EXPECT_EQ(functions,
            (std::multiset<std::string>{"second", "loop_body", "first", "scale", "offset_by"}));
}

TEST(FixtureCode, EveryLocalCallLandsOnAFunctionStart) {
  const auto object = load_subprograms();
  for (const auto& program : object.programs) {
    for (size_t i = 0; i < program.insns.size(); ++i) {
      const Instruction& insn = program.insns[i];
      if (insn.is_local_call()) {
        EXPECT_NE(function_at(program, static_cast<int64_t>(i) + insn.imm + 1), "")
            << program.display_name() << " insn " << i;
      }
      if (insn.is_lddw()) ++i;
    }
  }
}

void expect_line_in_function(const Program& program, const std::string& function,
                             const std::string& marker) {
  const uint32_t line = test::marker_line(kSource, marker);
  const int64_t start = test::function_start(program, function);
  ASSERT_GE(start, 0) << function;
  bool found = false;
  for (size_t i = static_cast<size_t>(start); i < function_end(program, static_cast<size_t>(start));
       ++i) {
    const SourceLocation* location = program.location_of(i);
    if (!location || location->line != line) continue;
    found = true;
    EXPECT_TRUE(location->file.ends_with("subprograms.c")) << location->file;
    EXPECT_NE(location->text.find(marker), std::string::npos) << location->text;
    EXPECT_GT(location->column, 0u);
  }
  EXPECT_TRUE(found) << function << " has no instruction on line " << line;
}

TEST(FixtureCode, LineInfoFollowsTheFinalLayout) {
  const auto object = load_subprograms();
  const Program& first = object.find_program("first");
  const SourceLocation* entry = first.location_of(0);
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->line, test::marker_line(kSource, "line: first-entry"));
  expect_line_in_function(first, "scale", "line: scale-body");
  expect_line_in_function(first, "offset_by", "line: offset-body");
  const Program& second = object.find_program("second");
  expect_line_in_function(second, "loop_body", "line: loop-body");
  expect_line_in_function(second, "second", "line: second-calls-first");
  expect_line_in_function(second, "scale", "line: scale-body");
}

// Rewrites every line record of the object so that it carries no source text (line_off 0 is
// the empty string of the BTF string section).
std::vector<uint8_t> without_source_text(std::vector<uint8_t> bytes) {
  const auto ext = test::raw_section(test::raw_sections(bytes), ".BTF.ext");
  const size_t header = test::get32(bytes, ext.offset + 4);
  const size_t block = ext.offset + header + test::get32(bytes, ext.offset + 16);
  const size_t block_end = block + test::get32(bytes, ext.offset + 20);
  const uint32_t record_size = test::get32(bytes, block);
  for (size_t at = block + 4; at < block_end;) {
    const uint32_t count = test::get32(bytes, at + 4);
    at += 8;
    for (uint32_t i = 0; i < count; ++i, at += record_size)
      test::put32(bytes, at + 8, 0);
  }
  return bytes;
}

TEST(FixtureCode, SourceTextComesFromTheFileWhenBtfHasNone) {
  const auto bytes = without_source_text(test::read_bytes(test::fixture_object(kSource)));
  const uint32_t line = test::marker_line(kSource, "line: scale-body");

  // The recorded path is absolute and exists: the text is read from it.
  {
    const auto object = load_elf_bytes(bytes, "no-text.o");
    const Program& first = object.find_program("first");
    const auto scale = static_cast<size_t>(test::function_start(first, "scale"));
    const SourceLocation* location = first.location_of(scale + 1);
    ASSERT_NE(location, nullptr);
    EXPECT_EQ(location->line, line);
    EXPECT_EQ(location->text, "return x * 3; /* line: scale-body */");
  }
  // With source_root, a file of the same name there wins.
  const auto root = std::filesystem::temp_directory_path() / "nicsim_elf_source_root";
  std::filesystem::create_directories(root);
  {
    std::ofstream copy(root / "subprograms.c");
    for (uint32_t n = 1; n <= line + 5; ++n)
      copy << "  replaced line " << n << "\n";
  }
  ElfLoadOptions options;
  options.source_root = root.string();
  const auto object = load_elf_bytes(bytes, "no-text.o", options);
  const Program& first = object.find_program("first");
  const auto scale = static_cast<size_t>(test::function_start(first, "scale"));
  const SourceLocation* location = first.location_of(scale + 1);
  ASSERT_NE(location, nullptr);
  EXPECT_EQ(location->text, "replaced line " + std::to_string(line));
  std::filesystem::remove_all(root);
}

TEST(FixtureCode, KconfigExternIsARelocationToNothing) {
  try {
    load_elf_file(test::fixture_object("extern_variable").string());
    FAIL() << "expected ElfError";
  } catch (const ElfError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("relocation to nothing: 'LINUX_KERNEL_VERSION' is undefined"),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("program 'xdp/check_version'"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace nicsim::ebpf
