#include "ebpf/elf/code_section.h"

#include <fmt/format.h>

#include <algorithm>

#include "ebpf/elf/bytes.h"

namespace nicsim::ebpf::elf {

namespace {

constexpr uint64_t kInsnSize = 8;

std::vector<Instruction> decode(const ElfImage& image, const Section& section) {
  if (section.size % kInsnSize != 0)
    image.fail(fmt::format("code section '{}': size {} is not a multiple of {}", section.name,
                           section.size, kInsnSize));
  std::vector<Instruction> insns(section.size / kInsnSize);
  for (size_t i = 0; i < insns.size(); ++i) {
    const uint64_t low = load_le32(section.bytes, i * kInsnSize);
    const uint64_t high = load_le32(section.bytes, i * kInsnSize + 4);
    insns[i] = Instruction::from_raw(low | high << 32);
  }
  return insns;
}

std::vector<Function> functions_of(const ElfImage& image, const Section& section) {
  std::vector<Function> functions;
  for (const auto& symbol : image.symbols()) {
    if (symbol.shndx != section.index || !symbol.is_function()) continue;
    if (symbol.value % kInsnSize != 0 || symbol.size % kInsnSize != 0 ||
        symbol.value >= section.size || !fits(symbol.value, symbol.size, section.size))
      image.fail(
          fmt::format("function '{}' (section '{}'): offset {} size {} is not a whole "
                      "number of instructions inside the section ({} bytes)",
                      symbol.name, section.name, symbol.value, symbol.size, section.size));
    Function function;
    function.name = symbol.name;
    function.start = symbol.value / kInsnSize;
    function.end = (symbol.value + symbol.size) / kInsnSize;  // 0-sized: fixed below
    function.global = symbol.is_global();
    functions.push_back(std::move(function));
  }
  std::stable_sort(functions.begin(), functions.end(),
                   [](const Function& a, const Function& b) { return a.start < b.start; });
  // Assembler-made symbols often lack a size: such a function runs to the next one.
  const size_t section_end = section.size / kInsnSize;
  for (auto& function : functions) {
    if (function.end != function.start) continue;
    function.end = section_end;
    for (const auto& other : functions) {
      if (other.start > function.start) {
        function.end = other.start;
        break;
      }
    }
  }
  return functions;
}

std::map<size_t, const Relocation*> relocations_of(const ElfImage& image, const Section& section) {
  std::map<size_t, const Relocation*> by_insn;
  for (const auto& relocation : image.relocations_for(section.index)) {
    if (relocation.type == kRelNone && image.is_em_bpf()) continue;
    const std::string where =
        fmt::format("section '{}', offset {}", section.name, relocation.offset);
    if (relocation.offset % kInsnSize != 0)
      image.fail(fmt::format("relocation not on an instruction boundary ({})", where));
    // R_BPF_64_64 (lddw), R_BPF_64_32 (call); objects from very old LLVM (e_machine
    // EM_NONE) carry type 0 for both.
    if (relocation.type != kRel64_64 && relocation.type != kRel64_32 && relocation.type != kRelNone)
      image.fail(
          fmt::format("unsupported relocation type {} in code ({})", relocation.type, where));
    if (!by_insn.emplace(relocation.offset / kInsnSize, &relocation).second)
      image.fail(fmt::format("two relocations for one instruction ({})", where));
  }
  return by_insn;
}

std::vector<EntryPoint> section_entry_points(const CodeSection& code) {
  std::vector<EntryPoint> entries;
  bool any_function = false;
  for (const auto& function : code.functions) {
    any_function = true;
    if (function.global) entries.push_back({&code, function.name, function.start, function.end});
  }
  const bool is_text = code.section->name == ".text";
  if (entries.empty() && (!is_text || !any_function))
    entries.push_back({&code, code.section->name, 0, code.insns.size()});
  return entries;
}

}  // namespace

std::map<size_t, CodeSection> read_code_sections(const ElfImage& image) {
  std::map<size_t, CodeSection> code;
  for (const auto& section : image.sections()) {
    if (!section.executable()) continue;
    CodeSection& entry = code[section.index];
    entry.section = &section;
    entry.insns = decode(image, section);
    entry.functions = functions_of(image, section);
    entry.relocations = relocations_of(image, section);
  }
  return code;
}

std::vector<EntryPoint> entry_points(const std::map<size_t, CodeSection>& code) {
  std::vector<EntryPoint> entries;
  std::vector<EntryPoint> text_entries;
  for (const auto& [index, section] : code) {
    if (section.insns.empty()) continue;
    auto found = section_entry_points(section);
    auto& list = section.section->name == ".text" ? text_entries : entries;
    list.insert(list.end(), found.begin(), found.end());
  }
  entries.insert(entries.end(), text_entries.begin(), text_entries.end());
  return entries;
}

}  // namespace nicsim::ebpf::elf
