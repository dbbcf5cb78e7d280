// The threaded-code loop: every handler ends by jumping straight to the next slot's handler
// (GCC/Clang "labels as values"), so there is no central switch on the opcode. Arithmetic is
// unsigned (alu.h) and every memory access goes through MemoryAccess, so that no program can
// make the loop itself misbehave.

#include <fmt/format.h>

#include <cstring>
#include <type_traits>

#include "ebpf/interp/alu.h"
#include "ebpf/interp/machine.h"
#include "ebpf/runtime/helpers.h"

namespace nicsim::ebpf::interp {

namespace {

[[gnu::noinline]] void describe_callx_fault(Machine& m, uint8_t reg, uint64_t value) {
  m.fault =
      fmt::format("callx r{} = {:#x} is neither a function address nor a helper id", reg, value);
}

// Helpers word their own faults ("helper map_update_elem: key pointer ... is not readable").
[[gnu::noinline]] void describe_helper_fault(Machine& m) {
  m.fault = m.runtime->fault().value_or("helper fault");
}

[[gnu::noinline]] void describe_budget_exhausted(Machine& m) {
  m.fault = fmt::format("instruction budget of {} exceeded", m.budget_limit);
}

[[gnu::noinline]] void describe_unimplemented_helper(Machine& m, int32_t id) {
  const std::string_view name = helper_name(id);
  m.fault = name.empty()
                ? fmt::format("callx to unknown helper {}", id)
                : fmt::format("callx to helper {} ({}), which nicsim does not implement", id, name);
}

// `labels` != nullptr asks for the label table instead of running: GCC label addresses only
// exist inside the function that defines the labels, and the decoder needs them.
bool loop(Machine* machine, const DecodedProgram* entry, const void* const** labels) {
#define NICSIM_INTERP_LABEL_ADDRESS(name) &&op_##name,
  static const void* const kLabels[] = {NICSIM_INTERP_HANDLERS(NICSIM_INTERP_LABEL_ADDRESS)};
#undef NICSIM_INTERP_LABEL_ADDRESS
  static_assert(sizeof(kLabels) / sizeof(kLabels[0]) == kHandlerCount);
  if (labels != nullptr) {
    *labels = kLabels;
    return true;
  }

  Machine& m = *machine;
  uint64_t* const reg = m.reg;
  MemoryAccess& mem = m.memory;
  const DecodedProgram* program = entry;
  const Slot* pc = program->slots.data();
  uint64_t budget = m.budget_left;
  // Scratch shared by handlers, declared here because computed gotos must not jump over
  // initialisations.
  uint64_t value = 0;
  uint8_t* target = nullptr;
  const Slot* callee = nullptr;
  CallFrame* frame = nullptr;
  HelperFunction helper = nullptr;
  int32_t helper_id = 0;
  TailCallOutcome tail;

#define DST reg[pc->dst]
#define SRC reg[pc->src]
#define OFFSET static_cast<uint64_t>(static_cast<int64_t>(pc->aux))
#define AS_SIGNED(x) static_cast<std::make_signed_t<std::remove_cv_t<decltype(x)>>>(x)
#define DISPATCH()                \
  do {                            \
    if (budget == 0) [[unlikely]] \
      goto out_of_budget;         \
    --budget;                     \
    goto * pc->handler;           \
  } while (0)
#define NEXT()  \
  do {          \
    ++pc;       \
    DISPATCH(); \
  } while (0)
#define JUMP_IF(condition)           \
  do {                               \
    pc += (condition) ? pc->aux : 1; \
    DISPATCH();                      \
  } while (0)

  DISPATCH();

  // ---- ALU: a = dst, b = src or imm; 32-bit forms use the low halves and zero-extend ----
#define ALU_FORMS(name, expr32, expr64)                             \
  op_##name##32_imm : {                                             \
    [[maybe_unused]] const uint32_t a = static_cast<uint32_t>(DST); \
    const uint32_t b = static_cast<uint32_t>(pc->imm);              \
    DST = static_cast<uint32_t>(expr32);                            \
    NEXT();                                                         \
  }                                                                 \
  op_##name##32_reg : {                                             \
    [[maybe_unused]] const uint32_t a = static_cast<uint32_t>(DST); \
    const uint32_t b = static_cast<uint32_t>(SRC);                  \
    DST = static_cast<uint32_t>(expr32);                            \
    NEXT();                                                         \
  }                                                                 \
  op_##name##64_imm : {                                             \
    [[maybe_unused]] const uint64_t a = DST;                        \
    const uint64_t b = pc->imm;                                     \
    DST = (expr64);                                                 \
    NEXT();                                                         \
  }                                                                 \
  op_##name##64_reg : {                                             \
    [[maybe_unused]] const uint64_t a = DST;                        \
    const uint64_t b = SRC;                                         \
    DST = (expr64);                                                 \
    NEXT();                                                         \
  }

  ALU_FORMS(add, a + b, a + b)
  ALU_FORMS(sub, a - b, a - b)
  ALU_FORMS(mul, a * b, a * b)
  ALU_FORMS(div, alu::div32(a, b), alu::div64(a, b))
  ALU_FORMS(sdiv, alu::sdiv32(a, b), alu::sdiv64(a, b))
  ALU_FORMS(mod, alu::mod32(a, b), alu::mod64(a, b))
  ALU_FORMS(smod, alu::smod32(a, b), alu::smod64(a, b))
  ALU_FORMS(or_, a | b, a | b)
  ALU_FORMS(and_, a & b, a & b)
  ALU_FORMS(xor_, a ^ b, a ^ b)
  ALU_FORMS(lsh, alu::lsh32(a, b), alu::lsh64(a, b))
  ALU_FORMS(rsh, alu::rsh32(a, b), alu::rsh64(a, b))
  ALU_FORMS(arsh, alu::arsh32(a, b), alu::arsh64(a, b))
  ALU_FORMS(mov, b, b)
#undef ALU_FORMS

op_neg32:
  DST = static_cast<uint32_t>(uint32_t{0} - static_cast<uint32_t>(DST));
  NEXT();
op_neg64:
  DST = uint64_t{0} - DST;
  NEXT();
op_movsx32_8:
  DST = static_cast<uint32_t>(alu::sign_extend<8>(SRC));
  NEXT();
op_movsx32_16:
  DST = static_cast<uint32_t>(alu::sign_extend<16>(SRC));
  NEXT();
op_movsx64_8:
  DST = alu::sign_extend<8>(SRC);
  NEXT();
op_movsx64_16:
  DST = alu::sign_extend<16>(SRC);
  NEXT();
op_movsx64_32:
  DST = alu::sign_extend<32>(SRC);
  NEXT();
op_le16:
  DST = alu::to_le16(DST);
  NEXT();
op_le32:
  DST = alu::to_le32(DST);
  NEXT();
op_le64:
  DST = alu::to_le64(DST);
  NEXT();
op_be16:
  DST = alu::to_be16(DST);
  NEXT();
op_be32:
  DST = alu::to_be32(DST);
  NEXT();
op_be64:
  DST = alu::to_be64(DST);
  NEXT();
op_bswap16:
  DST = alu::bswap16(DST);
  NEXT();
op_bswap32:
  DST = alu::bswap32(DST);
  NEXT();
op_bswap64:
  DST = alu::bswap64(DST);
  NEXT();

  // ---- 64-bit immediates ----
op_lddw:
  DST = pc->imm;
  pc += 2;
  DISPATCH();
op_lddw_btf:
  m.fault = "lddw of a kernel variable by BTF id (src 3) is not supported by nicsim";
  goto abort;
op_lddw_second_slot:
  m.fault = "execution reached the second slot of an lddw";
  goto abort;

  // ---- loads and stores ----
#define LOAD(name, method, bytes)                                             \
  op_##name : if (!mem.method<bytes>(SRC + OFFSET, value)) goto memory_fault; \
  DST = value;                                                                \
  NEXT();
  LOAD(ldxb, load, 1)
  LOAD(ldxh, load, 2)
  LOAD(ldxw, load, 4)
  LOAD(ldxdw, load, 8)
  LOAD(ldxsb, load_signed, 1)
  LOAD(ldxsh, load_signed, 2)
  LOAD(ldxsw, load_signed, 4)
#undef LOAD

#define STORE(name, bytes, stored_value)                                            \
  op_##name : if (!mem.store<bytes>(DST + OFFSET, stored_value)) goto memory_fault; \
  NEXT();
  STORE(stb, 1, pc->imm)
  STORE(sth, 2, pc->imm)
  STORE(stw, 4, pc->imm)
  STORE(stdw, 8, pc->imm)
  STORE(stxb, 1, SRC)
  STORE(stxh, 2, SRC)
  STORE(stxw, 4, SRC)
  STORE(stxdw, 8, SRC)
#undef STORE

  // Legacy packet loads: big-endian into r0; out of range ends the program with 0.
#define LEGACY_LOAD(name, bytes, offset)                                           \
  op_##name : if (!mem.legacy_packet_load(offset, bytes, value)) goto legacy_miss; \
  reg[0] = value;                                                                  \
  NEXT();
  LEGACY_LOAD(ld_abs_b, 1, static_cast<int32_t>(pc->imm))
  LEGACY_LOAD(ld_abs_h, 2, static_cast<int32_t>(pc->imm))
  LEGACY_LOAD(ld_abs_w, 4, static_cast<int32_t>(pc->imm))
  LEGACY_LOAD(ld_ind_b, 1, static_cast<int32_t>(static_cast<uint32_t>(SRC + pc->imm)))
  LEGACY_LOAD(ld_ind_h, 2, static_cast<int32_t>(static_cast<uint32_t>(SRC + pc->imm)))
  LEGACY_LOAD(ld_ind_w, 4, static_cast<int32_t>(static_cast<uint32_t>(SRC + pc->imm)))
#undef LEGACY_LOAD

  // ---- atomics: a = old memory value, b = src; fetching forms return a in src ----
#define ATOMIC(name, bytes, type, expr, fetch)                                \
  op_##name : {                                                               \
    target = mem.read_write<bytes>(DST + OFFSET);                             \
    if (target == nullptr) goto memory_fault;                                 \
    const type a = static_cast<type>(MemoryAccess::read_host<bytes>(target)); \
    const type b = static_cast<type>(SRC);                                    \
    MemoryAccess::write_host<bytes>(target, static_cast<type>(expr));         \
    if (fetch) SRC = a;                                                       \
    NEXT();                                                                   \
  }
#define ATOMIC_FORMS(name, expr, fetch)             \
  ATOMIC(atomic32_##name, 4, uint32_t, expr, fetch) \
  ATOMIC(atomic64_##name, 8, uint64_t, expr, fetch)
  ATOMIC_FORMS(add, a + b, false)
  ATOMIC_FORMS(or_, a | b, false)
  ATOMIC_FORMS(and_, a & b, false)
  ATOMIC_FORMS(xor_, a ^ b, false)
  ATOMIC_FORMS(fetch_add, a + b, true)
  ATOMIC_FORMS(fetch_or, a | b, true)
  ATOMIC_FORMS(fetch_and, a & b, true)
  ATOMIC_FORMS(fetch_xor, a ^ b, true)
  ATOMIC_FORMS(xchg, b, true)
#undef ATOMIC_FORMS
#undef ATOMIC

#define CMPXCHG(name, bytes, type)                                              \
  op_##name : {                                                                 \
    target = mem.read_write<bytes>(DST + OFFSET);                               \
    if (target == nullptr) goto memory_fault;                                   \
    const type old = static_cast<type>(MemoryAccess::read_host<bytes>(target)); \
    if (old == static_cast<type>(reg[0]))                                       \
      MemoryAccess::write_host<bytes>(target, static_cast<type>(SRC));          \
    reg[0] = old;                                                               \
    NEXT();                                                                     \
  }
  CMPXCHG(atomic32_cmpxchg, 4, uint32_t)
  CMPXCHG(atomic64_cmpxchg, 8, uint64_t)
#undef CMPXCHG

  // ---- jumps: a = dst, b = src or imm ----
op_ja:
  pc += pc->aux;
  DISPATCH();

#define JMP_FORMS(name, condition)                     \
  op_##name##_imm : {                                  \
    const uint64_t a = DST;                            \
    const uint64_t b = pc->imm;                        \
    JUMP_IF(condition);                                \
  }                                                    \
  op_##name##_reg : {                                  \
    const uint64_t a = DST;                            \
    const uint64_t b = SRC;                            \
    JUMP_IF(condition);                                \
  }                                                    \
  op_##name##32_imm : {                                \
    const uint32_t a = static_cast<uint32_t>(DST);     \
    const uint32_t b = static_cast<uint32_t>(pc->imm); \
    JUMP_IF(condition);                                \
  }                                                    \
  op_##name##32_reg : {                                \
    const uint32_t a = static_cast<uint32_t>(DST);     \
    const uint32_t b = static_cast<uint32_t>(SRC);     \
    JUMP_IF(condition);                                \
  }
  JMP_FORMS(jeq, a == b)
  JMP_FORMS(jne, a != b)
  JMP_FORMS(jset, (a & b) != 0)
  JMP_FORMS(jgt, a > b)
  JMP_FORMS(jge, a >= b)
  JMP_FORMS(jlt, a < b)
  JMP_FORMS(jle, a <= b)
  JMP_FORMS(jsgt, AS_SIGNED(a) > AS_SIGNED(b))
  JMP_FORMS(jsge, AS_SIGNED(a) >= AS_SIGNED(b))
  JMP_FORMS(jslt, AS_SIGNED(a) < AS_SIGNED(b))
  JMP_FORMS(jsle, AS_SIGNED(a) <= AS_SIGNED(b))
#undef JMP_FORMS

  // ---- calls ----
op_call_helper:
  helper = reinterpret_cast<HelperFunction>(pc->imm);
invoke_helper:
  mem.sync_regions();
  reg[0] = helper(reg[1], reg[2], reg[3], reg[4], reg[5], m.runtime);
  if (m.runtime->fault().has_value()) [[unlikely]] {
    describe_helper_fault(m);
    goto abort;
  }
  mem.refresh_packet();  // xdp_adjust_head/tail/meta move the packet
  NEXT();

op_call_tail:
  if (!m.programs->resolve_tail_call(reg[2], reg[3], m.tail_calls, tail, m.fault)) goto abort;
  if (tail.target == nullptr) {
    reg[0] = static_cast<uint64_t>(tail.error);
    NEXT();
  }
  ++m.tail_calls;
  program = tail.target;
  pc = program->slots.data();
  DISPATCH();

op_call_local:
  callee = pc + pc->aux;
push_frame:
  if (m.depth + 1 >= kMaxCallDepth) {
    m.fault = fmt::format("call depth exceeded: more than {} frames", kMaxCallDepth);
    goto abort;
  }
  frame = &m.frames[m.depth];
  frame->return_to = pc + 1;
  frame->program = program;
  std::memcpy(frame->callee_saved, reg + 6, sizeof(frame->callee_saved));
  ++m.depth;
  if (m.depth > m.max_depth) m.max_depth = m.depth;
  reg[kFrameRegister] = m.frame_pointer(m.depth);
  mem.set_live_stack(reg[kFrameRegister] - kStackSize);
  pc = callee;
  DISPATCH();

op_callx:
  callee = program->slot_at(DST);
  if (callee != nullptr) goto push_frame;
  // The bpf_conformance contract: a register holding a helper id calls that helper.
  if (DST <= static_cast<uint64_t>(INT32_MAX)) {
    helper_id = static_cast<int32_t>(DST);
    if (helper_id == kHelperTailCall) goto op_call_tail;
    const HelperInfo* info = find_helper(helper_id);
    if (info != nullptr && info->function != nullptr) {
      helper = info->function;
      goto invoke_helper;
    }
    if (!helper_name(helper_id).empty()) {
      describe_unimplemented_helper(m, helper_id);
      goto abort;
    }
  }
  describe_callx_fault(m, pc->dst, DST);
  goto abort;

op_exit:
  if (m.depth == 0) goto finished;
  --m.depth;
  frame = &m.frames[m.depth];
  std::memcpy(reg + 6, frame->callee_saved, sizeof(frame->callee_saved));
  reg[kFrameRegister] = m.frame_pointer(m.depth);
  mem.set_live_stack(reg[kFrameRegister] - kStackSize);
  program = frame->program;
  pc = frame->return_to;
  DISPATCH();

op_past_the_end:
  m.fault = "execution ran past the last instruction";
  goto abort;

  // ---- leaving the loop ----
legacy_miss:
  reg[0] = 0;
finished:
  m.budget_left = budget;
  return true;
out_of_budget:
  describe_budget_exhausted(m);
  goto abort;
memory_fault:
  m.fault = mem.fault();
abort:
  m.fault_program = program;
  m.fault_index = program->index_of(pc);
  m.budget_left = budget;
  return false;

#undef DST
#undef SRC
#undef OFFSET
#undef AS_SIGNED
#undef DISPATCH
#undef NEXT
#undef JUMP_IF
}

}  // namespace

bool run_loop(Machine& machine, const DecodedProgram& entry) {
  return loop(&machine, &entry, nullptr);
}

void bind_handlers(std::span<Slot> slots) {
  const void* const* labels = nullptr;
  loop(nullptr, nullptr, &labels);
  for (Slot& slot : slots)
    slot.handler = labels[static_cast<size_t>(slot.kind)];
}

}  // namespace nicsim::ebpf::interp
