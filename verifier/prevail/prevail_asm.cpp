#include "verifier/prevail/prevail_asm.h"

#include <fmt/format.h>

#include <regex>

#include "ebpf/util/error.h"

namespace nicsim::verifier::prevail {

using namespace ebpf;

namespace {

// One parsed line before jump targets are known.
struct Item {
  std::vector<Instruction> insns;  // complete instructions (targets patched later)
  int64_t map_fd = -1;             // insns[0] loads this map by file descriptor
  std::string target;              // label a jump or call in insns[target_slot] refers to
  size_t target_slot = 0;
  bool assumption = false;
  Assumption assume;
};

struct Operand {
  bool is_reg = false;
  uint8_t reg = 0;
  bool is32 = false;
  int64_t imm = 0;
};

const std::string kReg = R"(([rw])(\d+))";
const std::string kNum = R"((-?(?:0x[0-9a-fA-F]+|\d+))(?:ll)?)";

int64_t parse_number(const std::string& text) {
  const bool negative = !text.empty() && text[0] == '-';
  const std::string digits = negative ? text.substr(1) : text;
  const uint64_t magnitude = std::stoull(digits, nullptr, 0);
  return negative ? -static_cast<int64_t>(magnitude) : static_cast<int64_t>(magnitude);
}

uint8_t alu_op(const std::string& op, bool& is_signed) {
  is_signed = false;
  if (op == "+") return kAluAdd;
  if (op == "-") return kAluSub;
  if (op == "*") return kAluMul;
  if (op == "/") return kAluDiv;
  if (op == "%") return kAluMod;
  if (op == "|") return kAluOr;
  if (op == "&") return kAluAnd;
  if (op == "^") return kAluXor;
  if (op == "<<") return kAluLsh;
  if (op == ">>") return kAluRsh;
  if (op == "s>>") return kAluArsh;
  is_signed = true;
  if (op == "s/") return kAluDiv;
  if (op == "s%") return kAluMod;
  throw Error("unknown operator " + op);
}

// Jump operation, or 0xff for PREVAIL's "&!=" (bits not set), which has no jump.
uint8_t jmp_op(const std::string& op) {
  if (op == "==") return kJmpJeq;
  if (op == "!=") return kJmpJne;
  if (op == ">") return kJmpJgt;
  if (op == ">=") return kJmpJge;
  if (op == "<") return kJmpJlt;
  if (op == "<=") return kJmpJle;
  if (op == "s>") return kJmpJsgt;
  if (op == "s>=") return kJmpJsge;
  if (op == "s<") return kJmpJslt;
  if (op == "s<=") return kJmpJsle;
  if (op == "&==") return kJmpJset;
  if (op == "&!=") return 0xff;
  throw Error("unknown comparison " + op);
}

uint8_t size_field(const std::string& bits) {
  if (bits == "8") return kSizeB;
  if (bits == "16") return kSizeH;
  if (bits == "32") return kSizeW;
  return kSizeDw;
}

Operand operand(const std::smatch& m, size_t reg_letter, size_t reg_num, size_t num) {
  Operand o;
  if (m[reg_letter].matched) {
    o.is_reg = true;
    o.is32 = m[reg_letter] == "w";
    o.reg = static_cast<uint8_t>(std::stoi(m[reg_num]));
  } else {
    o.imm = parse_number(m[num]);
  }
  return o;
}

Item parse_line(const std::string& line) {
  static const std::regex exit_re(R"(exit)");
  static const std::regex call_re(R"(call\s+(\d+))");
  static const std::regex call_label_re(R"(call\s+<(\w+)>)");
  static const std::regex callx_re(R"(callx\s+r(\d+))");
  static const std::regex goto_re(R"(goto\s+<(\w+)>)");
  static const std::regex cond_re("(if|assume)\\s+" + kReg +
                                  R"(\s*(==|!=|>=|<=|>|<|s>=|s<=|s>|s<|&==|&!=)\s*(?:)" + kReg +
                                  "|" + kNum + R"()(?:\s+goto\s+<(\w+)>)?)");
  static const std::regex lock_re(
      R"(lock\s+\*\(u(8|16|32|64) \*\)\(r(\d+)\s*([+-])\s*(\d+)\)\s*(\+|&|\||\^|x|cx)=\s*r(\d+)(\s+fetch)?)");
  static const std::regex store_re(
      R"(\*\(u(8|16|32|64) \*\)\(r(\d+)\s*([+-])\s*(\d+)\)\s*=\s*(?:r(\d+)|)" + kNum + ")");
  static const std::regex load_re(
      R"(r(\d+)\s*=\s*\*\(([us])(8|16|32|64) \*\)\(r(\d+)\s*([+-])\s*(\d+)\))");
  static const std::regex map_re(R"(r(\d+)\s*=\s*map_by_idx\((\d+)\))");
  static const std::regex legacy_re(R"(r0\s*=\s*\*\(u(8|16|32) \*\)skb\[(?:r(\d+)|(\d+))\])");
  static const std::regex map_fd_re(R"(r(\d+)\s*=\s*map_fd\s+(\d+))");
  static const std::regex map_val_re(R"(r(\d+)\s*=\s*map_val\((\d+)\)\s*\+\s*(\d+))");
  static const std::regex mva_re(R"(r(\d+)\s*=\s*mva\(map_by_idx\((\d+)\)\)\s*\+\s*(\d+))");
  static const std::regex neg_re(kReg + R"(\s*=\s*-\s*)" + kReg);
  static const std::regex swap_re(R"(r(\d+)\s*=\s*(swap|be|le)(16|32|64)\s+r(\d+))");
  static const std::regex movsx_re(kReg + R"(\s*s(8|16|32)=\s*)" + kReg);
  static const std::regex mov_re(kReg + R"(\s*=\s*(?:)" + kReg + "|" + kNum + ")");
  static const std::regex alu_re(kReg + R"(\s*(\+|-|\*|/|%|\||&|\^|<<|>>|s>>|s/|s%)=\s*(?:)" +
                                 kReg + "|" + kNum + ")");
  std::smatch m;
  Item item;
  auto& out = item.insns;
  if (std::regex_match(line, m, exit_re)) {
    out.push_back(make_insn(kClassJmp | kJmpExit, 0, 0, 0, 0));
  } else if (std::regex_match(line, m, call_re)) {
    out.push_back(make_insn(kClassJmp | kJmpCall, 0, kCallHelper, 0, std::stoi(m[1])));
  } else if (std::regex_match(line, m, call_label_re)) {
    out.push_back(make_insn(kClassJmp | kJmpCall, 0, kCallLocal, 0, 0));
    item.target = m[1];
  } else if (std::regex_match(line, m, callx_re)) {
    out.push_back(
        make_insn(kClassJmp | kJmpCall | kSrcX, static_cast<uint8_t>(std::stoi(m[1])), 0, 0, 0));
  } else if (std::regex_match(line, m, goto_re)) {
    out.push_back(make_insn(kClassJmp | kJmpJa, 0, 0, 0, 0));
    item.target = m[1];
  } else if (std::regex_match(line, m, cond_re)) {
    const bool is_assume = m[1] == "assume";
    const bool is32 = m[2] == "w";
    const auto dst = static_cast<uint8_t>(std::stoi(m[3]));
    const Operand src = operand(m, 5, 6, 7);
    const uint8_t op = jmp_op(m[4]);
    if (is_assume) {
      item.assumption = true;
      Assumption& a = item.assume;
      a.is32 = is32;
      a.dst = dst;
      a.src_is_reg = src.is_reg;
      a.src = src.reg;
      a.imm = src.imm;
      a.op = op;
      if (op == 0xff) throw Error("assume with &!= is not supported");
      out.push_back(make_insn(kClassJmp | kJmpJa, 0, 0, 0, 0));
    } else {
      if (!m[8].matched) throw Error("conditional jump without a target");
      const uint8_t cls = is32 ? kClassJmp32 : kClassJmp;
      const uint8_t source = src.is_reg ? kSrcX : kSrcK;
      const auto imm = static_cast<int32_t>(src.imm);
      if (op == 0xff) {
        // "bits not set": skip the jump when the bits are set.
        out.push_back(make_insn(cls | kJmpJset | source, dst, src.reg, 1, imm));
        out.push_back(make_insn(kClassJmp | kJmpJa, 0, 0, 0, 0));
        item.target_slot = 1;
      } else {
        out.push_back(make_insn(cls | op | source, dst, src.reg, 0, imm));
      }
      item.target = m[8];
    }
  } else if (std::regex_match(line, m, lock_re)) {
    const uint8_t size = size_field(m[1]);
    const auto base = static_cast<uint8_t>(std::stoi(m[2]));
    const int off = (m[3] == "-" ? -1 : 1) * std::stoi(m[4]);
    const std::string op = m[5];
    int32_t imm = kAtomicAdd;
    if (op == "&") imm = kAtomicAnd;
    if (op == "|") imm = kAtomicOr;
    if (op == "^") imm = kAtomicXor;
    if (op == "x") imm = kAtomicXchg;
    if (op == "cx") imm = kAtomicCmpxchg;
    if (m[7].matched) imm |= kAtomicFetch;
    out.push_back(make_insn(kClassStx | kModeAtomic | size, base,
                            static_cast<uint8_t>(std::stoi(m[6])), static_cast<int16_t>(off), imm));
  } else if (std::regex_match(line, m, store_re)) {
    const uint8_t size = size_field(m[1]);
    const auto base = static_cast<uint8_t>(std::stoi(m[2]));
    const auto off = static_cast<int16_t>((m[3] == "-" ? -1 : 1) * std::stoi(m[4]));
    if (m[5].matched) {
      out.push_back(make_insn(kClassStx | kModeMem | size, base,
                              static_cast<uint8_t>(std::stoi(m[5])), off, 0));
    } else {
      out.push_back(make_insn(kClassSt | kModeMem | size, base, 0, off,
                              static_cast<int32_t>(parse_number(m[6]))));
    }
  } else if (std::regex_match(line, m, load_re)) {
    const uint8_t mode = m[2] == "s" ? kModeMemsx : kModeMem;
    const auto off = static_cast<int16_t>((m[5] == "-" ? -1 : 1) * std::stoi(m[6]));
    out.push_back(make_insn(kClassLdx | mode | size_field(m[3]),
                            static_cast<uint8_t>(std::stoi(m[1])),
                            static_cast<uint8_t>(std::stoi(m[4])), off, 0));
  } else if (std::regex_match(line, m, legacy_re)) {
    const uint8_t size = size_field(m[1]);
    if (m[2].matched) {
      out.push_back(
          make_insn(kClassLd | kModeInd | size, 0, static_cast<uint8_t>(std::stoi(m[2])), 0, 0));
    } else {
      out.push_back(make_insn(kClassLd | kModeAbs | size, 0, 0, 0, std::stoi(m[3])));
    }
  } else if (std::regex_match(line, m, map_re)) {
    out.push_back(make_insn(kClassLd | kModeImm | kSizeDw, static_cast<uint8_t>(std::stoi(m[1])),
                            kLddwMapIdx, 0, std::stoi(m[2])));
    out.push_back(make_insn(0, 0, 0, 0, 0));
  } else if (std::regex_match(line, m, mva_re)) {
    out.push_back(make_insn(kClassLd | kModeImm | kSizeDw, static_cast<uint8_t>(std::stoi(m[1])),
                            kLddwMapIdxValue, 0, std::stoi(m[2])));
    out.push_back(make_insn(0, 0, 0, 0, std::stoi(m[3])));
  } else if (std::regex_match(line, m, map_fd_re) || std::regex_match(line, m, map_val_re)) {
    const bool value = m.size() > 3 && m[3].matched;
    out.push_back(make_insn(kClassLd | kModeImm | kSizeDw, static_cast<uint8_t>(std::stoi(m[1])),
                            value ? kLddwMapValue : kLddwMapFd, 0, 0));
    out.push_back(make_insn(0, 0, 0, 0, value ? std::stoi(m[3]) : 0));
    item.map_fd = std::stoll(m[2]);
  } else if (std::regex_match(line, m, neg_re)) {
    const uint8_t cls = m[1] == "w" ? kClassAlu : kClassAlu64;
    const auto dst = static_cast<uint8_t>(std::stoi(m[2]));
    const auto src = static_cast<uint8_t>(std::stoi(m[4]));
    if (dst != src) out.push_back(make_insn(cls | kAluMov | kSrcX, dst, src, 0, 0));
    out.push_back(make_insn(cls | kAluNeg, dst, 0, 0, 0));
  } else if (std::regex_match(line, m, swap_re)) {
    const auto dst = static_cast<uint8_t>(std::stoi(m[1]));
    const auto src = static_cast<uint8_t>(std::stoi(m[4]));
    const int bits = std::stoi(m[3]);
    if (dst != src) out.push_back(make_insn(kClassAlu64 | kAluMov | kSrcX, dst, src, 0, 0));
    const uint8_t code = m[2] == "swap" ? (kClassAlu64 | kAluEnd)
                         : m[2] == "be" ? (kClassAlu | kAluEnd | kSrcX)
                                        : (kClassAlu | kAluEnd);
    out.push_back(make_insn(code, dst, 0, 0, bits));
  } else if (std::regex_match(line, m, movsx_re)) {
    const uint8_t cls = m[1] == "w" ? kClassAlu : kClassAlu64;
    out.push_back(make_insn(cls | kAluMov | kSrcX, static_cast<uint8_t>(std::stoi(m[2])),
                            static_cast<uint8_t>(std::stoi(m[5])),
                            static_cast<int16_t>(std::stoi(m[3])), 0));
  } else if (std::regex_match(line, m, mov_re)) {
    const bool is32 = m[1] == "w";
    const auto dst = static_cast<uint8_t>(std::stoi(m[2]));
    const Operand src = operand(m, 3, 4, 5);
    const uint8_t cls = is32 ? kClassAlu : kClassAlu64;
    if (src.is_reg) {
      out.push_back(make_insn(cls | kAluMov | kSrcX, dst, src.reg, 0, 0));
    } else if (is32 || src.imm == static_cast<int32_t>(src.imm)) {
      out.push_back(make_insn(cls | kAluMov, dst, 0, 0, static_cast<int32_t>(src.imm)));
    } else {
      const auto v = static_cast<uint64_t>(src.imm);
      out.push_back(make_insn(kClassLd | kModeImm | kSizeDw, dst, 0, 0, static_cast<int32_t>(v)));
      out.push_back(make_insn(0, 0, 0, 0, static_cast<int32_t>(v >> 32)));
    }
  } else if (std::regex_match(line, m, alu_re)) {
    const bool is32 = m[1] == "w";
    bool is_signed = false;
    const uint8_t op = alu_op(m[3], is_signed);
    const Operand src = operand(m, 4, 5, 6);
    const uint8_t cls = is32 ? kClassAlu : kClassAlu64;
    out.push_back(
        make_insn(cls | op | (src.is_reg ? kSrcX : kSrcK), static_cast<uint8_t>(std::stoi(m[2])),
                  src.reg, static_cast<int16_t>(is_signed ? 1 : 0), static_cast<int32_t>(src.imm)));
  } else {
    throw Error("unrecognised instruction");
  }
  return item;
}

std::string clean(std::string line) {
  if (const auto semi = line.find(';'); semi != std::string::npos) line.erase(semi);
  const auto first = line.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  line.erase(0, first);
  line.erase(line.find_last_not_of(" \t\r") + 1);
  if (line.starts_with("#") || line.starts_with("//")) return "";
  return line;
}

}  // namespace

AssembledCase assemble_case(const PrevailCase& c) {
  std::vector<Item> items;
  std::map<std::string, size_t> label_item;
  for (const auto& [label, lines] : c.blocks) {
    std::string name = label;
    if (name.size() > 2 && name.front() == '<' && name.back() == '>')
      name = name.substr(1, name.size() - 2);
    label_item[name] = items.size();
    for (const std::string& raw : lines) {
      const std::string line = clean(raw);
      if (line.empty()) continue;
      try {
        items.push_back(parse_line(line));
      } catch (const std::exception& e) {
        throw Error(fmt::format("{}: line '{}': {}", c.name, line, e.what()));
      }
    }
  }
  AssembledCase out;
  std::vector<int32_t> slot_of(items.size() + 1, 0);
  for (size_t k = 0; k < items.size(); ++k) {
    slot_of[k + 1] = slot_of[k] + static_cast<int32_t>(items[k].insns.size());
  }
  for (const auto& [name, index] : label_item)
    out.labels[name] = slot_of[index];
  for (size_t k = 0; k < items.size(); ++k) {
    Item& item = items[k];
    if (!item.target.empty()) {
      const auto label = label_item.find(item.target);
      if (label == label_item.end()) {
        throw Error(fmt::format("{}: unknown label <{}>", c.name, item.target));
      }
      const int32_t at = slot_of[k] + static_cast<int32_t>(item.target_slot);
      const int32_t target = slot_of[label->second];
      Instruction& insn = item.insns[item.target_slot];
      if (insn.is_call()) {
        insn.imm = target - at - 1;
        out.functions.emplace_back(static_cast<size_t>(target), item.target);
      } else {
        insn.offset = static_cast<int16_t>(target - at - 1);
      }
    }
    if (item.assumption) out.assumptions[slot_of[k]] = item.assume;
    if (item.map_fd >= 0) out.fd_loads.emplace_back(slot_of[k], item.map_fd);
    out.insns.insert(out.insns.end(), item.insns.begin(), item.insns.end());
  }
  // Jumps (and assumptions) may target the end: give the end an instruction, an exit,
  // which a fragment reaches without any condition on R0.
  out.end = static_cast<int32_t>(out.insns.size());
  out.insns.push_back(make_insn(kClassJmp | kJmpExit, 0, 0, 0, 0));
  out.functions.emplace_back(0, "<start>");
  return out;
}

}  // namespace nicsim::verifier::prevail
