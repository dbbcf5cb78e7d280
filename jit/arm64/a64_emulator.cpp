#include "jit/arm64/a64_emulator.h"

#include <fmt/format.h>
#include <sys/mman.h>
#include <unicorn/unicorn.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <exception>

#include "ebpf/isa/instruction.h"
#include "ebpf/isa/opcodes.h"
#include "ebpf/runtime/xdp.h"
#include "jit/arm64/a64_registers.h"
#include "jit/common/invocation.h"
#include "jit/common/jit_engine.h"
#include "jit/common/jit_error.h"
#include "jit/common/slow_paths.h"

namespace nicsim::jit::a64 {

namespace {

constexpr uint32_t kRet = 0xD65F03C0u;  // ret (x30)
constexpr uint32_t kBrk = 0xD4200000u;  // brk #0

void check(uc_err error, const char* what) {
  if (error != UC_ERR_OK)
    throw JitError(fmt::format("arm64 emulator: {}: {}", what, uc_strerror(error)));
}

const char* access_verb(int type) {
  switch (type) {
    case UC_MEM_WRITE_UNMAPPED:
    case UC_MEM_WRITE_PROT:
      return "write";
    case UC_MEM_FETCH_UNMAPPED:
    case UC_MEM_FETCH_PROT:
      return "instruction fetch";
    default:
      return "read";
  }
}

}  // namespace

A64Emulator::A64Emulator()
    : page_size_(static_cast<uint64_t>(sysconf(_SC_PAGESIZE))), native_stack_size_(64 * 1024) {
  check(uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &uc_), "open");
  try {
    // The native stack (return addresses and saved registers only) and the trap page are
    // host memory of our own, mapped for the emulator's lifetime.
    void* stack = mmap(nullptr, native_stack_size_, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    // Two pages: the trap page, then a page reserved (PROT_NONE, never mapped in the
    // emulator) whose address the trampoline returns to. Stopping at an address Unicorn has
    // not mapped costs nothing; stopping inside mapped code costs microseconds per run.
    void* traps = mmap(nullptr, 2 * page_size_, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (stack == MAP_FAILED || traps == MAP_FAILED ||
        mprotect(traps, page_size_, PROT_READ | PROT_WRITE) != 0) {
      if (stack != MAP_FAILED) munmap(stack, native_stack_size_);
      if (traps != MAP_FAILED) munmap(traps, 2 * page_size_);
      throw JitError("arm64 emulator: cannot map its stack and trap page");
    }
    native_stack_ = static_cast<uint8_t*>(stack);
    trap_page_ = static_cast<uint32_t*>(traps);
    for (size_t i = 0; i < page_size_ / 4; ++i)
      trap_page_[i] = i < kHostCallCount ? kRet : kBrk;
    const auto trap_base = reinterpret_cast<uint64_t>(trap_page_);
    for (size_t i = 0; i < kHostCallCount; ++i)
      host_calls_.address[i] = trap_base + 4 * i;
    return_address_ = trap_base + page_size_;
    if (!map_pages(reinterpret_cast<uint64_t>(native_stack_),
                   reinterpret_cast<uint64_t>(native_stack_) + native_stack_size_,
                   UC_PROT_READ | UC_PROT_WRITE) ||
        !map_pages(trap_base, trap_base + page_size_, UC_PROT_READ | UC_PROT_EXEC))
      throw JitError("arm64 emulator: cannot map its stack and trap page");

    uc_hook hook;
    check(uc_hook_add(uc_, &hook, UC_HOOK_BLOCK, reinterpret_cast<void*>(&on_block), this, 1, 0),
          "block hook");
    check(uc_hook_add(uc_, &hook, UC_HOOK_CODE, reinterpret_cast<void*>(&on_trap), this, trap_base,
                      trap_base + 4 * kHostCallCount - 1),
          "trap hook");
    check(uc_hook_add(uc_, &hook, UC_HOOK_MEM_INVALID, reinterpret_cast<void*>(&on_invalid_access),
                      this, 1, 0),
          "memory hook");
  } catch (...) {
    uc_close(uc_);
    if (native_stack_ != nullptr) munmap(native_stack_, native_stack_size_);
    if (trap_page_ != nullptr) munmap(trap_page_, 2 * page_size_);
    throw;
  }
}

A64Emulator::~A64Emulator() {
  uc_close(uc_);
  munmap(native_stack_, native_stack_size_);
  munmap(trap_page_, 2 * page_size_);
}

bool A64Emulator::map_pages(uint64_t begin, uint64_t end, uint32_t permissions) {
  begin &= ~(page_size_ - 1);
  for (uint64_t page = begin; page < end;) {
    if (mapped_pages_.count(page) != 0) {
      page += page_size_;
      continue;
    }
    // One mapping for the run of pages not mapped yet.
    uint64_t run_end = page + page_size_;
    while (run_end < end && mapped_pages_.count(run_end) == 0)
      run_end += page_size_;
    if (uc_mem_map_ptr(uc_, page, run_end - page, permissions, reinterpret_cast<void*>(page)) !=
        UC_ERR_OK)
      return false;
    for (uint64_t p = page; p < run_end; p += page_size_)
      mapped_pages_.insert(p);
    page = run_end;
  }
  return true;
}

uint64_t A64Emulator::run(uint64_t entry, NativeRunState& state, uint64_t r1, uint64_t r2) {
  state_ = &state;
  fault_.clear();
  fault_access_.reset();
  instructions_ = 0;
  block_address_ = entry;
  block_size_ = 0;
  const uint64_t stack_top = reinterpret_cast<uint64_t>(native_stack_) + native_stack_size_;
  const auto state_address = reinterpret_cast<uint64_t>(&state);
  std::array<int, 5> ids = {UC_ARM64_REG_X0, UC_ARM64_REG_X1, UC_ARM64_REG_X2, UC_ARM64_REG_SP,
                            UC_ARM64_REG_X30};
  std::array<uint64_t, 5> values = {state_address, r1, r2, stack_top, return_address_};
  std::array<void*, 5> pointers;
  for (size_t i = 0; i < values.size(); ++i)
    pointers[i] = &values[i];
  check(uc_reg_write_batch(uc_, ids.data(), pointers.data(), static_cast<int>(ids.size())),
        "set registers");

  const uc_err error = uc_emu_start(uc_, entry, return_address_, 0, 0);
  uint64_t pc = 0, x0 = 0;
  uc_reg_read(uc_, UC_ARM64_REG_PC, &pc);
  uc_reg_read(uc_, UC_ARM64_REG_X0, &x0);
  last_run_instructions_ = instructions_;
  state_ = nullptr;
  if (error != UC_ERR_OK || pc != return_address_) {
    abort_run(state, pc,
              !fault_.empty()
                  ? fault_
                  : fmt::format("arm64 emulation stopped at {:#x}: {}", pc,
                                error != UC_ERR_OK ? uc_strerror(error) : "unexpected stop"));
    return 0;
  }
  return x0;
}

void A64Emulator::abort_run(NativeRunState& state, uint64_t pc, const std::string& message) {
  Invocation& invocation = *state.invocation;
  // Unicorn reports the start of the translated block for a faulting access, not the access:
  // find the eBPF instruction of the block whose access matches the fault.
  const CompiledProgram* program = invocation.engine().locate(block_address_);
  int64_t slot = program != nullptr ? faulting_instruction(*program) : -1;
  if (slot < 0) {
    program = invocation.engine().locate(pc);
    slot = program != nullptr ? program->instruction_at(pc) : -1;
  }
  if (slot < 0 && program != nullptr) {
    // In a stub: the instruction that called it (x30 is the call site).
    uint64_t site = 0;
    uc_reg_read(uc_, UC_ARM64_REG_X30, &site);
    slot = program->instruction_at(site - 4);
  }
  invocation.abort_at(state, program, slot >= 0 ? static_cast<size_t>(slot) : 0, message);
}

int64_t A64Emulator::faulting_instruction(const CompiledProgram& program) const {
  if (!fault_access_) return -1;
  const auto& insns = program.program->insns;
  int64_t previous = -1;
  for (uint64_t address = block_address_; address < block_address_ + block_size_; address += 4) {
    const int64_t slot = program.instruction_at(address);
    if (slot < 0 || slot == previous) continue;
    previous = slot;
    const ebpf::Instruction& insn = insns[static_cast<size_t>(slot)];
    const uint8_t cls = insn.cls();
    const bool load = cls == ebpf::kClassLdx;
    const bool store = cls == ebpf::kClassSt || cls == ebpf::kClassStx;
    const bool atomic = cls == ebpf::kClassStx && insn.mode() == ebpf::kModeAtomic;
    if (!(load && !fault_access_->write) && !(store && (fault_access_->write || atomic))) continue;
    // The base register still holds the value the access used (registers are written back to
    // the CPU state before any access that may fault).
    const int base = load ? insn.src() : insn.dst();
    uint64_t value = 0;
    uc_reg_read(uc_, UC_ARM64_REG_X0 + static_cast<int>(reg_code(ebpf_reg(base))), &value);
    const uint64_t target = value + static_cast<uint64_t>(static_cast<int64_t>(insn.offset));
    if (fault_access_->address - target < static_cast<uint64_t>(ebpf::access_bytes(insn.size())))
      return slot;
  }
  return -1;
}

void A64Emulator::on_block(uc_struct*, uint64_t address, uint32_t size, void* self) {
  auto* emulator = static_cast<A64Emulator*>(self);
  emulator->instructions_ += size / 4;
  emulator->block_address_ = address;
  emulator->block_size_ = size;
}

void A64Emulator::on_trap(uc_struct*, uint64_t address, uint32_t, void* self) {
  static_cast<A64Emulator*>(self)->call_host(address);
}

// The generated code passes the run state in x0 (x5 for helpers); the hook uses the run's own
// state instead of trusting a register.
void A64Emulator::call_host(uint64_t address) {
  std::array<int, 6> ids = {UC_ARM64_REG_X0, UC_ARM64_REG_X1, UC_ARM64_REG_X2,
                            UC_ARM64_REG_X3, UC_ARM64_REG_X4, UC_ARM64_REG_X5};
  std::array<uint64_t, 6> x{};
  std::array<void*, 6> pointers;
  for (size_t i = 0; i < x.size(); ++i)
    pointers[i] = &x[i];
  uc_reg_read_batch(uc_, ids.data(), pointers.data(), static_cast<int>(ids.size()));
  NativeRunState* state = state_;
  uint64_t result = 0;
  const auto call = static_cast<HostCall>((address - host_calls_.address[0]) / 4);
  switch (call) {
    case HostCall::Load:
      result = slow_path::load(state, x[1], x[2], x[3]);
      break;
    case HostCall::CheckWrite:
      slow_path::check_write(state, x[1], x[2], x[3]);
      break;
    case HostCall::CallHelper:
      result = slow_path::call_helper(x[0], x[1], x[2], x[3], x[4], state);
      break;
    case HostCall::TailCall:
      result = slow_path::tail_call(state, x[1], x[2], x[3]);
      break;
    case HostCall::ResolveCallx:
      result = slow_path::resolve_callx(state, x[1], x[2]);
      break;
    case HostCall::Fault:
      slow_path::fault(state, static_cast<slow_path::FaultKind>(x[1]), x[2], x[3], x[4]);
      break;
    case HostCall::LegacyLoad:
      result = slow_path::legacy_load(state, static_cast<int64_t>(x[1]), x[2], x[3]);
      break;
  }
  uc_reg_write(uc_, UC_ARM64_REG_X0, &result);
}

bool A64Emulator::on_invalid_access(uc_struct*, int type, uint64_t address, int size, int64_t,
                                    void* self) {
  auto* emulator = static_cast<A64Emulator*>(self);
  try {
    return emulator->map_for_access(type, address, static_cast<uint64_t>(size > 0 ? size : 1));
  } catch (const std::exception& e) {
    emulator->fault_ = fmt::format("arm64 emulator: {}", e.what());
    return false;
  }
}

bool A64Emulator::map_for_access(int type, uint64_t address, uint64_t size) {
  if (state_ == nullptr) return false;
  const bool unmapped = type == UC_MEM_READ_UNMAPPED || type == UC_MEM_WRITE_UNMAPPED ||
                        type == UC_MEM_FETCH_UNMAPPED;
  if (unmapped && type == UC_MEM_FETCH_UNMAPPED) {
    // Compiled code of this engine (a tail call reaches programs compiled on first use).
    const CompiledProgram* program = state_->invocation->engine().locate(address);
    if (program != nullptr &&
        map_pages(program->code.address(), program->code.address() + program->code.size(),
                  UC_PROT_READ | UC_PROT_EXEC))
      return true;
    fault_ = fmt::format(
        "arm64 emulation: instruction fetch from {:#x}, which is not compiled code", address);
    return false;
  }
  const bool write = type == UC_MEM_WRITE_UNMAPPED || type == UC_MEM_WRITE_PROT;
  if (unmapped && may_access(address, size, write) &&
      map_pages(address, address + size, UC_PROT_READ | UC_PROT_WRITE))
    return true;
  fault_ = fmt::format("arm64 emulation: invalid {} of {} bytes at {:#x}", access_verb(type), size,
                       address);
  fault_access_ = FaultAccess{address, size, write};
  return false;
}

bool A64Emulator::may_access(uint64_t address, uint64_t size, bool write) const {
  const NativeRunState& state = *state_;
  const auto inside = [&](uint64_t begin, uint64_t length) {
    const uint64_t delta = address - begin;
    return address >= begin && delta < length && length - delta >= size;
  };
  constexpr uint64_t kFrames = uint64_t{ebpf::kMaxCallDepth} * ebpf::kStackSize;
  if (inside(reinterpret_cast<uint64_t>(&state), sizeof state) ||
      inside(state.stack_top - kFrames, kFrames) || inside(state.data.begin, state.data.size))
    return true;
  Invocation& invocation = *state.invocation;
  if (const ebpf::XdpContextShadow* context = invocation.checker().context();
      context != nullptr && !write &&
      inside(reinterpret_cast<uint64_t>(context), sizeof(ebpf::XdpContextShadow)))
    return true;
  return invocation.runtime().accessible(address, size, write);
}

}  // namespace nicsim::jit::a64
