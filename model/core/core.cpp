#include "model/core/core.h"

#include <fmt/format.h>

#include <cstring>

#include "firmware/isa/semantics.h"

namespace nicsim::model {

using firmware::OpClass;
using firmware::Region;

namespace {

// The model runs on little-endian hosts. Every access size (1 to 8 bytes; merged accesses
// make 3, 5, 6 and 7 common) is a fixed-size copy, a move or two, rather than a call to
// memcpy with a variable size.
template <uint32_t N>
inline uint64_t load_n(const uint8_t* p) {
  uint64_t v = 0;
  std::memcpy(&v, p, N);
  return v;
}

template <uint32_t N>
inline void store_n(uint8_t* p, uint64_t v) {
  std::memcpy(p, &v, N);
}

inline uint64_t load_le(const uint8_t* p, uint32_t size) {
  switch (size) {
    case 1:
      return load_n<1>(p);
    case 2:
      return load_n<2>(p);
    case 3:
      return load_n<3>(p);
    case 4:
      return load_n<4>(p);
    case 5:
      return load_n<5>(p);
    case 6:
      return load_n<6>(p);
    case 7:
      return load_n<7>(p);
    default:
      return load_n<8>(p);  // the encoding holds sizes 1..8 only
  }
}

inline void store_le(uint8_t* p, uint32_t size, uint64_t v) {
  switch (size) {
    case 1:
      return store_n<1>(p, v);
    case 2:
      return store_n<2>(p, v);
    case 3:
      return store_n<3>(p, v);
    case 4:
      return store_n<4>(p, v);
    case 5:
      return store_n<5>(p, v);
    case 6:
      return store_n<6>(p, v);
    case 7:
      return store_n<7>(p, v);
    default:
      return store_n<8>(p, v);
  }
}

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

// A load's (or a read-modify-write's: no index form) address.
inline uint64_t memory_address(const MicroOp& op,
                               const std::array<uint64_t, firmware::kNumOperandRegisters>& regs) {
  const firmware::Slot& s = op.slot;
  uint64_t address = regs[s.ra] + static_cast<uint64_t>(op.offset);
  if (s.op == OpClass::Load && s.load_mode == firmware::LoadMode::BaseIndex) address += regs[s.rb];
  return address;
}

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

}  // namespace

Core::Core(uint32_t index, const DecodedProgram& program, const ModelConfig& config,
           AddressSpace& memory, HelperUnits& helpers)
    : index_(index),
      program_(program),
      config_(config),
      memory_(memory),
      helpers_(helpers),
      contexts_(config.contexts),
      issue_rr_(config.contexts - 1),
      fetch_rr_(config.contexts - 1) {
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
  ctx.result = ebpf::ExecutionResult{};
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

// Inlined: it runs for every running context in every cycle.
[[gnu::always_inline]] inline std::optional<StallCause> Core::blocking_cause(
    ContextState& ctx, uint64_t cycle, bool helper_port_taken) const {
  if (cycle < ctx.blocked_until) return StallCause::Helper;
  if (ctx.fb_valid) {
    const MicroBundle& mb = *ctx.fb;
    if ((mb.divider && cycle < divider_free_) || (mb.hcall && helper_port_taken))
      return StallCause::Unit;
    if (cycle < ctx.operands_ready) return StallCause::Data;
    return std::nullopt;
  }
  const StallCause cause = ctx.empty_cause;
  ctx.empty_cause = StallCause::Fetch;
  return cause;
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

bool Core::step(uint64_t cycle, SharedUnits& shared, std::vector<uint32_t>& exits) {
  if (running_ == 0) return false;
  if (cycle >= next_deadline_) check_deadlines(cycle, exits);
  const uint32_t k = config_.contexts;

  // Issue: the first ready context after the one that issued last. Every other running
  // context is charged its stall in the same pass.
  int issued = -1;
  for (uint32_t i = 1; i <= k; ++i) {
    const uint32_t c = issue_rr_ + i < k ? issue_rr_ + i : issue_rr_ + i - k;
    ContextState& ctx = contexts_[c];
    if (ctx.phase != ContextPhase::Running) continue;
    std::optional<StallCause> cause = blocking_cause(ctx, cycle, shared.helper_port_taken);
    if (!cause) {
      if (issued < 0) {
        issued = static_cast<int>(c);
        continue;
      }
      cause = StallCause::Issue;  // ready, but another context issued
    }
    ++ctx.stats.stalls[static_cast<size_t>(*cause)];
  }
  int resolved = -1;  // context whose control bundle issued: it fetches again from cycle + 1
  if (issued >= 0) {
    const auto c = static_cast<uint32_t>(issued);
    ContextState& ctx = contexts_[c];
    issue_rr_ = c;
    ctx.fb_valid = false;
    const MicroBundle& mb = *ctx.fb;
    if (mb.control) resolved = issued;
    execute(c, mb, cycle, shared, exits);
  }

  // Fetch: the first context after the one that fetched last whose fetch buffer is free and
  // whose next bundle address is known.
  bool fetched = false;
  const uint32_t register_list_length = program_.register_list_length();
  for (uint32_t i = 1; i <= k; ++i) {
    const uint32_t c = fetch_rr_ + i < k ? fetch_rr_ + i : fetch_rr_ + i - k;
    ContextState& ctx = contexts_[c];
    if (ctx.phase != ContextPhase::Running || ctx.fetch_stop || ctx.fb_valid) continue;
    ctx.fb_valid = true;
    ctx.fb_addr = ctx.fetch_pc++;
    ctx.fb = &program_.bundle(ctx.fb_addr);
    ctx.fetch_stop = ctx.fb->control;
    // The context's earlier bundles have issued: their writes are in the scoreboard.
    uint64_t ready = 0;
    for (uint32_t r = 0; r < register_list_length; ++r)
      ready = std::max(ready, ctx.ready[ctx.fb->register_list[r]]);
    ctx.operands_ready = ready;
    fetch_rr_ = c;
    fetched = true;
    if (observer_ != nullptr) [[unlikely]]
      observer_->on_fetch(cycle, static_cast<uint16_t>(index_), static_cast<uint8_t>(c),
                          ctx.fb_addr);
    break;
  }
  if (resolved >= 0) {
    ContextState& ctx = contexts_[static_cast<uint32_t>(resolved)];
    if (ctx.phase == ContextPhase::Running) {
      ctx.fetch_stop = false;
      ctx.empty_cause = StallCause::Branch;
    }
  }
  return issued >= 0 || fetched;
}

void Core::end_packet(uint32_t c, uint64_t cycle, uint64_t r0, std::vector<uint32_t>& exits) {
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

void Core::execute(uint32_t c, const MicroBundle& mb, uint64_t cycle, SharedUnits& shared,
                   std::vector<uint32_t>& exits) {
  ContextState& ctx = contexts_[c];
  auto& regs = ctx.regs;
  ++ctx.stats.bundles;

  PendingWrite writes[firmware::kMaxLanes];
  PendingStore stores[firmware::kMaxLanes];
  int write_count = 0, store_count = 0;
  enum class Control : uint8_t { None, Jump, Exit } control = Control::None;
  uint32_t target = 0;
  uint64_t exit_value = 0;
  bool call = false;
  int hcall_lane = -1;
  uint64_t hcall_args[5] = {};
  int fault_lane = -1;
  uint64_t fault_address = 0;
  uint32_t fault_size = 0;
  bool fault_write = false;

  for (int i = 0; i < mb.count && fault_lane < 0; ++i) {
    const MicroOp& op = mb.ops[i];
    const firmware::Slot& s = op.slot;
    const auto fault = [&](uint64_t address, uint32_t size, bool write) {
      fault_lane = i;
      fault_address = address;
      fault_size = size;
      fault_write = write;
    };
    switch (s.op) {
      case OpClass::Alu: {
        const uint64_t b = s.b == firmware::OperandB::Reg ? regs[s.rb] : op.b;
        writes[write_count++] = {s.rd, firmware::alu(s.func, s.w32, regs[s.ra], b), op.alu_latency};
        break;
      }
      case OpClass::Movs: {
        uint64_t v = 0;
        switch (static_cast<firmware::SpecialReg>(s.imm)) {
          case firmware::SpecialReg::PktData:
            v = ctx.pkt_data;
            break;
          case firmware::SpecialReg::PktEnd:
            v = ctx.pkt_end;
            break;
          case firmware::SpecialReg::PktMeta:
            v = ctx.pkt_meta;
            break;
          case firmware::SpecialReg::PktLen:
            v = ctx.pkt_end - ctx.pkt_data;
            break;
          case firmware::SpecialReg::IngressIfindex:
            v = ctx.ingress_ifindex;
            break;
          case firmware::SpecialReg::RxQueueIndex:
            v = ctx.rx_queue_index;
            break;
          case firmware::SpecialReg::EgressIfindex:
            v = 0;
            break;
          case firmware::SpecialReg::CpuId:
            v = ctx.cpu_id;
            break;
          case firmware::SpecialReg::TimeNs:
            v = ctx.time_ns;
            break;
          case firmware::SpecialReg::ContextId:
            v = uint64_t{index_} * config_.contexts + c;
            break;
          case firmware::SpecialReg::Cycle:
            v = cycle;
            break;
        }
        writes[write_count++] = {s.rd, v, 1};
        break;
      }
      case OpClass::Load: {
        const uint64_t address = memory_address(op, regs);
        const Region region = firmware::region_of(address);
        uint64_t v;
        if (region == Region::Context) {
          auto field = AddressSpace::read_context(ctx, address, s.size);
          if (!field && !s.no_fault) {
            fault(address, s.size, false);
            break;
          }
          v = field.value_or(0);
        } else {
          const uint8_t* host = memory_.translate(ctx, address, s.size, false);
          if (host == nullptr && !s.no_fault) {
            fault(address, s.size, false);
            break;
          }
          v = host ? load_le(host, s.size) : 0;  // ldnf: 0 where a load would fault
        }
        if (s.sign_extend) v = firmware::sign_extend_bytes(v, s.size);
        writes[write_count++] = {s.rd, v, load_latency_[static_cast<size_t>(region)]};
        break;
      }
      case OpClass::Store: {
        const uint64_t address = regs[s.ra] + static_cast<uint64_t>(op.offset);
        uint8_t* host = memory_.translate(ctx, address, s.size, true);
        if (host == nullptr) {
          fault(address, s.size, true);
          break;
        }
        const uint64_t value = s.store_value == firmware::StoreValue::Reg ? regs[s.rb] : op.b;
        stores[store_count++] = {host, static_cast<uint32_t>(address), s.size, value};
        break;
      }
      case OpClass::Atomic:
      case OpClass::Xchg:
      case OpClass::Cmpxchg: {
        const uint32_t size = s.w32 ? 4 : 8;
        const uint64_t address = memory_address(op, regs);
        uint8_t* host = memory_.translate(ctx, address, size, true);
        if (host == nullptr) {
          fault(address, size, true);
          break;
        }
        const uint64_t old = load_le(host, size);
        uint64_t updated;
        if (s.op == OpClass::Atomic) {
          updated = firmware::atomic_apply(s.atomic_op, old, regs[s.rb]);
        } else if (s.op == OpClass::Xchg) {
          updated = regs[s.rb];
        } else {
          updated = truncate(regs[s.rd], size) == old ? regs[s.rb] : old;
        }
        stores[store_count++] = {host, static_cast<uint32_t>(address), size,
                                 truncate(updated, size)};
        if (s.op != OpClass::Atomic || s.fetch)
          writes[write_count++] = {
              s.rd, old, load_latency_[static_cast<size_t>(firmware::region_of(address))]};
        break;
      }
      case OpClass::Branch:
        if (control == Control::None &&
            firmware::compare(s.cond, s.w32,
                              regs[s.ra] + (s.b == firmware::OperandB::Reg
                                                ? static_cast<uint64_t>(static_cast<int64_t>(s.imm))
                                                : 0),
                              s.b == firmware::OperandB::Reg ? regs[s.rb] : op.b)) {
          if (s.targets_exit_vector()) {
            control = Control::Exit;
            exit_value = s.target() - firmware::kExitVectorBase;
          } else {
            control = Control::Jump;
            target = s.target();
          }
        }
        break;
      case OpClass::ExitImm:
        if (control == Control::None) {
          control = Control::Exit;
          exit_value = static_cast<uint64_t>(static_cast<int64_t>(s.imm));
        }
        break;
      case OpClass::ExitReg:
        if (control == Control::None) {
          control = Control::Exit;
          exit_value = regs[s.ra];
        }
        break;
      case OpClass::CallF:
        if (control == Control::None) {
          control = Control::Jump;
          target = s.target();
          call = true;
        }
        break;
      case OpClass::Ret:
        if (control == Control::None) {
          control = Control::Jump;
          target = ctx.lr;
        }
        break;
      case OpClass::HCall:
        hcall_lane = i;
        for (int a = 0; a < 5; ++a)
          hcall_args[a] = regs[a + 1];
        break;
      case OpClass::Nop:
        break;
    }
  }

  // The retire record is built only for an observer (it is a few hundred bytes).
  BundleRetire* retire = nullptr;
  BundleRetire& record = retire_scratch_;
  if (observer_ != nullptr) {
    retire = &record;
    record = BundleRetire{};
    record_reads(ctx, mb, fault_lane >= 0 ? fault_lane : mb.count, record);
    record.cycle = cycle;
    record.core = static_cast<uint16_t>(index_);
    record.context = static_cast<uint8_t>(c);
    record.address = static_cast<uint16_t>(ctx.fb_addr);
  }

  if (fault_lane >= 0) {
    const Region region = firmware::region_of(fault_address);
    if (retire) {
      record.ends_packet = record.fault = true;
      record.return_value = regs[0];
      observer_->on_retire(record);
    }
    abort_packet(c, cycle, regs[0],
                 fmt::format("bounds fault: {}-byte {} at 0x{:x} ({} region) in bundle {} lane {}",
                             fault_size, fault_write ? "store" : "load", fault_address,
                             region_name(region), ctx.fb_addr, fault_lane),
                 exits);
    return;
  }

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

  if (hcall_lane >= 0) {
    shared.helper_port_taken = true;
    const int32_t id = mb.ops[hcall_lane].slot.imm;
    HelperResult result = helpers_.call(mb.ops[hcall_lane].helper, id, hcall_args, ctx);
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

  switch (control) {
    case Control::None:
      break;
    case Control::Jump:
      if (call) ctx.lr = ctx.fb_addr + 1;
      ctx.fetch_pc = target;
      break;
    case Control::Exit:
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
  if (retire) observer_->on_retire(record);
}

}  // namespace nicsim::model
