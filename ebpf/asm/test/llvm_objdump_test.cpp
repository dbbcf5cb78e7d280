// Our pseudo-C disassembly against llvm-objdump-19's on objects llvm-mc-19 assembles from the
// objdump_*.s files beside this test; and our assembler reading llvm-objdump's own text.
//
// Whitespace and number base are normalised (llvm-objdump prints hexadecimal, we print
// decimal except for lddw constants), as is llvm-objdump's "<symbol+offset>" jump annotation.
// Deliberate differences, kept out of the .s files:
//  * bpf-to-bpf calls: llvm-objdump prints "call 0x1", the same text as helper call 1; we
//    print the kernel's "call pc+1" so that the text says which call it is.
//  * lddw map / BTF / function forms need relocations; we print the kernel log's
//    "map[id:N]", "btf_id[N]", "func[+N]" instead of a symbol.
//  * With -mattr=+alu32 llvm-objdump writes 32-bit-and-narrower loads and stores with w
//    registers; we always print r, as the kernel log and llvm's default do, and read both.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>

#include "ebpf/asm/assembler.h"
#include "ebpf/asm/disassembler.h"
#include "ebpf/asm/test/test_support.h"

namespace nicsim::ebpf {
namespace {

namespace fs = std::filesystem;

struct CommandResult {
  int status = -1;
  std::string output;
};

CommandResult run(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return result;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0)
    result.output.append(buffer, n);
  result.status = pclose(pipe);
  return result;
}

bool tool_available(const std::string& name) {
  return run("command -v " + name + " >/dev/null").status == 0;
}

// "if r1 > 0x2a goto +0x2 <f+0x18>" -> "if r1 > 42 goto +2"
std::string normalise(std::string s) {
  if (s.ends_with(">")) {
    const size_t open = s.rfind('<');
    if (open != std::string::npos && s.find('>', open) == s.size() - 1) s.erase(open);
  }
  std::string out;
  for (size_t i = 0; i < s.size();) {
    if (s.compare(i, 2, "0x") == 0 && i + 2 < s.size() &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      size_t end = i + 2;
      while (end < s.size() && std::isxdigit(static_cast<unsigned char>(s[end])))
        ++end;
      out += std::to_string(std::stoull(s.substr(i + 2, end - i - 2), nullptr, 16));
      i = end;
    } else {
      out += s[i++];
    }
  }
  std::istringstream words(out);
  std::string word, joined;
  while (words >> word)
    joined += (joined.empty() ? "" : " ") + word;
  return joined;
}

struct ObjdumpInstruction {
  size_t index = 0;
  std::vector<Instruction> slots;
  std::string text;
};

// "      12:\t<rest>" -> (12, rest); instruction lines only.
bool split_listing_line(const std::string& line, size_t& index, std::string& rest) {
  size_t i = line.find_first_not_of(' ');
  if (i == std::string::npos || i == 0 || !std::isdigit(static_cast<unsigned char>(line[i])))
    return false;
  const size_t colon = line.find(":\t", i);
  if (colon == std::string::npos) return false;
  for (size_t k = i; k < colon; ++k)
    if (!std::isdigit(static_cast<unsigned char>(line[k]))) return false;
  index = std::stoul(line.substr(i, colon - i));
  rest = line.substr(colon + 2);
  return true;
}

// Pairs the text of "-d --no-show-raw-insn" with the bytes of "-d", by instruction index.
std::vector<ObjdumpInstruction> parse_objdump(const std::string& text_listing,
                                              const std::string& byte_listing) {
  std::map<size_t, std::vector<Instruction>> bytes;
  std::istringstream b(byte_listing);
  size_t index;
  std::string rest;
  for (std::string line; std::getline(b, line);) {
    if (!split_listing_line(line, index, rest)) continue;
    bytes[index] = testing_support::insns_from_bytes(
        testing_support::bytes_from_hex(rest.substr(0, rest.find('\t'))));
  }
  std::vector<ObjdumpInstruction> out;
  std::istringstream t(text_listing);
  for (std::string line; std::getline(t, line);)
    if (split_listing_line(line, index, rest)) out.push_back({index, bytes[index], rest});
  return out;
}

struct ObjdumpCase {
  const char* source;  // in ebpf/asm/test/
  const char* objdump_flags;
};

class LlvmObjdump : public ::testing::TestWithParam<ObjdumpCase> {};

TEST_P(LlvmObjdump, SamePseudoCTextAndTheAssemblerReadsLlvmOutput) {
  for (const char* tool : {"llvm-mc-19", "llvm-objdump-19"})
    if (!tool_available(tool))
      GTEST_SKIP() << tool << " is not installed (PATH has no " << tool << ")";
  const fs::path source = fs::path(NICSIM_SOURCE_DIR) / "ebpf/asm/test" / GetParam().source;
  const fs::path dir =
      fs::temp_directory_path() /
      ("nicsim_asm_objdump_" + std::to_string(getpid()) + "_" + source.stem().string());
  fs::create_directories(dir);
  const fs::path object = dir / "prog.o";
  const auto mc = run("llvm-mc-19 -triple bpf -filetype=obj '" + source.string() + "' -o '" +
                      object.string() + "'");
  ASSERT_EQ(mc.status, 0) << mc.output;
  const std::string flags = GetParam().objdump_flags;
  const auto text =
      run("llvm-objdump-19 -d --no-show-raw-insn " + flags + " '" + object.string() + "'");
  const auto raw = run("llvm-objdump-19 -d " + flags + " '" + object.string() + "'");
  fs::remove_all(dir);
  ASSERT_EQ(text.status, 0) << text.output;
  ASSERT_EQ(raw.status, 0) << raw.output;

  const auto listing = parse_objdump(text.output, raw.output);
  ASSERT_GE(listing.size(), 10u) << text.output;
  for (const auto& insn : listing) {
    SCOPED_TRACE(std::to_string(insn.index) + ": " + insn.text);
    ASSERT_FALSE(insn.slots.empty());
    EXPECT_EQ(normalise(disassemble_instruction(insn.slots, 0, AsmSyntax::PseudoC)),
              normalise(insn.text));
    EXPECT_EQ(assemble(insn.text, AsmSyntax::PseudoC), insn.slots);
  }
}

INSTANTIATE_TEST_SUITE_P(Objects, LlvmObjdump,
                         ::testing::Values(ObjdumpCase{"objdump_alu.s", ""},
                                           ObjdumpCase{"objdump_memory.s", ""},
                                           ObjdumpCase{"objdump_jumps.s", ""},
                                           ObjdumpCase{"objdump_atomic32.s", "--mattr=+alu32"}),
                         [](const auto& info) {
                           std::string name = info.param.source;
                           name = name.substr(0, name.find('.'));
                           return name;
                         });

}  // namespace
}  // namespace nicsim::ebpf
