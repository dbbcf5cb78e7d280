#include "jit/nic/lower.h"

#include <fmt/format.h>

#include <map>
#include <optional>

#include "ebpf/isa/validate.h"
#include "ebpf/runtime/helpers.h"
#include "firmware/isa/address_map.h"
#include "firmware/isa/helper_units.h"
#include "firmware/routines/routines.h"
#include "jit/nic/compile_error.h"
#include "jit/nic/map_layout.h"

namespace nicsim::jit::nic {

using ebpf::Instruction;
using firmware::AluFunc;
using firmware::Cond;
using firmware::ExtKind;

std::string helper_refusal(int32_t id) {
  if (firmware::find_hardware_helper(id) || firmware::find_routine(id)) return {};
  const std::string_view name = ebpf::helper_name(id);
  const std::string who =
      name.empty() ? fmt::format("helper {}", id) : fmt::format("helper {}", name);
  switch (id) {
    case ebpf::kHelperTracePrintk:
      return who + " needs the host's trace buffer";
    case ebpf::kHelperPerfEventOutput:
      return who + " needs a host perf ring";
    case ebpf::kHelperRingbufOutput:
    case ebpf::kHelperRingbufReserve:
    case ebpf::kHelperRingbufSubmit:
    case ebpf::kHelperRingbufDiscard:
      return who + " needs a host ring buffer";
    case ebpf::kHelperFibLookup:
      return who + " needs the host's forwarding table";
    case ebpf::kHelperTailCall:
      return who + ": tail calls are not supported (a NIC image holds one program)";
    case ebpf::kHelperProbeRead:
      return who + " reads host memory";
    case ebpf::kHelperSkbStoreBytes:
    case ebpf::kHelperL3CsumReplace:
    case ebpf::kHelperL4CsumReplace:
      return who + " acts on socket buffers, which the NIC has not";
    default:
      return who + " is neither a hardware unit nor a firmware routine of the NIC";
  }
}

Op make_constant(uint8_t rd, uint64_t value) {
  Op op;
  const auto as_signed = static_cast<int64_t>(value);
  if (as_signed >= INT32_MIN && as_signed <= INT32_MAX) {
    op.slot = firmware::make_mov_imm(false, rd, static_cast<int32_t>(as_signed));
  } else if (value <= UINT32_MAX) {
    op.slot = firmware::make_mov_imm(true, rd, static_cast<int32_t>(static_cast<uint32_t>(value)));
  } else {
    op.slot = firmware::make_alu_pool(AluFunc::Mov, rd, 0, 0);
    op.pool = true;
    op.pool_value = value;
  }
  return op;
}

namespace {

class Lowering {
 public:
  Lowering(const ebpf::Program& program, std::span<const firmware::MapLayout> maps)
      : program_(program), insns_(program.insns), maps_(maps) {}

  Function run() {
    try {
      ebpf::validate_instructions(insns_);
    } catch (const Error& e) {
      throw CompileError(fmt::format("program '{}': {}", program_.display_name(), e.what()));
    }
    Function fn;
    fn.ebpf_instructions = static_cast<uint32_t>(insns_.size());
    fn.maps.assign(maps_.begin(), maps_.end());
    switch (program_.type) {
      case ebpf::ProgramType::Xdp:
        fn.entry_kind = firmware::EntryKind::Xdp;
        break;
      case ebpf::ProgramType::Unspec:
        fn.entry_kind = firmware::EntryKind::Raw;
        break;
      default:
        throw CompileError(
            fmt::format("program '{}': type {} cannot be offloaded (the NIC runs "
                        "XDP programs)",
                        program_.display_name(), ebpf::program_type_name(program_.type)));
    }
    if (insns_.empty()) refuse(0, "the program is empty");
    find_blocks();
    fn.blocks.resize(block_start_.size());
    for (size_t b = 0; b < block_start_.size(); ++b)
      lower_block(fn, b);
    return fn;
  }

 private:
  [[noreturn]] void refuse(size_t index, const std::string& reason) const {
    throw CompileError(
        fmt::format("program '{}': insn {}: {}", program_.display_name(), index, reason));
  }

  size_t jump_target(size_t i) const {
    return static_cast<size_t>(static_cast<int64_t>(i) + 1 + insns_[i].branch_offset());
  }

  void find_blocks() {
    std::vector<bool> leader(insns_.size() + 1, false);
    leader[0] = true;
    for (size_t i = 0; i < insns_.size(); ++i) {
      const Instruction& insn = insns_[i];
      if (insn.is_lddw()) {
        ++i;
        continue;
      }
      if (insn.is_branch()) {
        leader[jump_target(i)] = true;
        leader[i + 1] = true;
      } else if (insn.is_exit()) {
        leader[i + 1] = true;
      }
    }
    for (size_t i = 0; i < insns_.size(); ++i) {
      if (leader[i]) {
        block_of_[i] = static_cast<int32_t>(block_start_.size());
        block_start_.push_back(i);
      }
    }
  }

  int32_t block_at(size_t insn, size_t from) const {
    auto it = block_of_.find(insn);
    if (it == block_of_.end()) refuse(from, "control falls off the end of the program");
    return it->second;
  }

  void lower_block(Function& fn, size_t b) {
    Block& block = fn.blocks[b];
    const size_t begin = block_start_[b];
    const size_t end = b + 1 < block_start_.size() ? block_start_[b + 1] : insns_.size();
    bool terminated = false;
    for (size_t i = begin; i < end; ++i) {
      const Instruction& insn = insns_[i];
      std::optional<Op> op = lower_instruction(i);
      if (op) {
        op->source = static_cast<int32_t>(i);
        op->origins.push_back(static_cast<uint32_t>(i));
        if (insn.is_lddw()) op->origins.push_back(static_cast<uint32_t>(i + 1));
        block.ops.push_back(std::move(*op));
      } else if (!block.ops.empty()) {
        block.ops.back().origins.push_back(static_cast<uint32_t>(i));
      } else {
        pending_origins_.push_back(static_cast<uint32_t>(i));
      }
      if (!pending_origins_.empty() && !block.ops.empty()) {
        auto& o = block.ops.back().origins;
        o.insert(o.begin(), pending_origins_.begin(), pending_origins_.end());
        pending_origins_.clear();
      }
      if (insn.is_lddw()) ++i;
      if (insn.is_exit() || insn.is_unconditional_jump()) terminated = true;
      if (insn.is_branch() && !insn.is_unconditional_jump()) block.next = block_at(i + 1, i);
    }
    pending_origins_.clear();
    if (!terminated && block.next < 0) block.next = block_at(end, end - 1);
  }

  std::optional<Op> lower_instruction(size_t i) {
    const Instruction& insn = insns_[i];
    switch (insn.cls()) {
      case ebpf::kClassAlu:
      case ebpf::kClassAlu64:
        return lower_alu(i);
      case ebpf::kClassLdx:
        return lower_load(i);
      case ebpf::kClassSt:
      case ebpf::kClassStx:
        return lower_store(i);
      case ebpf::kClassLd:
        return lower_ld(i);
      default:
        return lower_jump(i);
    }
  }

  std::optional<Op> lower_alu(size_t i) {
    const Instruction& insn = insns_[i];
    const bool w32 = insn.cls() == ebpf::kClassAlu;
    const uint8_t rd = insn.dst();
    const bool reg = insn.source() == ebpf::kSrcX;
    Op op;
    const auto binary = [&](AluFunc func) {
      op.slot = reg ? firmware::make_alu(func, w32, rd, rd, insn.src())
                    : firmware::make_alu_imm(func, w32, rd, rd, insn.imm);
    };
    switch (insn.op()) {
      case ebpf::kAluAdd:
        binary(AluFunc::Add);
        break;
      case ebpf::kAluSub:
        binary(AluFunc::Sub);
        break;
      case ebpf::kAluMul:
        binary(AluFunc::Mul);
        break;
      case ebpf::kAluDiv:
        binary(insn.offset == 1 ? AluFunc::Sdiv : AluFunc::Div);
        break;
      case ebpf::kAluMod:
        binary(insn.offset == 1 ? AluFunc::Smod : AluFunc::Mod);
        break;
      case ebpf::kAluOr:
        binary(AluFunc::Or);
        break;
      case ebpf::kAluAnd:
        binary(AluFunc::And);
        break;
      case ebpf::kAluXor:
        binary(AluFunc::Xor);
        break;
      case ebpf::kAluLsh:
        binary(AluFunc::Lsh);
        break;
      case ebpf::kAluRsh:
        binary(AluFunc::Rsh);
        break;
      case ebpf::kAluArsh:
        binary(AluFunc::Arsh);
        break;
      case ebpf::kAluNeg:
        op.slot = firmware::make_alu_imm(AluFunc::Rsub, w32, rd, rd, 0);
        break;
      case ebpf::kAluMov:
        if (insn.offset != 0) {  // movsx
          const ExtKind kind = insn.offset == 8    ? ExtKind::Sext8
                               : insn.offset == 16 ? ExtKind::Sext16
                                                   : ExtKind::Sext32;
          op.slot = firmware::make_ext(kind, w32, rd, insn.src());
        } else {
          op.slot = reg ? firmware::make_mov(w32, rd, insn.src())
                        : firmware::make_mov_imm(w32, rd, insn.imm);
        }
        break;
      case ebpf::kAluEnd: {
        const bool swap = insn.cls() == ebpf::kClassAlu64 || insn.source() == ebpf::kSrcX;
        if (swap) {
          const ExtKind kind = insn.imm == 16   ? ExtKind::Bswap16
                               : insn.imm == 32 ? ExtKind::Bswap32
                                                : ExtKind::Bswap64;
          op.slot = firmware::make_ext(kind, false, rd, rd);
        } else if (insn.imm == 16) {
          op.slot = firmware::make_alu_imm(AluFunc::And, false, rd, rd, 0xffff);
        } else if (insn.imm == 32) {
          op.slot = firmware::make_mov(true, rd, rd);
        } else {
          return std::nullopt;  // le64 leaves the register as it is
        }
        break;
      }
      default:
        refuse(i, fmt::format("ALU operation 0x{:02x} is not supported", insn.opcode));
    }
    return op;
  }

  std::optional<Op> lower_load(size_t i) {
    const Instruction& insn = insns_[i];
    if (insn.mode() != ebpf::kModeMem && insn.mode() != ebpf::kModeMemsx)
      refuse(i, "unsupported load mode");
    Op op;
    op.slot =
        firmware::make_load(static_cast<uint8_t>(ebpf::access_bytes(insn.size())),
                            insn.mode() == ebpf::kModeMemsx, insn.dst(), insn.src(), insn.offset);
    return op;
  }

  std::optional<Op> lower_store(size_t i) {
    const Instruction& insn = insns_[i];
    const auto size = static_cast<uint8_t>(ebpf::access_bytes(insn.size()));
    Op op;
    if (insn.mode() == ebpf::kModeAtomic) {
      const bool w32 = size == 4;
      const int32_t code = insn.imm;
      const bool fetch = (code & ebpf::kAtomicFetch) != 0;
      switch (code) {
        case ebpf::kAtomicXchg:
          op.slot = firmware::make_xchg(w32, insn.src(), insn.dst(), insn.offset, insn.src());
          return op;
        case ebpf::kAtomicCmpxchg:
          op.slot = firmware::make_cmpxchg(w32, 0, insn.dst(), insn.offset, insn.src());
          return op;
        default:
          break;
      }
      firmware::AtomicOp aop;
      switch (code & ~ebpf::kAtomicFetch) {
        case ebpf::kAtomicAdd:
          aop = firmware::AtomicOp::Add;
          break;
        case ebpf::kAtomicOr:
          aop = firmware::AtomicOp::Or;
          break;
        case ebpf::kAtomicAnd:
          aop = firmware::AtomicOp::And;
          break;
        case ebpf::kAtomicXor:
          aop = firmware::AtomicOp::Xor;
          break;
        default:
          refuse(i, fmt::format("atomic operation 0x{:x} is not supported", code));
      }
      op.slot = firmware::make_atomic(aop, w32, fetch, fetch ? insn.src() : 0, insn.dst(),
                                      insn.offset, insn.src());
      return op;
    }
    if (insn.mode() != ebpf::kModeMem) refuse(i, "unsupported store mode");
    if (insn.cls() == ebpf::kClassStx) {
      op.slot = firmware::make_store(size, insn.dst(), insn.offset, insn.src());
      return op;
    }
    if (insn.offset < firmware::kX12Min || insn.offset > firmware::kX12Max)
      refuse(i, fmt::format("store-immediate offset {} is outside the NIC's -2048..2047",
                            insn.offset));
    op.slot = firmware::make_store_imm(size, insn.dst(), insn.offset, insn.imm);
    return op;
  }

  std::optional<Op> lower_ld(size_t i) {
    const Instruction& insn = insns_[i];
    if (!insn.is_lddw())
      refuse(i, "legacy packet access (ld_abs/ld_ind) is not supported by the NIC");
    const Instruction& next = insns_[i + 1];
    const uint8_t rd = insn.dst();
    switch (insn.src()) {
      case ebpf::kLddwImm64:
        return make_constant(rd, static_cast<uint32_t>(insn.imm) |
                                     (uint64_t{static_cast<uint32_t>(next.imm)} << 32));
      case ebpf::kLddwMapFd:
      case ebpf::kLddwMapIdx: {
        const firmware::MapLayout& map = map_at(i, insn.imm);
        if (!map_type_supported(map.type))
          refuse(i, fmt::format("map '{}' of type {} is not supported by the NIC map engine",
                                map.name, ebpf::map_type_name(map.type)));
        return make_constant(rd, firmware::map_handle(static_cast<uint32_t>(insn.imm)));
      }
      case ebpf::kLddwMapValue:
      case ebpf::kLddwMapIdxValue: {
        const firmware::MapLayout& map = map_at(i, insn.imm);
        const auto offset = static_cast<uint32_t>(next.imm);
        if (!map_is_array_like(map.type) || map.capacity == 0 || offset >= map.value_size)
          refuse(i, fmt::format("direct value access into map '{}' at offset {} is not supported",
                                map.name, offset));
        return make_constant(rd, uint64_t{map.base} + offset);
      }
      default:
        refuse(i, fmt::format("lddw with source {} (BTF ids, function pointers) is not supported",
                              insn.src()));
    }
  }

  // The operation of a firmware routine that is one bundle `{ op ; ret }`.
  static std::optional<Op> inline_routine(int32_t helper) {
    std::vector<uint64_t> pool;
    const auto bundles = firmware::assemble_routine(*firmware::find_routine(helper),
                                                    firmware::kMaxLanes, 2, 0, pool);
    if (bundles.size() != 1 || !pool.empty()) return std::nullopt;
    std::optional<Op> body;
    for (const firmware::Slot& s : bundles[0]) {
      if (s.op == firmware::OpClass::Nop || s.op == firmware::OpClass::Ret) continue;
      if (body || firmware::is_control_op(s) || firmware::is_memory_op(s)) return std::nullopt;
      body = Op{};
      body->slot = s;
    }
    return body;
  }

  const firmware::MapLayout& map_at(size_t i, int32_t index) const {
    if (index < 0 || static_cast<size_t>(index) >= maps_.size())
      refuse(i, fmt::format("map {} does not exist", index));
    return maps_[static_cast<size_t>(index)];
  }

  std::optional<Op> lower_jump(size_t i) {
    const Instruction& insn = insns_[i];
    Op op;
    if (insn.is_exit()) {
      op.slot = firmware::make_exit_reg(0);
      return op;
    }
    if (insn.is_call()) {
      if (insn.is_local_call()) refuse(i, "bpf-to-bpf calls are not supported by the NIC core");
      if (insn.src() != ebpf::kCallHelper) refuse(i, "kfunc calls are not supported by the NIC");
      if (std::string why = helper_refusal(insn.imm); !why.empty()) refuse(i, why);
      if (firmware::find_hardware_helper(insn.imm)) {
        op.slot = firmware::make_hcall(insn.imm);
      } else if (std::optional<Op> inlined = inline_routine(insn.imm)) {
        return inlined;  // a routine of one operation runs in place, without callf/ret
      } else {
        op.slot = firmware::make_callf(0);
        op.routine = insn.imm;
      }
      return op;
    }
    if (insn.is_callx()) refuse(i, "indirect calls (callx) are not supported by the NIC");
    const int32_t target = block_at(jump_target(i), i);
    if (insn.is_unconditional_jump()) {
      op.slot = firmware::make_jump(0);
      op.target = target;
      return op;
    }
    static const std::map<uint8_t, Cond> kConds = {
        {ebpf::kJmpJeq, Cond::Eq},   {ebpf::kJmpJne, Cond::Ne},   {ebpf::kJmpJgt, Cond::Gt},
        {ebpf::kJmpJge, Cond::Ge},   {ebpf::kJmpJlt, Cond::Lt},   {ebpf::kJmpJle, Cond::Le},
        {ebpf::kJmpJsgt, Cond::Sgt}, {ebpf::kJmpJsge, Cond::Sge}, {ebpf::kJmpJslt, Cond::Slt},
        {ebpf::kJmpJsle, Cond::Sle}, {ebpf::kJmpJset, Cond::Set}};
    auto it = kConds.find(insn.op());
    if (it == kConds.end())
      refuse(i, fmt::format("jump operation 0x{:02x} is not supported", insn.opcode));
    const bool w32 = insn.cls() == ebpf::kClassJmp32;
    op.slot = insn.source() == ebpf::kSrcX
                  ? firmware::make_branch(it->second, w32, insn.dst(), insn.src(), 0)
                  : firmware::make_branch_imm(it->second, w32, insn.dst(), insn.imm, 0);
    op.target = target;
    return op;
  }

  const ebpf::Program& program_;
  std::span<const Instruction> insns_;
  std::span<const firmware::MapLayout> maps_;
  std::vector<size_t> block_start_;
  std::map<size_t, int32_t> block_of_;
  std::vector<uint32_t> pending_origins_;
};

}  // namespace

Function lower(const ebpf::Program& program, std::span<const firmware::MapLayout> maps) {
  return Lowering(program, maps).run();
}

}  // namespace nicsim::jit::nic
