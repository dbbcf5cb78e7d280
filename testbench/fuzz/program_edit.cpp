#include "testbench/fuzz/program_edit.h"

#include <cstdint>
#include <limits>
#include <vector>

#include "ebpf/isa/opcodes.h"

namespace nicsim::fuzz {

namespace {

bool is_second_slot(const std::vector<ebpf::Instruction>& insns, size_t index) {
  size_t i = 0;
  while (i < index)
    i += insns[i].is_lddw() ? 2 : 1;
  return i != index;
}

// The relative field of a jump or local call, if the instruction has one.
enum class Relative { None, Offset, Immediate };

Relative relative_field(const ebpf::Instruction& insn) {
  const uint8_t cls = insn.cls();
  if (cls != ebpf::kClassJmp && cls != ebpf::kClassJmp32) return Relative::None;
  if (insn.op() == ebpf::kJmpExit) return Relative::None;
  if (insn.op() == ebpf::kJmpCall)
    return insn.source() == ebpf::kSrcK && insn.src() == ebpf::kCallLocal ? Relative::Immediate
                                                                          : Relative::None;
  if (insn.op() == ebpf::kJmpJa && cls == ebpf::kClassJmp32) return Relative::Immediate;
  return Relative::Offset;
}

}  // namespace

bool erase_instruction(ebpf::Program& program, size_t index) {
  auto& insns = program.insns;
  if (index >= insns.size() || is_second_slot(insns, index)) return false;
  const size_t width = insns[index].is_lddw() ? 2 : 1;
  const auto moved = [&](int64_t slot) {
    return slot <= static_cast<int64_t>(index)          ? slot
           : slot < static_cast<int64_t>(index + width) ? static_cast<int64_t>(index)
                                                        : slot - static_cast<int64_t>(width);
  };
  const int64_t new_size = static_cast<int64_t>(insns.size() - width);
  std::vector<ebpf::Instruction> out;
  for (size_t i = 0; i < insns.size(); i += insns[i].is_lddw() ? 2 : 1) {
    const size_t slots = insns[i].is_lddw() ? 2 : 1;
    if (i == index) continue;
    ebpf::Instruction insn = insns[i];
    const Relative field = relative_field(insn);
    if (field != Relative::None) {
      const int64_t relative = field == Relative::Offset ? insn.offset : insn.imm;
      const int64_t target = moved(static_cast<int64_t>(i) + 1 + relative);
      const int64_t from = moved(static_cast<int64_t>(i));
      const int64_t updated = target - from - 1;
      if (target >= new_size) return false;
      if (field == Relative::Offset) {
        if (updated < std::numeric_limits<int16_t>::min()) return false;
        insn.offset = static_cast<int16_t>(updated);
      } else {
        insn.imm = static_cast<int32_t>(updated);
      }
    }
    out.push_back(insn);
    if (slots == 2 && i + 1 < insns.size()) out.push_back(insns[i + 1]);
  }
  for (auto& [start, name] : program.functions) {
    if (start > index) start = static_cast<size_t>(moved(static_cast<int64_t>(start)));
  }
  insns = std::move(out);
  program.line_info.clear();
  return true;
}

}  // namespace nicsim::fuzz
