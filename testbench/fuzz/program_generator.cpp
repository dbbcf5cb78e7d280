#include "testbench/fuzz/program_generator.h"

#include <array>
#include <random>
#include <utility>

#include "ebpf/isa/opcodes.h"
#include "ebpf/runtime/helpers.h"

namespace nicsim::fuzz {

namespace {

using ebpf::Instruction;
using ebpf::make_insn;
using namespace ebpf;  // the opcode constants

// Register discipline. r6 keeps the context; r0-r5 and r7 always hold scalars (calls clobber
// r1-r5, which are reloaded from the stack after every call); r8 and r9 are the temporaries
// of packet and map snippets and the loop counter, never read as scalars.
constexpr uint8_t kContext = 6;
constexpr uint8_t kPointer = 8;
constexpr uint8_t kLimit = 9;
constexpr std::array<uint8_t, 7> kScalars = {0, 1, 2, 3, 4, 5, 7};
constexpr std::array<uint8_t, 6> kCalleeScalars = {0, 1, 2, 3, 4, 5};
// Stack: the data area fp-64..fp-1 is initialised by the prologue (spills and fills go
// there; it is also the value written to the array map at the end), fp-72 holds map keys,
// fp-80 a spilled context pointer.
constexpr int kDataArea = 64;
constexpr int16_t kKeySlot = -72;
constexpr int16_t kContextSlot = -80;
constexpr int kCalleeArea = 32;

class Generator {
 public:
  Generator(uint64_t seed, const GeneratorOptions& options) : random_(seed), options_(options) {}

  ebpf::ElfObject generate() {
    // Half the programs have no subprogram, so that engines without bpf-to-bpf calls (the
    // NIC) run them too.
    calls_allowed_ = options_.subprograms && chance(50);
    prologue();
    const int snippets = pick(options_.min_snippets, options_.max_snippets);
    std::vector<size_t> boundaries;
    std::vector<std::pair<size_t, int>> branches;  // (jump instruction, target snippet)
    for (int i = 0; i < snippets; ++i) {
      boundaries.push_back(insns_.size());
      snippet(i, snippets, branches);
    }
    boundaries.push_back(insns_.size());
    epilogue();
    for (const auto& [at, target] : branches)
      insns_[at].offset = static_cast<int16_t>(boundaries[static_cast<size_t>(target)] - at - 1);
    std::vector<std::pair<size_t, std::string>> functions = {{0, "fuzz"}};
    if (!calls_.empty()) {
      const size_t callee = insns_.size();
      subprogram();
      for (const size_t at : calls_)
        insns_[at].imm = static_cast<int32_t>(callee - at - 1);
      functions.emplace_back(callee, "fuzz_callee");
    }

    ebpf::ElfObject object = ebpf::make_single_program_object(insns_, ProgramType::Xdp, "xdp");
    object.programs[0].section = "xdp";
    object.programs[0].function = "fuzz";
    object.programs[0].functions = std::move(functions);
    ebpf::MapDefinition array;
    array.name = "fuzz_array";
    array.type = MapType::Array;
    array.key_size = 4;
    array.value_size = kArrayValueSize;
    array.max_entries = 4;
    ebpf::MapDefinition hash = array;
    hash.name = "fuzz_hash";
    hash.type = MapType::Hash;
    hash.value_size = kHashValueSize;
    hash.max_entries = 8;
    object.maps = {array, hash};
    return object;
  }

 private:
  int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(random_); }
  bool chance(int percent) { return pick(0, 99) < percent; }
  template <size_t N>
  uint8_t any(const std::array<uint8_t, N>& registers) {
    return registers[static_cast<size_t>(pick(0, N - 1))];
  }
  uint8_t scalar() { return any(kScalars); }

  int32_t immediate() {
    switch (pick(0, 5)) {
      case 0:
        return pick(-4, 4);
      case 1:
        return pick(0, 255);
      case 2:
        return static_cast<int32_t>(random_());
      case 3:
        return pick(-70000, 70000);
      case 4:
        return pick(0, 1) ? INT32_MIN : INT32_MAX;
      default:
        return 1 << pick(0, 31);
    }
  }

  void emit(Instruction insn) { insns_.push_back(insn); }
  void emit_mov_imm(uint8_t dst, int32_t imm) {
    emit(make_insn(kClassAlu64 | kAluMov | kSrcK, dst, 0, 0, imm));
  }
  void emit_lddw(uint8_t dst, uint8_t src, uint64_t value) {
    emit(make_insn(kClassLd | kModeImm | kSizeDw, dst, src, 0, static_cast<int32_t>(value)));
    emit(make_insn(0, 0, 0, 0, static_cast<int32_t>(value >> 32)));
  }
  void emit_stack_address(uint8_t dst, int16_t offset) {
    emit(make_insn(kClassAlu64 | kAluMov | kSrcX, dst, 10, 0, 0));
    emit(make_insn(kClassAlu64 | kAluAdd | kSrcK, dst, 0, 0, offset));
  }
  void emit_call(int32_t helper) { emit(make_insn(kClassJmp | kJmpCall, 0, 0, 0, helper)); }
  // After a call r1-r5 are undefined: they take values from the data area again.
  void reload_arguments() {
    for (uint8_t r = 1; r <= 5; ++r)
      emit(make_insn(kClassLdx | kModeMem | kSizeDw, r, 10, static_cast<int16_t>(-8 * r), 0));
  }

  void prologue() {
    emit(make_insn(kClassAlu64 | kAluMov | kSrcX, kContext, 1, 0, 0));
    for (int offset = 8; offset <= kDataArea; offset += 8)
      emit(make_insn(kClassSt | kModeMem | kSizeDw, 10, 0, static_cast<int16_t>(-offset),
                     immediate()));
    for (const uint8_t r : kScalars) {
      switch (pick(0, 3)) {
        case 0:
          emit_lddw(r, kLddwImm64, random_());
          break;
        case 1:  // ingress_ifindex or rx_queue_index: values the verifier cannot know
          emit(make_insn(kClassLdx | kModeMem | kSizeW, r, kContext,
                         static_cast<int16_t>(pick(0, 1) ? 12 : 16), 0));
          break;
        default:
          emit_mov_imm(r, immediate());
      }
    }
  }

  void snippet(int index, int count, std::vector<std::pair<size_t, int>>& branches) {
    switch (pick(0, 19)) {
      case 0:
      case 1:
      case 2:
      case 3:
      case 4:
        alu(kScalars);
        return;
      case 5:
      case 6:
        stack_access(kScalars, kDataArea);
        return;
      case 7:
      case 8:
        packet_access();
        return;
      case 9:
        map_lookup();
        return;
      case 10:
        map_update();
        return;
      case 11:
        value_helper();
        return;
      case 12:
        csum_diff();
        return;
      case 13:
        stack_atomic(kScalars, kDataArea);
        return;
      case 14:
      case 15:
        branches.emplace_back(insns_.size(), pick(index + 1, count));
        branch();
        return;
      case 16:
        loop();
        return;
      case 17:
        if (calls_allowed_) {
          local_call();
        } else {
          alu(kScalars);
        }
        return;
      case 18:
        context_spill();
        return;
      default:
        context_field();
        return;
    }
  }

  template <size_t N>
  void alu(const std::array<uint8_t, N>& registers) {
    static constexpr std::array<uint8_t, 14> kOps = {kAluAdd, kAluSub, kAluMul,  kAluDiv, kAluOr,
                                                     kAluAnd, kAluLsh, kAluRsh,  kAluNeg, kAluMod,
                                                     kAluXor, kAluMov, kAluArsh, kAluEnd};
    const uint8_t op = kOps[static_cast<size_t>(pick(0, kOps.size() - 1))];
    const bool wide = chance(50);
    const uint8_t cls = wide ? kClassAlu64 : kClassAlu;
    const uint8_t dst = any(registers);
    if (op == kAluEnd) {
      static constexpr std::array<int32_t, 3> kWidths = {16, 32, 64};
      const int32_t width = kWidths[static_cast<size_t>(pick(0, 2))];
      // ALU64 END is the unconditional byte swap; ALU END converts to little (K) or big (X).
      const uint8_t source = wide ? kSrcK : (chance(50) ? kSrcX : kSrcK);
      emit(make_insn(cls | kAluEnd | source, dst, 0, 0, width));
      return;
    }
    if (op == kAluNeg) {
      emit(make_insn(cls | kAluNeg, dst, 0, 0, 0));
      return;
    }
    if (op == kAluMov && chance(30)) {  // movsx
      static constexpr std::array<int16_t, 3> kFrom = {8, 16, 32};
      emit(make_insn(cls | kAluMov | kSrcX, dst, any(registers),
                     kFrom[static_cast<size_t>(pick(0, wide ? 2 : 1))], 0));
      return;
    }
    const int16_t offset = (op == kAluDiv || op == kAluMod) && chance(50) ? 1 : 0;  // signed
    if (chance(50)) {
      int32_t imm = immediate();
      if (op == kAluLsh || op == kAluRsh || op == kAluArsh) imm = pick(0, wide ? 63 : 31);
      emit(make_insn(cls | op | kSrcK, dst, 0, offset, imm));
    } else {
      emit(make_insn(cls | op | kSrcX, dst, any(registers), offset, 0));
    }
  }

  uint8_t any_size(int& bytes) {
    static constexpr std::array<uint8_t, 4> kSizes = {kSizeB, kSizeH, kSizeW, kSizeDw};
    const uint8_t size = kSizes[static_cast<size_t>(pick(0, 3))];
    bytes = access_bytes(size);
    return size;
  }

  // A spill or fill of any size inside [fp-area, fp).
  template <size_t N>
  void stack_access(const std::array<uint8_t, N>& registers, int area) {
    int bytes = 0;
    const uint8_t size = any_size(bytes);
    const auto offset = static_cast<int16_t>(-pick(bytes, area));
    switch (pick(0, 3)) {
      case 0:
        emit(make_insn(kClassStx | kModeMem | size, 10, any(registers), offset, 0));
        return;
      case 1:
        emit(make_insn(kClassSt | kModeMem | size, 10, 0, offset, immediate()));
        return;
      default: {
        const uint8_t mode = bytes < 8 && chance(30) ? kModeMemsx : kModeMem;
        emit(make_insn(kClassLdx | mode | size, any(registers), 10, offset, 0));
      }
    }
  }

  int32_t atomic_operation() {
    static constexpr std::array<int32_t, 10> kOps = {kAtomicAdd,
                                                     kAtomicOr,
                                                     kAtomicAnd,
                                                     kAtomicXor,
                                                     kAtomicAdd | kAtomicFetch,
                                                     kAtomicOr | kAtomicFetch,
                                                     kAtomicAnd | kAtomicFetch,
                                                     kAtomicXor | kAtomicFetch,
                                                     kAtomicXchg,
                                                     kAtomicCmpxchg};
    return kOps[static_cast<size_t>(pick(0, kOps.size() - 1))];
  }

  template <size_t N>
  void stack_atomic(const std::array<uint8_t, N>& registers, int area) {
    const bool wide = chance(50);
    const int bytes = wide ? 8 : 4;
    const auto offset = static_cast<int16_t>(-bytes * pick(1, area / bytes));
    emit(make_insn(kClassStx | kModeAtomic | (wide ? kSizeDw : kSizeW), 10, any(registers), offset,
                   atomic_operation()));
  }

  // data + K <= data_end, then accesses at data + [0, K).
  void packet_access() {
    const int reach = pick(1, 64);
    emit(make_insn(kClassLdx | kModeMem | kSizeW, kPointer, kContext, 0, 0));
    emit(make_insn(kClassLdx | kModeMem | kSizeW, kLimit, kContext, 4, 0));
    emit(make_insn(kClassAlu64 | kAluAdd | kSrcK, kPointer, 0, 0, reach));
    const size_t check = insns_.size();
    emit(make_insn(kClassJmp | kJmpJgt | kSrcX, kPointer, kLimit, 0, 0));
    const int accesses = pick(1, 3);
    for (int i = 0; i < accesses; ++i) {
      int bytes = 0;
      uint8_t size = any_size(bytes);
      while (bytes > reach)
        size = any_size(bytes);
      const auto offset = static_cast<int16_t>(pick(0, reach - bytes) - reach);
      switch (pick(0, 3)) {
        case 0:
          emit(make_insn(kClassStx | kModeMem | size, kPointer, scalar(), offset, 0));
          break;
        case 1:
          emit(make_insn(kClassSt | kModeMem | size, kPointer, 0, offset, immediate()));
          break;
        default: {
          const uint8_t mode = bytes < 8 && chance(30) ? kModeMemsx : kModeMem;
          emit(make_insn(kClassLdx | mode | size, scalar(), kPointer, offset, 0));
        }
      }
    }
    insns_[check].offset = static_cast<int16_t>(insns_.size() - check - 1);
  }

  // The key: a scalar masked to the map's size, stored at fp-72.
  void store_key(int entries) {
    const uint8_t source = scalar();
    emit(make_insn(kClassAlu64 | kAluMov | kSrcX, kPointer, source, 0, 0));
    emit(make_insn(kClassAlu64 | kAluAnd | kSrcK, kPointer, 0, 0,
                   chance(80) ? entries - 1 : 2 * entries - 1));  // misses, too
    emit(make_insn(kClassStx | kModeMem | kSizeW, 10, kPointer, kKeySlot, 0));
  }

  // lookup, null check, then loads, stores and atomics on the value through r8.
  void map_lookup() {
    const bool array = chance(50);
    const int map = array ? kArrayMap : kHashMap;
    const int value_size = static_cast<int>(array ? kArrayValueSize : kHashValueSize);
    store_key(array ? 4 : 8);
    emit_lddw(1, kLddwMapFd, static_cast<uint64_t>(map));
    emit_stack_address(2, kKeySlot);
    emit_call(ebpf::kHelperMapLookupElem);
    const size_t check = insns_.size();
    emit(make_insn(kClassJmp | kJmpJeq | kSrcK, 0, 0, 0, 0));
    emit(make_insn(kClassAlu64 | kAluMov | kSrcX, kPointer, 0, 0, 0));
    emit(make_insn(kClassLdx | kModeMem | kSizeDw, 0, 10, -48, 0));  // r0 a scalar again
    static constexpr std::array<uint8_t, 2> kLive = {0, 7};          // r1-r5 are undefined here
    const int accesses = pick(1, 4);
    for (int i = 0; i < accesses; ++i) {
      if (chance(30)) {
        const bool wide = chance(50);
        const int bytes = wide ? 8 : 4;
        const auto offset = static_cast<int16_t>(bytes * pick(0, value_size / bytes - 1));
        emit(make_insn(kClassStx | kModeAtomic | (wide ? kSizeDw : kSizeW), kPointer, 7, offset,
                       atomic_operation()));
        continue;
      }
      int bytes = 0;
      const uint8_t size = any_size(bytes);
      const auto offset = static_cast<int16_t>(pick(0, value_size - bytes));
      switch (pick(0, 2)) {
        case 0:
          emit(make_insn(kClassStx | kModeMem | size, kPointer, any(kLive), offset, 0));
          break;
        case 1:
          emit(make_insn(kClassSt | kModeMem | size, kPointer, 0, offset, immediate()));
          break;
        default: {
          const uint8_t mode = bytes < 8 && chance(30) ? kModeMemsx : kModeMem;
          emit(make_insn(kClassLdx | mode | size, any(kLive), kPointer, offset, 0));
        }
      }
    }
    insns_[check].offset = static_cast<int16_t>(insns_.size() - check - 1);
    // Both paths meet with r0 a scalar (null, or the value loaded above) and r1-r5 reloaded.
    emit(make_insn(kClassLdx | kModeMem | kSizeDw, 0, 10, -40, 0));
    reload_arguments();
  }

  void map_update() {
    const bool array = chance(50);
    store_key(array ? 4 : 8);
    emit_lddw(1, kLddwMapFd, static_cast<uint64_t>(array ? kArrayMap : kHashMap));
    emit_stack_address(2, kKeySlot);
    emit_stack_address(3, static_cast<int16_t>(array ? -kDataArea : -8 * pick(2, 8)));
    emit_mov_imm(4, chance(80) ? 0 : pick(1, 2));  // BPF_ANY, or NOEXIST / EXIST
    emit_call(ebpf::kHelperMapUpdateElem);
    reload_arguments();
  }

  void value_helper() {
    static constexpr std::array<int32_t, 3> kHelpers = {
        ebpf::kHelperGetPrandomU32, ebpf::kHelperKtimeGetNs, ebpf::kHelperGetSmpProcessorId};
    emit_call(kHelpers[static_cast<size_t>(pick(0, 2))]);
    reload_arguments();
  }

  void csum_diff() {
    const int from = 4 * pick(1, 8);
    const int to = 4 * pick(0, 8);
    emit(make_insn(kClassAlu64 | kAluMov | kSrcX, 5, scalar(), 0, 0));  // the seed
    emit_stack_address(1, static_cast<int16_t>(-from - 4 * pick(0, (kDataArea - from) / 4)));
    emit_mov_imm(2, from);
    emit_stack_address(3, static_cast<int16_t>(-to - 4 * pick(0, (kDataArea - to) / 4)));
    emit_mov_imm(4, to);
    emit_call(ebpf::kHelperCsumDiff);
    reload_arguments();
  }

  void branch() {
    static constexpr std::array<uint8_t, 11> kConditions = {kJmpJeq,  kJmpJne,  kJmpJgt,  kJmpJge,
                                                            kJmpJlt,  kJmpJle,  kJmpJsgt, kJmpJsge,
                                                            kJmpJslt, kJmpJsle, kJmpJset};
    if (chance(5)) {
      emit(make_insn(kClassJmp | kJmpJa, 0, 0, 0, 0));
      return;
    }
    const uint8_t cls = chance(50) ? kClassJmp : kClassJmp32;
    const uint8_t condition = kConditions[static_cast<size_t>(pick(0, kConditions.size() - 1))];
    if (chance(50)) {
      emit(make_insn(cls | condition | kSrcX, scalar(), scalar(), 0, 0));
    } else {
      emit(make_insn(cls | condition | kSrcK, scalar(), 0, 0, immediate()));
    }
  }

  // A counted loop of straight-line ALU and stack code, backwards conditional jump included.
  void loop() {
    const int iterations = pick(1, 6);
    const bool up = chance(50);
    emit_mov_imm(kLimit, up ? 0 : iterations);
    const size_t head = insns_.size();
    const int body = pick(1, 5);
    for (int i = 0; i < body; ++i) {
      if (chance(70)) {
        alu(kScalars);
      } else {
        stack_access(kScalars, kDataArea);
      }
    }
    const uint8_t cls = chance(50) ? kClassJmp : kClassJmp32;
    if (up) {
      emit(make_insn(kClassAlu64 | kAluAdd | kSrcK, kLimit, 0, 0, 1));
      emit(make_insn(cls | (chance(50) ? kJmpJlt : kJmpJslt) | kSrcK, kLimit, 0, 0, iterations));
    } else {
      emit(make_insn(kClassAlu64 | kAluSub | kSrcK, kLimit, 0, 0, 1));
      emit(make_insn(cls | (chance(50) ? kJmpJne : kJmpJsgt) | kSrcK, kLimit, 0, 0, 0));
    }
    insns_.back().offset = static_cast<int16_t>(head - insns_.size());
  }

  void local_call() {
    calls_.push_back(insns_.size());
    emit(make_insn(kClassJmp | kJmpCall, 0, ebpf::kCallLocal, 0, 0));
    reload_arguments();
  }

  void context_spill() {
    emit(make_insn(kClassStx | kModeMem | kSizeDw, 10, kContext, kContextSlot, 0));
    alu(kScalars);
    emit(make_insn(kClassLdx | kModeMem | kSizeDw, kContext, 10, kContextSlot, 0));
  }

  void context_field() {
    static constexpr std::array<int16_t, 2> kFields = {12, 16};  // ingress_ifindex, rx_queue
    emit(make_insn(kClassLdx | kModeMem | kSizeW, scalar(), kContext,
                   kFields[static_cast<size_t>(pick(0, 1))], 0));
  }

  // The data area goes to the array map's entry 0 (what the stack held is then compared), and
  // r0 gets a value from the scalars, often an XDP action.
  void epilogue() {
    emit(make_insn(kClassAlu64 | kAluXor | kSrcX, 7, 0, 0, 0));
    emit(make_insn(kClassSt | kModeMem | kSizeW, 10, 0, kKeySlot, 0));
    emit_lddw(1, kLddwMapFd, kArrayMap);
    emit_stack_address(2, kKeySlot);
    emit_stack_address(3, -kDataArea);
    emit_mov_imm(4, 0);
    emit_call(ebpf::kHelperMapUpdateElem);
    emit(make_insn(kClassAlu64 | kAluMov | kSrcX, 0, 7, 0, 0));
    if (chance(60)) emit(make_insn(kClassAlu64 | kAluAnd | kSrcK, 0, 0, 0, 3));
    emit(make_insn(kClassJmp | kJmpExit, 0, 0, 0, 0));
  }

  // r0 = f(r1..r5) over its own frame, whose area it initialises first.
  void subprogram() {
    emit(make_insn(kClassAlu64 | kAluMov | kSrcX, 0, 1, 0, 0));
    for (int offset = 8; offset <= kCalleeArea; offset += 8)
      emit(make_insn(kClassStx | kModeMem | kSizeDw, 10, any(kCalleeScalars),
                     static_cast<int16_t>(-offset), 0));
    const int body = pick(2, 12);
    for (int i = 0; i < body; ++i) {
      switch (pick(0, 5)) {
        case 0:
          stack_access(kCalleeScalars, kCalleeArea);
          break;
        case 1:
          stack_atomic(kCalleeScalars, kCalleeArea);
          break;
        default:
          alu(kCalleeScalars);
      }
    }
    emit(make_insn(kClassJmp | kJmpExit, 0, 0, 0, 0));
  }

  std::mt19937_64 random_;
  GeneratorOptions options_;
  std::vector<Instruction> insns_;
  std::vector<size_t> calls_;
  bool calls_allowed_ = false;
};

}  // namespace

ebpf::ElfObject generate_program(uint64_t seed, const GeneratorOptions& options) {
  return Generator(seed, options).generate();
}

std::vector<std::vector<uint8_t>> generate_packets(uint64_t seed, int count) {
  std::mt19937_64 random(seed ^ 0x9e3779b97f4a7c15ull);
  std::vector<std::vector<uint8_t>> packets;
  for (int i = 0; i < count; ++i) {
    std::vector<uint8_t> packet(std::uniform_int_distribution<size_t>(0, 160)(random));
    for (uint8_t& byte : packet)
      byte = static_cast<uint8_t>(random());
    if (packet.size() >= 34 && random() % 2 == 0) {  // Ethernet + IPv4, so bytes look real
      packet[12] = 0x08;
      packet[13] = 0x00;
      packet[14] = 0x45;
    }
    packets.push_back(std::move(packet));
  }
  return packets;
}

}  // namespace nicsim::fuzz
