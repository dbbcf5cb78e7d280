#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>

#include "ebpf/util/error.h"
#include "firmware/asm/nic_asm.h"
#include "firmware/isa/helper_units.h"

namespace nicsim::firmware {

namespace {

struct AsmFailure {
  std::string message;
};

[[noreturn]] void fail(std::string message) {
  throw AsmFailure{std::move(message)};
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split(std::string_view s, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == separator) {
      parts.push_back(trim(s.substr(start, i - start)));
      start = i + 1;
    }
  }
  return parts;
}

std::optional<int64_t> parse_integer(std::string_view text) {
  text = trim(text);
  bool negative = false;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    text.remove_prefix(2);
  }
  uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return negative ? -static_cast<int64_t>(value) : static_cast<int64_t>(value);
}

// 64-bit pool constants accept the full unsigned range.
std::optional<uint64_t> parse_u64(std::string_view text) {
  text = trim(text);
  if (!text.empty() && text[0] == '-') {
    auto v = parse_integer(text);
    return v ? std::optional<uint64_t>(static_cast<uint64_t>(*v)) : std::nullopt;
  }
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    text.remove_prefix(2);
  }
  uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

int32_t imm32(std::string_view text, bool allow_unsigned) {
  auto v = parse_integer(text);
  if (!v) fail(fmt::format("'{}' is not an integer", text));
  if (*v >= INT32_MIN && *v <= INT32_MAX) return static_cast<int32_t>(*v);
  if (allow_unsigned && *v >= 0 && *v <= UINT32_MAX)
    return static_cast<int32_t>(static_cast<uint32_t>(*v));
  fail(fmt::format("{} does not fit a 32-bit immediate (use =value for a pool constant)", text));
}

std::optional<uint8_t> parse_register(std::string_view text) {
  text = trim(text);
  if (text.size() < 2 || text[0] != 'r') return std::nullopt;
  auto v = parse_integer(text.substr(1));
  if (!v || *v < 0 || *v >= kNumOperandRegisters ||
      !std::isdigit(static_cast<unsigned char>(text[1])))
    return std::nullopt;
  return static_cast<uint8_t>(*v);
}

uint8_t reg(std::string_view text) {
  auto r = parse_register(text);
  if (!r) fail(fmt::format("'{}' is not a register r0..r13", trim(text)));
  return *r;
}

struct Address {
  uint8_t base = 0;
  std::optional<uint8_t> index;
  int64_t offset = 0;
};

// [rA], [rA+off], [rA-off], [rA+rB], [rA+rB+off]
Address parse_address(std::string_view text) {
  text = trim(text);
  if (text.size() < 3 || text.front() != '[' || text.back() != ']')
    fail(fmt::format("'{}' is not an address [rA+offset]", text));
  text = trim(text.substr(1, text.size() - 2));
  Address a;
  size_t i = 1;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])))
    ++i;
  a.base = reg(text.substr(0, i));
  text = trim(text.substr(i));
  if (!text.empty() && text[0] == '+') {
    std::string_view rest = trim(text.substr(1));
    if (!rest.empty() && rest[0] == 'r') {
      size_t j = 1;
      while (j < rest.size() && std::isdigit(static_cast<unsigned char>(rest[j])))
        ++j;
      a.index = reg(rest.substr(0, j));
      text = trim(rest.substr(j));
    }
  }
  if (!text.empty()) {
    auto v = parse_integer(text);
    if (!v || (text[0] != '+' && text[0] != '-'))
      fail(fmt::format("bad address offset '{}'", text));
    a.offset = *v;
  }
  return a;
}

int32_t offset32(int64_t v) {
  if (v < INT32_MIN || v > INT32_MAX) fail(fmt::format("offset {} does not fit 32 bits", v));
  return static_cast<int32_t>(v);
}

int32_t offset12(int64_t v) {
  if (v < kX12Min || v > kX12Max)
    fail(fmt::format("offset {} does not fit the 12-bit field (-2048..2047)", v));
  return static_cast<int32_t>(v);
}

class SlotParser {
 public:
  SlotParser(AssembledCode& code, std::vector<std::pair<size_t, std::string>>& fixups,
             size_t slot_id)
      : code_(code), fixups_(fixups), slot_id_(slot_id) {}

  Slot parse(std::string_view text) {
    text = trim(text);
    const size_t space = text.find_first_of(" \t");
    std::string mnemonic(text.substr(0, space));
    std::transform(mnemonic.begin(), mnemonic.end(), mnemonic.begin(), ::tolower);
    const std::string_view rest = space == std::string_view::npos ? "" : trim(text.substr(space));
    std::vector<std::string_view> ops =
        rest.empty() ? std::vector<std::string_view>{} : split(rest, ',');

    bool w32 = false;
    std::string base = mnemonic;
    if (base.size() > 3 && base.ends_with(".32")) {
      w32 = true;
      base.resize(base.size() - 3);
    }
    const auto expect = [&](size_t n) {
      if (ops.size() != n)
        fail(fmt::format("'{}' takes {} operand{}, got {}", mnemonic, n, n == 1 ? "" : "s",
                         ops.size()));
    };

    if (base == "nop") return expect(0), make_nop();
    if (base == "ret") return expect(0), make_ret();
    if (base == "movs") {
      expect(2);
      for (int i = 0; i < kNumSpecialRegs; ++i) {
        if (ops[1] == special_register_name(static_cast<SpecialReg>(i)))
          return make_movs(reg(ops[0]), static_cast<SpecialReg>(i));
      }
      fail(fmt::format("'{}' is not a special register", ops[1]));
    }
    if (base == "exit") {
      expect(1);
      if (auto r = parse_register(ops[0])) return make_exit_reg(*r);
      return make_exit_imm(imm32(ops[0], false));
    }
    if (base == "hcall") {
      expect(1);
      const HardwareHelper* helper = find_hardware_helper(ops[0]);
      if (helper == nullptr) {
        auto id = parse_integer(ops[0]);
        if (id && *id >= INT32_MIN && *id <= INT32_MAX)
          helper = find_hardware_helper(static_cast<int32_t>(*id));
      }
      if (helper == nullptr) fail(fmt::format("'{}' is not a hardware helper unit", ops[0]));
      return make_hcall(helper->id);
    }
    if (base == "callf") return expect(1), with_target(make_callf(0), ops[0]);
    if (base == "ja") return expect(1), with_target(make_jump(0), ops[0]);
    if (base == "xchg" || base == "cmpxchg") {
      expect(3);
      const Address a = parse_address(ops[1]);
      if (a.index) fail("atomic operations take [rA+offset]");
      return base == "xchg"
                 ? make_xchg(w32, reg(ops[0]), a.base, offset32(a.offset), reg(ops[2]))
                 : make_cmpxchg(w32, reg(ops[0]), a.base, offset32(a.offset), reg(ops[2]));
    }
    if (base.starts_with("lock.")) return parse_atomic(base.substr(5), w32, ops);
    if (base.starts_with("st") && base.size() == 3) return parse_store(base, ops);
    if ((base.starts_with("ld") && base.size() == 3) ||
        (base.starts_with("lds") && base.size() == 4) ||
        (base.starts_with("ldnf") && base.size() == 5))
      return parse_load(base, ops);
    for (int k = 0; k < kNumExtKinds; ++k) {
      if (base == ext_kind_name(static_cast<ExtKind>(k))) {
        expect(2);
        return make_ext(static_cast<ExtKind>(k), w32, reg(ops[0]), reg(ops[1]));
      }
    }
    for (int c = 1; c < kNumConds; ++c) {
      if (base == condition_name(static_cast<Cond>(c)))
        return parse_branch(static_cast<Cond>(c), w32, ops);
    }
    for (int f = 0; f < 15; ++f) {
      if (base == alu_function_name(static_cast<AluFunc>(f)))
        return parse_alu(static_cast<AluFunc>(f), w32, ops);
    }
    fail(fmt::format("unknown mnemonic '{}'", mnemonic));
  }

 private:
  Slot with_target(Slot s, std::string_view text) {
    text = trim(text);
    if (text.empty() || text[0] != '@') fail(fmt::format("'{}' is not a target (@label)", text));
    const std::string_view name = text.substr(1);
    if (name.starts_with("exit")) {
      auto action = parse_integer(name.substr(4));
      if (action && *action >= 0 && *action < kNumExitVectors) {
        s.x12 = static_cast<uint16_t>(kExitVectorBase + *action);
        return s;
      }
    }
    if (auto n = parse_integer(name); n && std::isdigit(static_cast<unsigned char>(name[0]))) {
      if (*n < 0 || *n >= kMaxBundles) fail(fmt::format("target {} out of range", *n));
      s.x12 = static_cast<uint16_t>(*n);
      return s;
    }
    fixups_.emplace_back(slot_id_, std::string(name));
    return s;
  }

  // Operand B: register, immediate or pool constant.
  void operand_b(std::string_view text, bool w32, bool allow_pool, Slot& s) {
    text = trim(text);
    if (auto r = parse_register(text)) {
      s.b = OperandB::Reg;
      s.rb = *r;
      return;
    }
    if (auto index = pool_index(text)) {
      if (!allow_pool) fail(fmt::format("'{}': no pool operand here", text));
      s.b = OperandB::Pool;
      s.imm = static_cast<int32_t>(*index);
      return;
    }
    s.b = OperandB::Imm;
    s.imm = imm32(text, w32);
  }

  std::optional<uint32_t> pool_index(std::string_view text) {
    if (text.starts_with("=")) {
      auto v = parse_u64(text.substr(1));
      if (!v) fail(fmt::format("'{}' is not a constant", text));
      auto& pool = code_.constants;
      auto it = std::find(pool.begin(), pool.end(), *v);
      if (it != pool.end()) return static_cast<uint32_t>(it - pool.begin());
      pool.push_back(*v);
      return static_cast<uint32_t>(pool.size() - 1);
    }
    if (text.starts_with("pool[") && text.ends_with("]")) {
      auto v = parse_integer(text.substr(5, text.size() - 6));
      if (!v || *v < 0 || *v > INT32_MAX) fail(fmt::format("bad pool index in '{}'", text));
      return static_cast<uint32_t>(*v);
    }
    return std::nullopt;
  }

  Slot parse_alu(AluFunc func, bool w32, const std::vector<std::string_view>& ops) {
    Slot s = make_alu(func, w32, 0, 0, 0);
    if (func == AluFunc::Mov) {
      if (ops.size() != 2) fail("'mov' takes 2 operands");
      s.rd = reg(ops[0]);
      operand_b(ops[1], w32, !w32, s);
      return s;
    }
    if (ops.size() != 3) fail(fmt::format("'{}' takes 3 operands", alu_function_name(func)));
    s.rd = reg(ops[0]);
    s.ra = reg(ops[1]);
    operand_b(ops[2], w32, !w32, s);
    return s;
  }

  Slot parse_branch(Cond cond, bool w32, const std::vector<std::string_view>& ops) {
    if (ops.size() != 3) fail(fmt::format("'{}' takes 3 operands", condition_name(cond)));
    // Left operand: rA or rA+imm / rA-imm.
    std::string_view left = ops[0];
    size_t i = 1;
    while (i < left.size() && std::isdigit(static_cast<unsigned char>(left[i])))
      ++i;
    const uint8_t ra = reg(left.substr(0, i));
    int32_t addend = 0;
    if (i < left.size()) {
      auto v = parse_integer(left.substr(i));
      if (!v || *v < INT32_MIN || *v > INT32_MAX) fail(fmt::format("bad addend in '{}'", left));
      addend = static_cast<int32_t>(*v);
    }
    Slot s;
    if (auto rb = parse_register(ops[1])) {
      s = make_branch(cond, w32, ra, *rb, 0, addend);
    } else {
      if (addend != 0) fail("an added left operand needs a register right operand");
      s = make_branch_imm(cond, w32, ra, imm32(ops[1], w32), 0);
    }
    return with_target(s, ops[2]);
  }

  Slot parse_load(const std::string& base, const std::vector<std::string_view>& ops) {
    if (ops.size() != 2) fail(fmt::format("'{}' takes 2 operands", base));
    const bool no_fault = base.starts_with("ldnf");
    const bool sign = !no_fault && base[2] == 's';
    const auto size = parse_integer(std::string_view(base).substr(no_fault ? 4 : sign ? 3 : 2));
    if (!size || *size < 1 || *size > 8) fail(fmt::format("bad load size in '{}'", base));
    const Address a = parse_address(ops[1]);
    if (no_fault) {
      if (a.index) fail("ldnf takes [rA+offset]");
      return make_load_no_fault(static_cast<uint8_t>(*size), reg(ops[0]), a.base,
                                offset32(a.offset));
    }
    if (a.index)
      return make_load_indexed(static_cast<uint8_t>(*size), sign, reg(ops[0]), a.base, *a.index,
                               offset12(a.offset));
    return make_load(static_cast<uint8_t>(*size), sign, reg(ops[0]), a.base, offset32(a.offset));
  }

  Slot parse_store(const std::string& base, const std::vector<std::string_view>& ops) {
    if (ops.size() != 2) fail(fmt::format("'{}' takes 2 operands", base));
    const auto size = parse_integer(std::string_view(base).substr(2));
    if (!size || *size < 1 || *size > 8) fail(fmt::format("bad store size in '{}'", base));
    const auto n = static_cast<uint8_t>(*size);
    const Address a = parse_address(ops[0]);
    if (a.index) fail("stores take [rA+offset]");
    if (auto rb = parse_register(ops[1])) return make_store(n, a.base, offset32(a.offset), *rb);
    if (auto index = pool_index(trim(ops[1])))
      return make_store_pool(n, a.base, offset12(a.offset), *index);
    return make_store_imm(n, a.base, offset12(a.offset), imm32(ops[1], n <= 4));
  }

  Slot parse_atomic(std::string name, bool w32, const std::vector<std::string_view>& ops) {
    bool fetch = false;
    if (name.size() > 1 && name[0] == 'f') {  // fadd, for, fand, fxor
      fetch = true;
      name = name.substr(1);
    }
    static constexpr std::pair<const char*, AtomicOp> kOps[] = {{"add", AtomicOp::Add},
                                                                {"or", AtomicOp::Or},
                                                                {"and", AtomicOp::And},
                                                                {"xor", AtomicOp::Xor}};
    for (const auto& [text, op] : kOps) {
      if (name != text) continue;
      if (fetch) {
        if (ops.size() != 3) fail("fetching atomic operations take rD, [rA+offset], rB");
        const Address a = parse_address(ops[1]);
        if (a.index) fail("atomic operations take [rA+offset]");
        return make_atomic(op, w32, true, reg(ops[0]), a.base, offset32(a.offset), reg(ops[2]));
      }
      if (ops.size() != 2) fail("atomic operations take [rA+offset], rB");
      const Address a = parse_address(ops[0]);
      if (a.index) fail("atomic operations take [rA+offset]");
      return make_atomic(op, w32, false, 0, a.base, offset32(a.offset), reg(ops[1]));
    }
    fail(fmt::format("unknown atomic operation '{}'", name));
  }

  AssembledCode& code_;
  std::vector<std::pair<size_t, std::string>>& fixups_;
  size_t slot_id_;
};

std::string_view strip_comment(std::string_view line) {
  const size_t hash = line.find('#');
  const size_t slashes = line.find("//");
  return line.substr(0, std::min(hash, slashes));
}

bool is_label_name(std::string_view s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_' || s[0] == '.'))
    return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
  });
}

}  // namespace

AssembledCode assemble_nic(std::string_view text, const AsmOptions& options) {
  AssembledCode code;
  code.constants = options.constants;
  // (flat slot index, label) pairs resolved once every label is known.
  std::vector<std::pair<size_t, std::string>> fixups;
  std::vector<std::pair<size_t, size_t>> slot_position;  // flat index -> (bundle, lane)
  std::vector<size_t> fixup_lines;
  size_t line_number = 0;
  try {
    for (std::string_view line : split(text, '\n')) {
      ++line_number;
      std::string_view body = trim(strip_comment(line));
      // Labels: "name:" (possibly several) before the bundle.
      for (;;) {
        const size_t colon = body.find(':');
        if (colon == std::string_view::npos || !is_label_name(trim(body.substr(0, colon)))) break;
        const std::string label(trim(body.substr(0, colon)));
        const uint32_t address = options.base_address + static_cast<uint32_t>(code.bundles.size());
        if (!code.labels.emplace(label, address).second)
          fail(fmt::format("label '{}' defined twice", label));
        body = trim(body.substr(colon + 1));
      }
      if (body.empty()) continue;
      std::vector<std::string_view> slot_texts;
      if (body.front() == '{') {
        if (body.back() != '}') fail("a bundle must close with '}' on the same line");
        slot_texts = split(body.substr(1, body.size() - 2), ';');
      } else {
        slot_texts.push_back(body);
      }
      if (static_cast<int>(slot_texts.size()) > options.max_lanes)
        fail(fmt::format("bundle of {} slots exceeds {} lanes", slot_texts.size(),
                         options.max_lanes));
      std::vector<Slot> bundle;
      for (std::string_view slot_text : slot_texts) {
        if (slot_text.empty()) fail("empty slot in bundle");
        const size_t flat = slot_position.size();
        const size_t fixups_before = fixups.size();
        SlotParser parser(code, fixups, flat);
        bundle.push_back(parser.parse(slot_text));
        if (std::string error = check_slot(bundle.back()); !error.empty()) fail(error);
        slot_position.emplace_back(code.bundles.size(), bundle.size() - 1);
        for (size_t i = fixups_before; i < fixups.size(); ++i)
          fixup_lines.push_back(line_number);
      }
      code.bundles.push_back(std::move(bundle));
    }
    for (size_t i = 0; i < fixups.size(); ++i) {
      const auto& [flat, label] = fixups[i];
      auto it = code.labels.find(label);
      line_number = fixup_lines[i];
      if (it == code.labels.end()) fail(fmt::format("undefined label '{}'", label));
      const auto [bundle, lane] = slot_position[flat];
      code.bundles[bundle][lane].x12 = static_cast<uint16_t>(it->second);
    }
  } catch (const AsmFailure& failure) {
    throw Error(fmt::format("nic asm line {}: {}", line_number, failure.message));
  }
  return code;
}

}  // namespace nicsim::firmware
