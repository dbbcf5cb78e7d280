#include "ebpf/elf/program_linker.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "ebpf/elf/bytes.h"
#include "ebpf/elf/code_section.h"
#include "ebpf/elf/elf_loader.h"
#include "ebpf/isa/validate.h"

namespace nicsim::ebpf::elf {

namespace {

constexpr uint64_t kInsnSize = 8;

// A program calling a function the object does not define: only that program is unusable.
class UndefinedCall : public ElfError {
 public:
  using ElfError::ElfError;
};

class ProgramBuilder {
 public:
  ProgramBuilder(const ElfImage& image, const std::map<size_t, CodeSection>& code,
                 const MapTable& maps, const LineTable& lines)
      : image_(image), code_(code), maps_(maps), lines_(lines) {}

  Program build(const EntryPoint& entry) {
    chunks_.clear();
    insns_.clear();
    Program program;
    program.section = entry.code->section->name;
    program.function = entry.function;
    program.type = program_type_from_section(program.section);
    name_ = program.display_name();
    append(*entry.code, entry.start, entry.end);
    for (size_t i = 0; i < chunks_.size(); ++i)
      link_chunk(i);  // appends as it goes
    try {
      validate_instructions(insns_);
    } catch (const DecodeError& error) {
      image_.fail(fmt::format("program '{}': {}", name_, error.what()));
    }
    program.insns = std::move(insns_);
    describe(entry, program);
    return program;
  }

 private:
  struct Chunk {
    const CodeSection* code = nullptr;
    size_t start = 0;
    size_t end = 0;
    size_t base = 0;  // index of `start` in the program
  };

  std::string message(const Chunk& chunk, size_t insn, std::string_view what,
                      const Symbol* symbol) const {
    std::string where = fmt::format("section '{}', insn {}", chunk.code->section->name, insn);
    if (symbol) where += fmt::format(", symbol '{}'", symbol->name);
    return fmt::format("{}: program '{}': {} ({})", image_.path(), name_, what, where);
  }

  [[noreturn]] void fail(const Chunk& chunk, size_t insn, std::string_view what,
                         const Symbol* symbol = nullptr) const {
    throw ElfError(message(chunk, insn, what, symbol));
  }

  size_t append(const CodeSection& code, size_t start, size_t end) {
    chunks_.push_back({&code, start, end, insns_.size()});
    insns_.insert(insns_.end(), code.insns.begin() + static_cast<ptrdiff_t>(start),
                  code.insns.begin() + static_cast<ptrdiff_t>(end));
    return chunks_.size() - 1;
  }

  // Final position of instruction `insn` of `code`. When the program does not contain it yet,
  // the function holding it is appended (as libbpf appends each called subprogram once), or
  // the whole section when no function symbol covers the instruction.
  size_t position_of(const CodeSection& code, size_t insn) {
    for (const auto& chunk : chunks_) {
      if (chunk.code == &code && insn >= chunk.start && insn < chunk.end)
        return chunk.base + (insn - chunk.start);
    }
    size_t start = 0;
    size_t end = code.insns.size();
    for (const auto& function : code.functions) {
      if (insn >= function.start && insn < function.end) {
        start = function.start;
        end = function.end;
        break;
      }
    }
    const Chunk& added = chunks_[append(code, start, end)];
    return added.base + (insn - start);
  }

  const CodeSection* code_section(const Chunk& chunk, size_t insn, const Symbol& symbol) const {
    auto it = code_.find(symbol.shndx);
    if (it == code_.end())
      fail(chunk, insn,
           fmt::format("call or function address into section '{}', which holds no code",
                       image_.section(symbol.shndx).name),
           &symbol);
    return &it->second;
  }

  void link_chunk(size_t index) {
    const Chunk chunk = chunks_[index];  // copy: appending may reallocate chunks_
    for (size_t insn = chunk.start; insn < chunk.end; ++insn) {
      const size_t at = chunk.base + (insn - chunk.start);
      const Instruction& original = chunk.code->insns[insn];
      if (original.is_lddw() && insn + 1 >= chunk.end)
        fail(chunk, insn, "lddw cut in half by the end of its function");
      if (original.is_branch()) {
        const int64_t target = static_cast<int64_t>(insn) + original.branch_offset() + 1;
        if (target < static_cast<int64_t>(chunk.start) || target >= static_cast<int64_t>(chunk.end))
          fail(chunk, insn, fmt::format("jump to insn {} leaves its function", target));
      }
      auto relocation = chunk.code->relocations.find(insn);
      if (relocation != chunk.code->relocations.end()) {
        apply(chunk, insn, at, *relocation->second);
      } else if (original.is_local_call()) {
        const int64_t target = static_cast<int64_t>(insn) + original.imm + 1;
        if (target < 0 || target >= static_cast<int64_t>(chunk.code->insns.size()))
          fail(chunk, insn, fmt::format("call to insn {} outside the section", target));
        set_relative(at, position_of(*chunk.code, static_cast<size_t>(target)));
      } else if (original.is_lddw() && original.src() != kLddwImm64) {
        fail(chunk, insn, fmt::format("lddw with src {} but no relocation", original.src()));
      }
    }
  }

  void set_relative(size_t at, size_t target) {
    insns_[at].imm =
        static_cast<int32_t>(static_cast<int64_t>(target) - static_cast<int64_t>(at) - 1);
  }

  void apply(const Chunk& chunk, size_t insn, size_t at, const Relocation& relocation) {
    const Symbol& symbol = image_.symbols()[relocation.symbol];
    const Instruction& original = chunk.code->insns[insn];
    if (symbol.shndx == 0) {
      if (original.is_local_call())
        throw UndefinedCall(message(chunk, insn,
                                    fmt::format("call to undefined function '{}' (extern and "
                                                "kfunc calls are not supported)",
                                                symbol.name),
                                    &symbol));
      fail(chunk, insn,
           fmt::format("relocation to nothing: '{}' is undefined (extern and kconfig symbols "
                       "are not supported)",
                       symbol.name),
           &symbol);
    }
    if (!symbol.in_section())
      fail(chunk, insn, "relocation against a symbol outside any section", &symbol);
    const int64_t addend = relocation.has_addend ? relocation.addend : original.imm;

    if (original.is_lddw()) {
      link_lddw(chunk, insn, at, symbol, addend);
    } else if (original.is_local_call()) {
      // libbpf: callee = symbol offset / 8 + imm + 1 (imm is -1 for global functions, the
      // callee's index - 1 for static ones addressed through the section symbol).
      const CodeSection& target_code = *code_section(chunk, insn, symbol);
      const int64_t base =
          static_cast<int64_t>(symbol.value) + (relocation.has_addend ? relocation.addend : 0);
      if (base % static_cast<int64_t>(kInsnSize) != 0)
        fail(chunk, insn, "call target not on an instruction boundary", &symbol);
      const int64_t target = base / static_cast<int64_t>(kInsnSize) + original.imm + 1;
      if (target < 0 || target >= static_cast<int64_t>(target_code.insns.size()))
        fail(chunk, insn,
             fmt::format("call target insn {} outside section '{}'", target,
                         target_code.section->name),
             &symbol);
      set_relative(at, position_of(target_code, static_cast<size_t>(target)));
    } else {
      fail(chunk, insn,
           fmt::format("relocation on an instruction that is neither lddw nor a local call "
                       "(opcode 0x{:02x})",
                       original.opcode),
           &symbol);
    }
  }

  void link_lddw(const Chunk& chunk, size_t insn, size_t at, const Symbol& symbol, int64_t addend) {
    const Section& target = image_.section(symbol.shndx);
    Instruction& low = insns_[at];
    Instruction& high = insns_[at + 1];
    if (maps_.holds_declared_maps(target.index)) {
      const uint64_t offset = symbol.value + (symbol.is_section() ? addend : 0);
      const auto map = maps_.map_at(target.index, offset);
      if (!map)
        fail(chunk, insn,
             fmt::format("no map is defined at offset {} of section '{}'", offset, target.name),
             &symbol);
      low.set_src(kLddwMapFd);
      low.imm = static_cast<int32_t>(*map);
      high.imm = 0;
    } else if (const auto map = maps_.data_map_for(target.index)) {
      const int64_t offset = static_cast<int64_t>(symbol.value) + addend;
      if (offset < 0 || static_cast<uint64_t>(offset) > target.size)
        fail(chunk, insn,
             fmt::format("offset {} outside global data section '{}' ({} bytes)", offset,
                         target.name, target.size),
             &symbol);
      low.set_src(kLddwMapValue);
      low.imm = static_cast<int32_t>(*map);
      high.imm = static_cast<int32_t>(offset);
    } else if (target.executable()) {
      const CodeSection& code = *code_section(chunk, insn, symbol);
      const int64_t byte = static_cast<int64_t>(symbol.value) + addend;
      if (byte < 0 || byte % static_cast<int64_t>(kInsnSize) != 0 ||
          byte / static_cast<int64_t>(kInsnSize) >= static_cast<int64_t>(code.insns.size()))
        fail(chunk, insn,
             fmt::format("function address {} is not an instruction of '{}'", byte, target.name),
             &symbol);
      low.set_src(kLddwFunc);
      high.imm = 0;
      set_relative(at, position_of(code, static_cast<size_t>(byte) / kInsnSize));
    } else {
      fail(chunk, insn,
           fmt::format("lddw refers to section '{}', which holds no maps, global data or code",
                       target.name),
           &symbol);
    }
  }

  // Function names and source lines of every chunk, in final instruction order.
  void describe(const EntryPoint& entry, Program& program) const {
    for (size_t i = 0; i < chunks_.size(); ++i) {
      const Chunk& chunk = chunks_[i];
      const auto& functions = chunk.code->functions;
      std::string first = chunk.code->section->name;
      for (const auto& function : functions) {
        if (function.start == chunk.start) first = function.name;
      }
      program.functions.emplace_back(chunk.base, i == 0 ? entry.function : first);
      for (const auto& function : functions) {
        if (function.start > chunk.start && function.start < chunk.end)
          program.functions.emplace_back(chunk.base + (function.start - chunk.start),
                                         function.name);
      }
      add_lines(chunk, program);
    }
  }

  void add_lines(const Chunk& chunk, Program& program) const {
    auto found = lines_.find(chunk.code->section->index);
    if (found == lines_.end()) return;
    const auto& records = found->second;
    // The location in force at the chunk's first instruction is the last record at or
    // before it in the section.
    auto first = std::upper_bound(records.begin(), records.end(), chunk.start,
                                  [](size_t insn, const LineRecord& r) { return insn < r.insn; });
    if (first != records.begin()) --first;
    for (auto it = first; it != records.end() && it->insn < chunk.end; ++it) {
      const size_t insn = std::max(it->insn, chunk.start);
      program.line_info.emplace_back(chunk.base + (insn - chunk.start), it->location);
    }
  }

  const ElfImage& image_;
  const std::map<size_t, CodeSection>& code_;
  const MapTable& maps_;
  const LineTable& lines_;
  std::string name_;
  std::vector<Chunk> chunks_;
  std::vector<Instruction> insns_;
};

}  // namespace

LinkedPrograms link_programs(const ElfImage& image, const MapTable& maps, const LineTable& lines) {
  const auto code = read_code_sections(image);
  ProgramBuilder builder(image, code, maps, lines);
  LinkedPrograms linked;
  for (const auto& entry : entry_points(code)) {
    try {
      linked.programs.push_back(builder.build(entry));
    } catch (const UndefinedCall& error) {
      linked.skipped.push_back(error.what());
    }
  }
  if (linked.programs.empty()) {
    if (!linked.skipped.empty()) throw ElfError(linked.skipped.front());
    image.fail("no program: the object has no executable section with code");
  }
  return linked;
}

}  // namespace nicsim::ebpf::elf
