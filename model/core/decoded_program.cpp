#include "model/core/decoded_program.h"

#include <algorithm>

namespace nicsim::model {

using firmware::OpClass;

DecodedProgram::DecodedProgram(const firmware::Image& image, const LatencyConfig& latency)
    : entry_(image.entry_bundle), entry_kind_(image.entry_kind) {
  firmware::validate_image(image);
  bundles_.resize(image.bundle_count());
  for (size_t n = 0; n < bundles_.size(); ++n) {
    MicroBundle& mb = bundles_[n];
    const auto slots = image.bundle(n);
    for (size_t lane = 0; lane < slots.size(); ++lane) {
      const firmware::Slot& s = slots[lane];
      const size_t flat = n * image.lanes + lane;
      const uint32_t count =
          image.origins.empty() ? 0 : static_cast<uint32_t>(image.origins[flat].size());
      mb.ebpf_count += count;
      if (s.op == OpClass::Nop) continue;
      MicroOp& op = mb.ops[mb.count++];
      op.slot = s;
      op.ebpf_count = count;
      const bool pool = firmware::uses_pool(s);
      const uint64_t value = pool ? image.constants[static_cast<uint32_t>(s.imm)]
                                  : static_cast<uint64_t>(static_cast<int64_t>(s.imm));
      switch (s.op) {
        case OpClass::Alu:
          op.b = value;
          if (s.func == firmware::AluFunc::Mul)
            op.alu_latency = latency.multiply;
          else if (firmware::uses_divider(s))
            op.alu_latency = s.w32 ? latency.divide32 : latency.divide64;
          break;
        case OpClass::Branch:
          op.b = value;
          break;
        case OpClass::Load:
          op.offset = s.load_mode == firmware::LoadMode::BaseImm ? s.imm : s.offset12();
          break;
        case OpClass::Store:
          if (s.store_value == firmware::StoreValue::Reg) {
            op.offset = s.imm;
          } else {
            op.offset = s.offset12();
            op.b = value;
          }
          break;
        case OpClass::Atomic:
        case OpClass::Xchg:
        case OpClass::Cmpxchg:
          op.offset = s.imm;
          break;
        case OpClass::HCall:
          op.helper = ebpf::find_helper(s.imm);
          break;
        default:
          break;
      }
      mb.registers |= firmware::registers_read(s) | firmware::registers_written(s);
      mb.control |= firmware::is_control_op(s);
      mb.hcall |= s.op == OpClass::HCall;
      if (firmware::uses_divider(s)) {
        mb.divider = true;
        mb.divider_latency = s.w32 ? latency.divide32 : latency.divide64;
      }
    }
    const auto used = static_cast<uint32_t>(__builtin_popcount(mb.registers));
    register_list_length_ = std::max(register_list_length_, used);
  }
  for (MicroBundle& mb : bundles_) {
    mb.register_list.fill(firmware::kFrameRegister);
    size_t i = 0;
    for (uint16_t mask = mb.registers; mask; mask &= mask - 1)
      mb.register_list[i++] = static_cast<uint8_t>(__builtin_ctz(mask));
  }
}

}  // namespace nicsim::model
