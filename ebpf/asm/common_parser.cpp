// The instructions that read the same in both syntaxes.
#include <fmt/format.h>

#include "ebpf/asm/operands.h"
#include "ebpf/asm/parsers.h"

namespace nicsim::ebpf::assembly {

namespace {

Operation parse_call(TokenStream& ts) {
  const Token& arg = ts.peek();
  if (is_register(arg)) return CallIndirect{expect_register(ts).num};
  if (ts.accept("local")) return CallLocal{parse_target(ts)};
  if (arg.is("kfunc") && !ts.peek(1).is_end()) {
    ts.next();
    return CallKfunc{to_imm32(expect_number(ts, "a BTF id"), ts)};
  }
  if (arg.is("pc") && (ts.peek(1).is("+") || ts.peek(1).is("-")))
    return CallLocal{parse_target(ts)};
  if (auto helper = accept_number(ts)) return CallHelper{to_imm32(*helper, ts)};
  if (arg.is_identifier() && ts.peek(1).is("#")) {  // kernel log: "call bpf_map_lookup_elem#1"
    ts.next();
    ts.next();
    return CallHelper{to_imm32(expect_number(ts, "a helper number"), ts)};
  }
  if (arg.is("<") || arg.is_identifier()) return CallLocal{parse_target(ts)};
  ts.fail(
      fmt::format("expected a helper number, a register or a function label after 'call' "
                  "but found {}",
                  TokenStream::describe(arg)));
}

}  // namespace

std::optional<Operation> parse_common(TokenStream& ts) {
  const Token& head = ts.peek();
  if (!head.is_identifier()) return std::nullopt;
  if (head.text == "exit") {
    ts.next();
    return Exit{};
  }
  if (head.text == "call") {
    ts.next();
    return parse_call(ts);
  }
  if (head.text == "callx") {
    ts.next();
    return CallIndirect{expect_register(ts).num};
  }
  if (head.text == ".raw") {
    ts.next();
    return RawSlot{to_imm64(expect_number(ts, "a 64-bit slot value"), ts)};
  }
  return std::nullopt;
}

}  // namespace nicsim::ebpf::assembly
