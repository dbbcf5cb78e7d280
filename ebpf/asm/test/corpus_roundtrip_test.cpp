// assemble(disassemble(x)) == x on every instruction of every program of the ebpf-samples
// corpus, in both syntaxes: the round trip the foundation issue asks for on real compiler
// output, not only on the conformance programs.

#include <gtest/gtest.h>

#include <filesystem>

#include "ebpf/asm/assembler.h"
#include "ebpf/asm/disassembler.h"
#include "ebpf/elf/elf_loader.h"

namespace nicsim::ebpf {
namespace {

std::vector<std::string> corpus_objects() {
  std::vector<std::string> paths;
  const std::filesystem::path root = std::filesystem::path(NICSIM_TESTDATA_DIR) / "ebpf-samples";
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (entry.is_regular_file() && entry.path().extension() == ".o") paths.push_back(entry.path());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

TEST(CorpusRoundTrip, EveryInstructionInBothSyntaxes) {
  const auto objects = corpus_objects();
  ASSERT_GT(objects.size(), 150u) << "ebpf-samples not found under " << NICSIM_TESTDATA_DIR;
  size_t programs = 0;
  size_t instructions = 0;
  for (const auto& path : objects) {
    ElfObject object;
    try {
      object = load_elf_file(path);
    } catch (const Error&) {
      continue;  // malformed objects are the loader's tests' business
    }
    for (const auto& prog : object.programs) {
      ++programs;
      instructions += prog.insns.size();
      for (AsmSyntax syntax : {AsmSyntax::PseudoC, AsmSyntax::Conformance}) {
        DisasmOptions options;
        options.syntax = syntax;
        const std::string text = disassemble(prog.insns, options);
        std::vector<Instruction> again;
        ASSERT_NO_THROW(again = assemble(text, syntax)) << path << " " << prog.display_name();
        ASSERT_EQ(again.size(), prog.insns.size()) << path << " " << prog.display_name();
        for (size_t i = 0; i < again.size(); ++i) {
          ASSERT_EQ(again[i], prog.insns[i])
              << path << " " << prog.display_name() << " insn " << i << ": "
              << disassemble_instruction(prog.insns, i, syntax);
        }
      }
    }
  }
  EXPECT_GT(programs, 400u);
  EXPECT_GT(instructions, 100000u);
  RecordProperty("programs", static_cast<int>(programs));
  RecordProperty("instructions", static_cast<int>(instructions));
}

}  // namespace
}  // namespace nicsim::ebpf
