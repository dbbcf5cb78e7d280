#include "model/core/core.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "firmware/isa/semantics.h"
#include "model/memory/host_bytes.h"

namespace nicsim::model {

using firmware::OpClass;
using firmware::Region;

namespace {

inline uint64_t truncate(uint64_t v, uint32_t size) {
  return size >= 8 ? v : v & ((uint64_t{1} << (8 * size)) - 1);
}

const char* region_name(Region region) {
  switch (region) {
    case Region::Null:
      return "null";
    case Region::Packet:
      return "packet";
    case Region::Stack:
      return "stack";
    case Region::Context:
      return "context";
    case Region::Map:
      return "map";
    case Region::MapHandle:
      return "map handle";
    case Region::FirmwareData:
      return "firmware data";
    case Region::Invalid:
      return "unmapped";
  }
  return "?";
}

// A load's address: base + offset, plus the index register where the load has one (b_mask
// all ones; 0 otherwise), without a branch on the form.
inline uint64_t load_address(const MicroOp& op,
                             const std::array<uint64_t, firmware::kNumOperandRegisters>& regs) {
  return regs[op.slot.ra] + static_cast<uint64_t>(op.offset) + (regs[op.slot.rb] & op.b_mask);
}

// Any memory operation's address (a store's or a read-modify-write's has no index form).
inline uint64_t memory_address(const MicroOp& op,
                               const std::array<uint64_t, firmware::kNumOperandRegisters>& regs) {
  if (op.slot.op == OpClass::Load) return load_address(op, regs);
  return regs[op.slot.ra] + static_cast<uint64_t>(op.offset);
}

using LoadLatencies = std::array<uint32_t, static_cast<size_t>(Region::Invalid) + 1>;

struct PendingWrite {
  uint8_t reg;
  uint64_t value;
  uint32_t latency;
};

struct PendingStore {
  uint8_t* host;
  uint32_t address;
  uint32_t size;
  uint64_t value;
};

// Operand B of an ALU operation or branch, a store's value (see MicroOp::b_mask).
inline uint64_t operand_b(const MicroOp& op,
                          const std::array<uint64_t, firmware::kNumOperandRegisters>& regs) {
  return (regs[op.slot.rb] & op.b_mask) | op.b;
}

// A load of N bytes into `write`; false when it faults.
template <uint32_t N>
[[gnu::always_inline]] inline bool load_into(AddressSpace& memory, ContextState& ctx,
                                             const MicroOp& op, const LoadLatencies& latency,
                                             PendingWrite& write) {
  const uint64_t address = load_address(op, ctx.regs);
  const Region region = firmware::region_of(address);
  uint64_t v;
  if (region == Region::Context) [[unlikely]] {
    const auto field = AddressSpace::read_context(ctx, address, N);
    if (!field && !op.slot.no_fault) return false;
    v = field.value_or(0);
  } else if (const uint8_t* host = memory.translate(ctx, address, N, false)) [[likely]] {
    v = load_n<N>(host);
  } else {
    if (!op.slot.no_fault) return false;
    v = 0;  // ldnf: 0 where a load would fault
  }
  v = static_cast<uint64_t>(static_cast<int64_t>(v << op.sign_shift) >> op.sign_shift);
  write = {op.slot.rd, v, latency[static_cast<size_t>(region)]};
  return true;
}

// A store of N bytes into `store` (committed at the end of the bundle); false when it faults.
template <uint32_t N>
[[gnu::always_inline]] inline bool store_into(AddressSpace& memory, ContextState& ctx,
                                              const MicroOp& op, PendingStore& store) {
  const uint64_t address = ctx.regs[op.slot.ra] + static_cast<uint64_t>(op.offset);
  uint8_t* host = memory.translate(ctx, address, N, true);
  if (host == nullptr) [[unlikely]]
    return false;
  store = {host, static_cast<uint32_t>(address), N, operand_b(op, ctx.regs)};
  return true;
}

}  // namespace

Core::Core(uint32_t index, const DecodedProgram& program, const ModelConfig& config,
           AddressSpace& memory, HelperUnits& helpers)
    : index_(index),
      program_(program),
      config_(config),
      memory_(memory),
      helpers_(helpers),
      contexts_(config.contexts) {
  const uint32_t k = config.contexts;
  rr_order_.resize(size_t{k} * k);
  for (uint32_t c = 0; c < k; ++c)
    for (uint32_t i = 0; i < k; ++i) {
      const uint32_t next = (c + 1 + i) % k;
      rr_order_[c * k + i] = {&contexts_[next], &rr_order_[next * k], next};
    }
  // Both passes start after the last context, that is at context 0.
  issue_order_ = fetch_order_ = &rr_order_[(k - 1) * k];
  for (size_t r = 0; r < load_latency_.size(); ++r)
    load_latency_[r] = region_load_latency(static_cast<Region>(r));
  initial_regs_[firmware::kFrameRegister] = firmware::kFramePointer;
  if (program_.entry_kind() != firmware::EntryKind::Raw) initial_regs_[1] = firmware::kContextBase;
}

uint32_t Core::region_load_latency(Region region) const {
  const LatencyConfig& l = config_.latency;
  switch (region) {
    case Region::Packet:
      return l.packet_load;
    case Region::Stack:
      return l.stack_load;
    case Region::Context:
      return l.context_load;
    case Region::Map:
      return l.map_load;
    default:
      return l.firmware_load;
  }
}

void Core::start_context(uint32_t c, uint64_t cycle) {
  ContextState& ctx = contexts_[c];
  ctx.phase = ContextPhase::Running;
  ctx.regs = initial_regs_;
  ctx.ready.fill(cycle);
  ctx.lr = 0;
  ctx.fb_valid = false;
  ctx.fetch_stop = false;
  ctx.fetch_pc = program_.entry();
  ctx.empty_cause = StallCause::Fetch;
  ctx.blocked_until = 0;
  ctx.clear_stack();  // the stack's valid bits are cleared at dispatch
  ctx.sync_packet_pointers();
  if (program_.entry_kind() == firmware::EntryKind::Raw) {
    ctx.regs[1] = ctx.pkt_data;
    ctx.regs[2] = ctx.pkt_end - ctx.pkt_data;
  }
  ctx.deadline = cycle + config_.max_cycles_per_packet;
  ++running_;
  next_deadline_ = std::min(next_deadline_, ctx.deadline);
  ctx.stats.start_cycle = cycle;
  ctx.redirect = ebpf::RedirectTarget{};
  // Field by field: assigning a fresh ExecutionResult builds and destroys a string per packet.
  // The binding names every field, so a field added to the struct stops the build here.
  auto& [return_value, aborted, diagnostic, instructions, tail_calls] = ctx.result;
  return_value = 0;
  aborted = false;
  diagnostic.clear();
  instructions = 0;
  tail_calls = 0;
  helpers_.start_packet(ctx);
  if (observer_ != nullptr)
    observer_->on_packet_start({cycle, static_cast<uint16_t>(index_), static_cast<uint8_t>(c),
                                ctx.fetch_pc, ctx.regs[1], ctx.regs[2]});
}

uint64_t Core::next_activity(uint64_t cycle) const {
  uint64_t next = UINT64_MAX;
  const auto later = [cycle](uint64_t when) { return when > cycle ? when : UINT64_MAX; };
  for (const ContextState& ctx : contexts_) {
    if (ctx.phase != ContextPhase::Running) continue;
    if (!ctx.fb_valid || ctx.fb->hcall) return cycle + 1;  // may fetch / the port is per cycle
    next = std::min({next, later(ctx.blocked_until), later(ctx.operands_ready), ctx.deadline});
    if (ctx.fb->divider) next = std::min(next, later(divider_free_));
    if (ctx.operands_ready <= cycle + 1 && ctx.blocked_until <= cycle + 1 &&
        (!ctx.fb->divider || divider_free_ <= cycle + 1))
      return cycle + 1;  // ready to issue
  }
  return std::max(next, cycle + 1);
}

void Core::skip(uint64_t first, uint64_t count) {
  for (ContextState& ctx : contexts_) {
    if (ctx.phase == ContextPhase::Running)
      ctx.stats.stalls[static_cast<size_t>(
          blocking_cause(ctx, first, false).value_or(StallCause::Issue))] += count;
  }
}

void Core::check_deadlines(uint64_t cycle, std::vector<uint32_t>& exits) {
  next_deadline_ = UINT64_MAX;
  for (uint32_t c = 0; c < contexts_.size(); ++c) {
    ContextState& ctx = contexts_[c];
    if (ctx.phase != ContextPhase::Running) continue;
    if (cycle >= ctx.deadline) {
      abort_packet(
          c, cycle - 1, ctx.regs[0],
          fmt::format("cycle budget of {} cycles exhausted", config_.max_cycles_per_packet), exits);
      if (observer_ != nullptr)
        observer_->on_abort(cycle - 1, static_cast<uint16_t>(index_), static_cast<uint8_t>(c));
    } else
      next_deadline_ = std::min(next_deadline_, ctx.deadline);
  }
}

bool Core::step_any_shape(uint64_t cycle, SharedUnits& shared, std::vector<uint32_t>& exits) {
  return step_contexts<0>(cycle, shared, exits);
}

// Inlined into execute()'s exit path, which every packet takes.
[[gnu::always_inline]] inline void Core::end_packet(uint32_t c, uint64_t cycle, uint64_t r0,
                                                    std::vector<uint32_t>& exits) {
  ContextState& ctx = contexts_[c];
  ctx.result.return_value = r0;
  ctx.result.instructions = ctx.stats.ebpf_instructions;
  ctx.stats.exit_cycle = cycle;
  ctx.phase = ContextPhase::Draining;
  --running_;
  ctx.fb_valid = false;
  ctx.fetch_stop = true;
  exits.push_back(c);
}

void Core::abort_packet(uint32_t c, uint64_t cycle, uint64_t r0, std::string diagnostic,
                        std::vector<uint32_t>& exits) {
  ContextState& ctx = contexts_[c];
  ctx.result.aborted = true;
  ctx.result.diagnostic = std::move(diagnostic);
  end_packet(c, cycle, r0, exits);
}

// For an observer: the reads of the bundle's first `lanes` operations, before its stores and
// register writes take effect (as execute() saw them).
void Core::record_reads(ContextState& ctx, const MicroBundle& mb, int lanes,
                        BundleRetire& record) const {
  for (int i = 0; i < lanes; ++i) {
    const MicroOp& op = mb.ops[i];
    const firmware::Slot& s = op.slot;
    const bool rmw = s.op == OpClass::Atomic || s.op == OpClass::Xchg || s.op == OpClass::Cmpxchg;
    if (s.op != OpClass::Load && !rmw) continue;
    const uint64_t address = memory_address(op, ctx.regs);
    const uint32_t size = rmw ? (s.w32 ? 4 : 8) : s.size;
    MemoryRead& read = record.memory_reads[record.memory_read_count++];
    read.address = static_cast<uint32_t>(address);
    read.size = static_cast<uint8_t>(size);
    if (!rmw && firmware::region_of(address) == Region::Context) {
      const auto field = AddressSpace::read_context(ctx, address, size);
      read.refused = !field;
      read.value = field.value_or(0);
    } else {
      const uint8_t* host = memory_.translate(ctx, address, size, rmw);
      read.refused = host == nullptr;
      read.value = host ? load_le(host, size) : 0;
    }
  }
}

uint64_t Core::special_register(const ContextState& ctx, uint32_t c, int32_t which,
                                uint64_t cycle) const {
  switch (static_cast<firmware::SpecialReg>(which)) {
    case firmware::SpecialReg::PktData:
      return ctx.pkt_data;
    case firmware::SpecialReg::PktEnd:
      return ctx.pkt_end;
    case firmware::SpecialReg::PktMeta:
      return ctx.pkt_meta;
    case firmware::SpecialReg::PktLen:
      return ctx.pkt_end - ctx.pkt_data;
    case firmware::SpecialReg::IngressIfindex:
      return ctx.ingress_ifindex;
    case firmware::SpecialReg::RxQueueIndex:
      return ctx.rx_queue_index;
    case firmware::SpecialReg::EgressIfindex:
      return 0;
    case firmware::SpecialReg::CpuId:
      return ctx.cpu_id;
    case firmware::SpecialReg::TimeNs:
      return ctx.time_ns;
    case firmware::SpecialReg::ContextId:
      return uint64_t{index_} * config_.contexts + c;
    case firmware::SpecialReg::Cycle:
      return cycle;
  }
  return 0;
}

// Threaded dispatch (see op_kind.h): each handler ends with a jump to the next operation's
// handler, and a bundle's End operation to the commit. The handlers only read registers and
// memory; the bundle's register writes and stores are committed together at its end, so a
// faulting operation leaves no trace. The computed goto is a GNU extension (GCC and Clang).
void Core::execute(uint32_t c, const MicroBundle& mb, uint64_t cycle, SharedUnits& shared,
                   std::vector<uint32_t>& exits) {
  static const void* const kHandlers[] = {
#define NICSIM_OP_HANDLER_ADDRESS(kind) &&op_##kind,
      NICSIM_OP_KINDS(NICSIM_OP_HANDLER_ADDRESS)
#undef NICSIM_OP_HANDLER_ADDRESS
  };
  ContextState& ctx = contexts_[c];
  auto& regs = ctx.regs;
  ++ctx.stats.bundles;

  PendingWrite writes[firmware::kMaxLanes];
  PendingStore stores[firmware::kMaxLanes];
  int write_count = 0, store_count = 0;
  // The first control operation that is taken, and the r0 it exits with (read when taken:
  // the bundle's own register writes must not change it).
  const MicroOp* control = nullptr;
  uint64_t exit_value = 0;
  const MicroOp* hcall = nullptr;
  const MicroOp* op = mb.ops.data();

#define NICSIM_NEXT_OP goto* kHandlers[static_cast<size_t>((++op)->kind)]
#define NICSIM_ALU(func, w32)                                                               \
  writes[write_count++] = {                                                                 \
      op->slot.rd,                                                                          \
      firmware::alu(firmware::AluFunc::func, w32, regs[op->slot.ra], operand_b(*op, regs)), \
      op->alu_latency};                                                                     \
  NICSIM_NEXT_OP
  // Selects rather than branches: whether the simulated program branches is the kind of
  // data-dependent outcome the host predicts worst.
#define NICSIM_TAKE_IF(condition, value)                  \
  {                                                       \
    const bool taken = (condition) && control == nullptr; \
    exit_value = taken ? (value) : exit_value;            \
    control = taken ? op : control;                       \
  }                                                       \
  NICSIM_NEXT_OP
#define NICSIM_BRANCH64(cond)                                                             \
  NICSIM_TAKE_IF(firmware::compare(firmware::Cond::cond, false,                           \
                                   regs[op->slot.ra] + static_cast<uint64_t>(op->offset), \
                                   operand_b(*op, regs)),                                 \
                 op->exit_value)
#define NICSIM_LOAD(size)                                                                    \
  if (!load_into<size>(memory_, ctx, *op, load_latency_, writes[write_count])) goto faulted; \
  ++write_count;                                                                             \
  NICSIM_NEXT_OP
#define NICSIM_STORE(size)                                                     \
  if (!store_into<size>(memory_, ctx, *op, stores[store_count])) goto faulted; \
  ++store_count;                                                               \
  NICSIM_NEXT_OP

  goto* kHandlers[static_cast<size_t>(op->kind)];

op_Alu64Add:
  NICSIM_ALU(Add, false);
op_Alu64Sub:
  NICSIM_ALU(Sub, false);
op_Alu64Mul:
  NICSIM_ALU(Mul, false);
op_Alu64Or:
  NICSIM_ALU(Or, false);
op_Alu64And:
  NICSIM_ALU(And, false);
op_Alu64Xor:
  NICSIM_ALU(Xor, false);
op_Alu64Lsh:
  NICSIM_ALU(Lsh, false);
op_Alu64Rsh:
  NICSIM_ALU(Rsh, false);
op_Alu64Arsh:
  NICSIM_ALU(Arsh, false);
op_Alu64Mov:
  NICSIM_ALU(Mov, false);
op_Alu64Rsub:
  NICSIM_ALU(Rsub, false);
op_Alu32Add:
  NICSIM_ALU(Add, true);
op_Alu32Sub:
  NICSIM_ALU(Sub, true);
op_Alu32Mul:
  NICSIM_ALU(Mul, true);
op_Alu32Or:
  NICSIM_ALU(Or, true);
op_Alu32And:
  NICSIM_ALU(And, true);
op_Alu32Xor:
  NICSIM_ALU(Xor, true);
op_Alu32Lsh:
  NICSIM_ALU(Lsh, true);
op_Alu32Rsh:
  NICSIM_ALU(Rsh, true);
op_Alu32Arsh:
  NICSIM_ALU(Arsh, true);
op_Alu32Mov:
  NICSIM_ALU(Mov, true);
op_AluOther:
  writes[write_count++] = {
      op->slot.rd,
      firmware::alu(op->slot.func, op->slot.w32, regs[op->slot.ra], operand_b(*op, regs)),
      op->alu_latency};
  NICSIM_NEXT_OP;
op_Jump:
  NICSIM_TAKE_IF(true, op->exit_value);
op_Branch64Eq:
  NICSIM_BRANCH64(Eq);
op_Branch64Ne:
  NICSIM_BRANCH64(Ne);
op_Branch64Gt:
  NICSIM_BRANCH64(Gt);
op_Branch64Ge:
  NICSIM_BRANCH64(Ge);
op_Branch64Lt:
  NICSIM_BRANCH64(Lt);
op_Branch64Le:
  NICSIM_BRANCH64(Le);
op_Branch64Sgt:
  NICSIM_BRANCH64(Sgt);
op_Branch64Sge:
  NICSIM_BRANCH64(Sge);
op_Branch64Slt:
  NICSIM_BRANCH64(Slt);
op_Branch64Sle:
  NICSIM_BRANCH64(Sle);
op_Branch64Set:
  NICSIM_BRANCH64(Set);
op_Branch64Nset:
  NICSIM_BRANCH64(Nset);
op_Branch32:
  NICSIM_TAKE_IF(
      firmware::compare(op->slot.cond, true, regs[op->slot.ra] + static_cast<uint64_t>(op->offset),
                        operand_b(*op, regs)),
      op->exit_value);
op_Load1:
  NICSIM_LOAD(1);
op_Load2:
  NICSIM_LOAD(2);
op_Load3:
  NICSIM_LOAD(3);
op_Load4:
  NICSIM_LOAD(4);
op_Load5:
  NICSIM_LOAD(5);
op_Load6:
  NICSIM_LOAD(6);
op_Load7:
  NICSIM_LOAD(7);
op_Load8:
  NICSIM_LOAD(8);
op_Store1:
  NICSIM_STORE(1);
op_Store2:
  NICSIM_STORE(2);
op_Store3:
  NICSIM_STORE(3);
op_Store4:
  NICSIM_STORE(4);
op_Store5:
  NICSIM_STORE(5);
op_Store6:
  NICSIM_STORE(6);
op_Store7:
  NICSIM_STORE(7);
op_Store8:
  NICSIM_STORE(8);
op_ReadModifyWrite : {
  const firmware::Slot& s = op->slot;
  const uint32_t size = s.w32 ? 4 : 8;
  const uint64_t address = memory_address(*op, regs);
  uint8_t* host = memory_.translate(ctx, address, size, true);
  if (host == nullptr) goto faulted;
  const uint64_t old = load_le(host, size);
  uint64_t updated;
  if (s.op == OpClass::Atomic) {
    updated = firmware::atomic_apply(s.atomic_op, old, regs[s.rb]);
  } else if (s.op == OpClass::Xchg) {
    updated = regs[s.rb];
  } else {
    updated = truncate(regs[s.rd], size) == old ? regs[s.rb] : old;
  }
  stores[store_count++] = {host, static_cast<uint32_t>(address), size, truncate(updated, size)};
  if (s.op != OpClass::Atomic || s.fetch)
    writes[write_count++] = {s.rd, old,
                             load_latency_[static_cast<size_t>(firmware::region_of(address))]};
  NICSIM_NEXT_OP;
}
op_Movs:
  writes[write_count++] = {op->slot.rd, special_register(ctx, c, op->slot.imm, cycle), 1};
  NICSIM_NEXT_OP;
op_ExitImm:
  NICSIM_TAKE_IF(true, op->exit_value);
op_ExitReg:
  NICSIM_TAKE_IF(true, regs[op->slot.ra]);
op_CallF:
  NICSIM_TAKE_IF(true, exit_value);
op_Ret:
  NICSIM_TAKE_IF(true, exit_value);
op_HCall:
  hcall = op;
  NICSIM_NEXT_OP;

#undef NICSIM_STORE
#undef NICSIM_LOAD
#undef NICSIM_BRANCH64
#undef NICSIM_TAKE_IF
#undef NICSIM_ALU
#undef NICSIM_NEXT_OP

faulted:
op_End:
  // The operations run (a faulting one excluded): only an observer or a fault reads it.
  const auto lanes_run = [&] { return static_cast<int>(op - mb.ops.data()); };
  const bool faulted = op->kind != OpKind::End;
  // The retire record is built only for an observer (it is a few hundred bytes).
  BundleRetire* retire = nullptr;
  BundleRetire& record = retire_scratch_;
  if (observer_ != nullptr) [[unlikely]] {
    retire = &record;
    record = BundleRetire{};
    record_reads(ctx, mb, lanes_run(), record);
    record.cycle = cycle;
    record.core = static_cast<uint16_t>(index_);
    record.context = static_cast<uint8_t>(c);
    record.address = static_cast<uint16_t>(ctx.fb_addr);
  }

  if (faulted) [[unlikely]] {
    const firmware::Slot& s = op->slot;
    const bool rmw = op->kind == OpKind::ReadModifyWrite;
    const uint64_t address = memory_address(*op, regs);
    const uint32_t size = rmw ? (s.w32 ? 4 : 8) : s.size;
    if (retire) {
      record.ends_packet = record.fault = true;
      record.return_value = regs[0];
      observer_->on_retire(record);
    }
    abort_packet(c, cycle, regs[0],
                 fmt::format("bounds fault: {}-byte {} at 0x{:x} ({} region) in bundle {} lane {}",
                             size, s.op == OpClass::Load ? "load" : "store", address,
                             region_name(firmware::region_of(address)), ctx.fb_addr, lanes_run()),
                 exits);
    return;
  }

  // A helper call reads its arguments as the bundle found them.
  uint64_t hcall_args[5];
  if (hcall != nullptr) std::copy_n(regs.begin() + 1, 5, hcall_args);

  for (int i = 0; i < write_count; ++i) {
    const PendingWrite& w = writes[i];
    regs[w.reg] = w.value;
    ctx.ready[w.reg] = cycle + w.latency;
    if (retire)
      record.register_writes[record.register_write_count++] = {w.reg, w.value,
                                                               cycle + w.latency - 1};
  }
  for (int i = 0; i < store_count; ++i) {
    const PendingStore& st = stores[i];
    store_le(st.host, st.size, st.value);
    if (retire)
      record.memory_writes[record.memory_write_count++] = {
          st.address, static_cast<uint8_t>(st.size), truncate(st.value, st.size)};
  }
  ctx.stats.ebpf_instructions += mb.ebpf_count;
  if (mb.divider) divider_free_ = cycle + mb.divider_latency;

  if (hcall != nullptr) {
    shared.helper_port_taken = true;
    const int32_t id = hcall->slot.imm;
    HelperResult result = helpers_.call(hcall->helper, id, hcall_args, ctx);
    if (retire)
      record.helper = {true,
                       id,
                       {hcall_args[0], hcall_args[1], hcall_args[2], hcall_args[3], hcall_args[4]},
                       result.r0,
                       result.latency,
                       result.fault};
    if (result.fault) {
      if (retire) {
        record.ends_packet = record.fault = true;
        record.return_value = regs[0];
        observer_->on_retire(record);
      }
      abort_packet(c, cycle, regs[0], std::move(result.diagnostic), exits);
      return;
    }
    regs[0] = result.r0;
    ctx.ready[0] = cycle + result.latency;
    ctx.blocked_until = cycle + result.latency;
    if (retire)
      record.register_writes[record.register_write_count++] = {0, result.r0,
                                                               cycle + result.latency - 1};
  }

  if (control != nullptr) {
    if (control->taken == ControlKind::Exit) {
      regs[0] = exit_value;
      ctx.ready[0] = cycle + 1;
      if (retire) {
        record.register_writes[record.register_write_count++] = {0, exit_value, cycle};
        record.ends_packet = true;
        record.return_value = exit_value;
        observer_->on_retire(record);
      }
      end_packet(c, cycle, exit_value, exits);
      return;
    }
    if (control->kind == OpKind::Ret) {
      ctx.fetch_pc = ctx.lr;
    } else {
      if (control->kind == OpKind::CallF) ctx.lr = ctx.fb_addr + 1;
      ctx.fetch_pc = control->target;
    }
  }
  if (retire) observer_->on_retire(record);
}

}  // namespace nicsim::model
