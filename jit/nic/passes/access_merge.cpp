// Access widening and merging. The NIC's loads and stores move 1 to 8 bytes at any alignment in
// one operation, so:
//  * a value assembled from byte loads (b0 | b1 << 8 ...) becomes one little-endian load of
//    all its bytes (the byte loads then die: they fault exactly when the wide load does);
//  * adjacent stores of constants become one store of the combined constant;
//  * a run of byte copies (load a byte, store it elsewhere) becomes one wide load and one wide
//    store per contiguous stretch.
// Everything happens inside a block, between the same base registers, with no other memory
// write in between.

#include <algorithm>
#include <map>
#include <tuple>

#include "jit/nic/liveness.h"
#include "jit/nic/memory_facts.h"
#include "jit/nic/passes/pass.h"

namespace nicsim::jit::nic {

using firmware::AluFunc;
using firmware::OpClass;
using firmware::OperandB;

namespace {

uint16_t bit(uint8_t r) {
  return static_cast<uint16_t>(1u << r);
}

bool writes_memory(const Op& op) {
  return op.writes_memory() || op.is_call();
}

// --- byte-assembled loads ---

struct Bytes {
  bool valid = false;
  uint8_t base = 0;
  uint32_t version = 0;
  int64_t offset = 0;
  int length = 0;
  int shift = 0;     // bits
  size_t first = 0;  // earliest load contributing
  std::vector<size_t> loads;
};

size_t merge_assembled_loads(Block& block) {
  size_t changes = 0;
  std::array<Bytes, firmware::kNumOperandRegisters> sym;
  std::array<uint32_t, firmware::kNumOperandRegisters> version{};
  size_t last_memory_write = 0;
  bool any_memory_write = false;
  for (size_t i = 0; i < block.ops.size(); ++i) {
    Op& op = block.ops[i];
    const firmware::Slot s = op.slot;
    Bytes result;
    if (s.op == OpClass::Load && s.load_mode == firmware::LoadMode::BaseImm && !s.sign_extend) {
      result = {true, s.ra, version[s.ra], s.imm, s.size, 0, i, {i}};
    } else if (s.op == OpClass::Alu && s.func == AluFunc::Lsh && s.b == OperandB::Imm &&
               s.imm % 8 == 0 && sym[s.ra].valid &&
               sym[s.ra].shift + s.imm + 8 * sym[s.ra].length <= (s.w32 ? 32 : 64)) {
      result = sym[s.ra];
      result.shift += s.imm;
    } else if (s.op == OpClass::Alu && !s.w32 && s.func == AluFunc::Mov && s.b == OperandB::Reg) {
      result = sym[s.rb];
    } else if (s.op == OpClass::Alu && s.func == AluFunc::Or && s.b == OperandB::Reg &&
               sym[s.ra].valid && sym[s.rb].valid) {
      const Bytes& a = sym[s.ra];
      const Bytes& b = sym[s.rb];
      const auto join = [&](const Bytes& lo, const Bytes& hi) -> Bytes {
        if (lo.base != hi.base || lo.version != hi.version || lo.version != version[lo.base] ||
            hi.shift != lo.shift + 8 * lo.length || hi.offset != lo.offset + lo.length ||
            lo.length + hi.length > 8)
          return {};
        Bytes c = lo;
        c.length += hi.length;
        c.first = std::min(lo.first, hi.first);
        c.loads.insert(c.loads.end(), hi.loads.begin(), hi.loads.end());
        return c;
      };
      result = join(a, b);
      if (!result.valid) result = join(b, a);
      if (result.valid && s.w32 && result.shift + 8 * result.length > 32) result.valid = false;
      // Nothing may have written memory since the first byte was read.
      if (result.valid && any_memory_write && last_memory_write > result.first)
        result.valid = false;
      if (result.valid && result.shift == 0) {
        const uint8_t rd = s.rd;
        std::vector<uint32_t> origins = std::move(op.origins);
        op.slot = firmware::make_load(static_cast<uint8_t>(result.length), false, rd, result.base,
                                      static_cast<int32_t>(result.offset));
        op.origins = std::move(origins);
        op.safe = false;
        op.access_proven = true;
        for (size_t l : result.loads)
          op.access_proven &= block.ops[l].access_proven;
        for (size_t l : result.loads)
          block.ops[l].safe = true;
        ++changes;
      }
    }
    if (writes_memory(op)) {
      any_memory_write = true;
      last_memory_write = i;
    }
    for (uint16_t w = op.writes(); w; w &= w - 1) {
      const int r = __builtin_ctz(w);
      ++version[r];
      sym[r] = Bytes{};
    }
    const uint16_t written = op.writes();
    if (result.valid && written) sym[__builtin_ctz(written)] = result;
  }
  return changes;
}

// --- adjacent constant stores ---

bool constant_store(const Op& op) {
  return op.slot.op == OpClass::Store && op.slot.store_value != firmware::StoreValue::Reg;
}

uint64_t store_value(const Op& op) {
  const uint64_t v =
      op.pool ? op.pool_value : static_cast<uint64_t>(static_cast<int64_t>(op.slot.imm));
  return op.slot.size >= 8 ? v : v & ((uint64_t{1} << (8 * op.slot.size)) - 1);
}

// The byte range [offset, offset + size) from `base` that a memory operation touches; false when
// unknown.
bool memory_range(const Op& op, uint8_t& base, int64_t& offset, int& size) {
  const firmware::Slot& s = op.slot;
  switch (s.op) {
    case OpClass::Load:
      if (s.load_mode != firmware::LoadMode::BaseImm) return false;
      base = s.ra, offset = s.imm, size = s.size;
      return true;
    case OpClass::Store:
      base = s.ra;
      offset = s.store_value == firmware::StoreValue::Reg ? s.imm : s.offset12();
      size = s.size;
      return true;
    case OpClass::Atomic:
    case OpClass::Xchg:
    case OpClass::Cmpxchg:
      base = s.ra, offset = s.imm, size = s.w32 ? 4 : 8;
      return true;
    default:
      return false;
  }
}

// Whether memory operation `y` may touch a byte that `x` accesses, both in one block with x's
// base register unchanged in between.
bool may_touch(const Op& y, const MemoryAccess& ya, const Op& x, const MemoryAccess& xa) {
  uint8_t yb, xb;
  int64_t yo, xo;
  int ys, xs;
  const bool yk = memory_range(y, yb, yo, ys), xk = memory_range(x, xb, xo, xs);
  if (yk && xk && yb == xb) return yo < xo + xs && xo < yo + ys;
  return accesses_may_overlap(ya, yk ? ys : 8, xa, xk ? xs : 8);
}

// Merges one pair of adjacent constant stores of the block (the earlier moves down to the
// later when nothing in between can touch its bytes); returns whether it did.
bool merge_constant_store_pair(Function& fn, int32_t b) {
  Block& block = fn.blocks[b];
  const std::vector<MemoryAccess> memory = classify_memory(fn)[b];
  for (size_t i = 0; i < block.ops.size(); ++i) {
    if (!constant_store(block.ops[i])) continue;
    const firmware::Slot a = block.ops[i].slot;
    for (size_t j = i + 1; j < block.ops.size(); ++j) {
      const Op& y = block.ops[j];
      if (y.is_call() || (y.writes() & bit(a.ra))) break;
      const firmware::Slot c = y.slot;
      const bool adjacent =
          constant_store(y) && c.ra == a.ra &&
          (c.offset12() == a.offset12() + a.size || a.offset12() == c.offset12() + c.size) &&
          a.size + c.size <= 8;
      if (adjacent) {
        const bool a_low = c.offset12() == a.offset12() + a.size;
        const Op& lo = a_low ? block.ops[i] : y;
        const Op& hi = a_low ? y : block.ops[i];
        const int size = a.size + c.size;
        const uint64_t value = store_value(lo) | (store_value(hi) << (8 * lo.slot.size));
        const int32_t offset = std::min(a.offset12(), c.offset12());
        Op merged = y;
        const auto sv = static_cast<int64_t>(value);
        if (size <= 4 || (sv >= INT32_MIN && sv <= INT32_MAX)) {
          merged.slot =
              firmware::make_store_imm(static_cast<uint8_t>(size), a.ra, offset,
                                       static_cast<int32_t>(static_cast<uint32_t>(value)));
          merged.pool = false;
        } else {
          merged.slot = firmware::make_store_pool(static_cast<uint8_t>(size), a.ra, offset, 0);
          merged.pool = true;
          merged.pool_value = value;
        }
        block.ops[j] = std::move(merged);
        remove_op(block, i);  // its instructions move on to what follows it
        return true;
      }
      if (y.is_memory() && may_touch(y, memory[j], block.ops[i], memory[i])) break;
    }
  }
  return false;
}

size_t merge_constant_stores(Function& fn, int32_t b) {
  size_t changes = 0;
  while (merge_constant_store_pair(fn, b))
    ++changes;
  return changes;
}

// --- byte copies ---

struct CopyPair {
  size_t load;  // index of the load; the store follows it
  int64_t source;
  int64_t destination;
  uint8_t size;
  uint8_t reg;
};

size_t merge_copies(Function& fn, int32_t b) {
  Block& block = fn.blocks[b];
  size_t changes = 0;
  for (size_t i = 0; i + 3 < block.ops.size(); ++i) {
    std::vector<CopyPair> run;
    uint8_t src_base = 0, dst_base = 0;
    size_t j = i;
    for (; j + 1 < block.ops.size(); j += 2) {
      const firmware::Slot l = block.ops[j].slot, st = block.ops[j + 1].slot;
      const bool pair = l.op == OpClass::Load && l.load_mode == firmware::LoadMode::BaseImm &&
                        !l.sign_extend && st.op == OpClass::Store &&
                        st.store_value == firmware::StoreValue::Reg && st.rb == l.rd &&
                        st.size == l.size && l.rd != l.ra && l.rd != st.ra;
      if (!pair) break;
      if (run.empty()) {
        src_base = l.ra;
        dst_base = st.ra;
      } else if (l.ra != src_base || st.ra != dst_base) {
        break;
      }
      run.push_back({j, l.imm, st.imm, l.size, l.rd});
    }
    if (run.size() < 2) continue;
    // Loads may move before stores only if no store overwrites a byte a load reads.
    bool overlap = src_base != dst_base;
    uint16_t temps = 0;
    for (const CopyPair& s : run) {
      temps |= bit(s.reg);
      for (const CopyPair& d : run) {
        if (s.source < d.destination + d.size && d.destination < s.source + s.size) overlap = true;
      }
    }
    const Liveness liveness(fn);
    const size_t end = run.back().load + 1;  // the last store
    if (overlap || (liveness.live_after(fn, b, end) & temps)) {
      i = end;
      continue;
    }
    // Stretches of consecutive bytes that keep the same distance between source and copy.
    std::map<int64_t, std::vector<CopyPair>> by_delta;
    std::vector<uint32_t> origins;
    for (const CopyPair& p : run) {
      by_delta[p.destination - p.source].push_back(p);
      for (size_t k : {p.load, p.load + 1}) {
        const auto& o = block.ops[k].origins;
        origins.insert(origins.end(), o.begin(), o.end());
      }
    }
    std::vector<Op> replacement;
    const uint8_t temp = run.back().reg;
    for (auto& [delta, pairs] : by_delta) {
      std::sort(pairs.begin(), pairs.end(),
                [](const CopyPair& x, const CopyPair& y) { return x.source < y.source; });
      for (size_t k = 0; k < pairs.size();) {
        int64_t start = pairs[k].source;
        int length = pairs[k].size;
        size_t next = k + 1;
        while (next < pairs.size() && pairs[next].source == start + length &&
               length + pairs[next].size <= 8) {
          length += pairs[next].size;
          ++next;
        }
        Op load, store;
        load.slot = firmware::make_load(static_cast<uint8_t>(length), false, temp, src_base,
                                        static_cast<int32_t>(start));
        store.slot = firmware::make_store(static_cast<uint8_t>(length), dst_base,
                                          static_cast<int32_t>(start + delta), temp);
        replacement.push_back(load);
        replacement.push_back(store);
        k = next;
      }
    }
    if (replacement.size() >= 2 * run.size()) {
      i = end;
      continue;
    }
    std::sort(origins.begin(), origins.end());
    replacement.back().origins = std::move(origins);
    changes += 2 * run.size() - replacement.size();
    block.ops.erase(block.ops.begin() + static_cast<ptrdiff_t>(i),
                    block.ops.begin() + static_cast<ptrdiff_t>(end + 1));
    block.ops.insert(block.ops.begin() + static_cast<ptrdiff_t>(i), replacement.begin(),
                     replacement.end());
    i += replacement.size() - 1;
  }
  return changes;
}

// --- stores of loaded values, wherever they sit in the block ---
//
// A store whose value register was loaded (same size, zero-extended) and is used for nothing
// else is a copy. Copies from consecutive source bytes to consecutive destination bytes (same
// base registers, same distance) merge into one load, at the first copy's load, into the first
// copy's register, and one store, at the last copy's store.

struct Copy {
  size_t load = 0;
  size_t store = 0;
  uint8_t reg = 0;
  uint8_t size = 0;
  uint8_t src_base = 0, dst_base = 0;
  uint32_t src_version = 0, dst_version = 0;
  int64_t src = 0, dst = 0;
};

size_t merge_copy_groups(Function& fn, int32_t b) {
  Block& block = fn.blocks[b];
  const Liveness liveness(fn);
  const std::vector<MemoryAccess> memory = classify_memory(fn)[b];
  // Register versions before each operation, to compare base registers.
  std::vector<std::array<uint32_t, firmware::kNumOperandRegisters>> versions(block.ops.size() + 1);
  for (size_t i = 0; i < block.ops.size(); ++i) {
    versions[i + 1] = versions[i];
    for (uint16_t w = block.ops[i].writes(); w; w &= w - 1)
      ++versions[i + 1][__builtin_ctz(w)];
  }
  std::vector<Copy> copies;
  for (size_t s = 0; s < block.ops.size(); ++s) {
    const firmware::Slot st = block.ops[s].slot;
    if (st.op != OpClass::Store || st.store_value != firmware::StoreValue::Reg) continue;
    // The value's producer: the last writer of st.rb before the store.
    size_t l = s;
    while (l-- > 0 && !(block.ops[l].writes() & bit(st.rb))) {
    }
    if (l >= s) continue;
    const firmware::Slot ld = block.ops[l].slot;
    if (ld.op != OpClass::Load || ld.load_mode != firmware::LoadMode::BaseImm || ld.sign_extend ||
        ld.size != st.size || ld.rd == ld.ra || ld.rd == st.ra)
      continue;
    bool other_use = false;
    for (size_t k = l + 1; k < s; ++k)
      other_use |= (block.ops[k].reads() & bit(ld.rd)) != 0;
    if (other_use || (liveness.live_after(fn, b, s) & bit(ld.rd))) continue;
    copies.push_back({l, s, ld.rd, ld.size, ld.ra, st.ra, versions[l][ld.ra], versions[s][st.ra],
                      ld.imm, st.imm});
  }
  // Groups: same bases (and versions) and distance; runs of consecutive source bytes.
  std::sort(copies.begin(), copies.end(), [](const Copy& x, const Copy& y) {
    const int64_t dx = x.dst - x.src, dy = y.dst - y.src;
    return std::tie(x.src_base, x.src_version, x.dst_base, x.dst_version, dx, x.src) <
           std::tie(y.src_base, y.src_version, y.dst_base, y.dst_version, dy, y.src);
  });
  std::vector<bool> gone(block.ops.size(), false);
  std::vector<std::pair<size_t, Op>> replacements;
  size_t changes = 0;
  for (size_t i = 0; i < copies.size();) {
    size_t j = i + 1;
    int total = copies[i].size;
    const auto same_group = [&](const Copy& a, const Copy& c) {
      return a.src_base == c.src_base && a.src_version == c.src_version &&
             a.dst_base == c.dst_base && a.dst_version == c.dst_version &&
             a.dst - a.src == c.dst - c.src;
    };
    while (j < copies.size() && same_group(copies[i], copies[j]) &&
           copies[j].src == copies[j - 1].src + copies[j - 1].size && total + copies[j].size <= 8) {
      total += copies[j].size;
      ++j;
    }
    const std::vector<Copy> run(copies.begin() + static_cast<ptrdiff_t>(i),
                                copies.begin() + static_cast<ptrdiff_t>(j));
    i = j;
    if (run.size() < 2) continue;
    // The source and the destination must not overlap: within one base register by their
    // offsets, between two by the memories they are in.
    const Copy& head = run.front();
    const int64_t src = head.src, dst = head.dst;
    if (head.src_base == head.dst_base) {
      if (src < dst + total && dst < src + total) continue;
    } else if (memory[head.load].memory == Memory::Unknown ||
               accesses_may_overlap(memory[head.load], 8, memory[head.store], 8)) {
      continue;
    }
    size_t first_load = SIZE_MAX, last_load = 0, first_store = SIZE_MAX, last_store = 0;
    std::vector<bool> member(block.ops.size(), false);
    for (const Copy& c : run) {
      first_load = std::min(first_load, c.load), last_load = std::max(last_load, c.load);
      first_store = std::min(first_store, c.store), last_store = std::max(last_store, c.store);
      member[c.load] = member[c.store] = true;
    }
    const uint8_t wide = std::find_if(run.begin(), run.end(), [&](const Copy& c) {
                           return c.load == first_load;
                         })->reg;
    // The wide load reads every source byte where the first load was, the wide store writes
    // every destination byte where the last store was: nothing in between may see the
    // difference.
    bool ok = true;
    for (size_t k = first_load; k <= last_store && ok; ++k) {
      if (member[k] || gone[k]) continue;
      const Op& op = block.ops[k];
      if (k > first_load && ((op.reads() | op.writes()) & bit(wide))) ok = false;
      if (op.is_call()) ok = false;
      if (k > first_load && (op.writes() & (bit(head.src_base) | bit(head.dst_base)))) ok = false;
      if (!op.is_memory()) continue;
      for (const Copy& c : run) {
        // A write that a later load of the run would have seen.
        if (op.writes_memory() && c.load > k &&
            may_touch(op, memory[k], block.ops[c.load], memory[c.load]))
          ok = false;
        // A load that would have seen an earlier store of the run, or a store whose order
        // with the run's stores would change.
        if (k > first_store && k < last_store &&
            ((op.slot.op == OpClass::Load && c.store < k) || op.writes_memory()) &&
            may_touch(op, memory[k], block.ops[c.store], memory[c.store]))
          ok = false;
      }
    }
    if (!ok) continue;
    std::vector<uint32_t> origins;
    for (const Copy& c : run) {
      for (size_t k : {c.load, c.store}) {
        origins.insert(origins.end(), block.ops[k].origins.begin(), block.ops[k].origins.end());
        gone[k] = true;
      }
    }
    std::sort(origins.begin(), origins.end());
    Op load, store;
    load.slot = firmware::make_load(static_cast<uint8_t>(total), false, wide, head.src_base,
                                    static_cast<int32_t>(src));
    load.access_proven = std::all_of(
        run.begin(), run.end(), [&](const Copy& c) { return block.ops[c.load].access_proven; });
    store.slot = firmware::make_store(static_cast<uint8_t>(total), head.dst_base,
                                      static_cast<int32_t>(dst), wide);
    store.origins = std::move(origins);
    replacements.emplace_back(first_load, load);
    replacements.emplace_back(last_store, store);
    changes += 2 * run.size() - 2;
    break;  // positions change: the caller looks again
  }
  if (replacements.empty()) return 0;
  std::vector<Op> ops;
  for (size_t k = 0; k < block.ops.size(); ++k) {
    bool replaced = false;
    for (auto& [at, op] : replacements) {
      if (at == k) {
        ops.push_back(op);
        replaced = true;
      }
    }
    if (!replaced && !gone[k]) ops.push_back(std::move(block.ops[k]));
  }
  block.ops = std::move(ops);
  return changes;
}

// --- read-modify-write into one atomic operation ---
//
// ld rX, [p+o] ; op rX, rX, B ; st [p+o], rX  (4 or 8 bytes, op add/or/and/xor, rX used for
// nothing else) is what `lock.op [p+o], B` does in one memory operation: the value is read and
// written back with nothing in between.

size_t fuse_read_modify_write(Function& fn, int32_t b) {
  Block& block = fn.blocks[b];
  const Liveness liveness(fn);
  size_t changes = 0;
  for (size_t l = 0; l < block.ops.size(); ++l) {
    const firmware::Slot ld = block.ops[l].slot;
    if (ld.op != OpClass::Load || ld.load_mode != firmware::LoadMode::BaseImm || ld.sign_extend ||
        (ld.size != 4 && ld.size != 8) || ld.rd == ld.ra)
      continue;
    const uint8_t x = ld.rd;
    // The next reader of rX must be the ALU operation, the one after it the store.
    size_t a = l + 1;
    while (a < block.ops.size() && !((block.ops[a].reads() | block.ops[a].writes()) & bit(x)) &&
           !block.ops[a].is_memory() && !block.ops[a].is_call())
      ++a;
    if (a >= block.ops.size()) continue;
    const firmware::Slot alu = block.ops[a].slot;
    firmware::AtomicOp op;
    switch (alu.func) {
      case AluFunc::Add:
        op = firmware::AtomicOp::Add;
        break;
      case AluFunc::Or:
        op = firmware::AtomicOp::Or;
        break;
      case AluFunc::And:
        op = firmware::AtomicOp::And;
        break;
      case AluFunc::Xor:
        op = firmware::AtomicOp::Xor;
        break;
      default:
        continue;
    }
    if (alu.op != OpClass::Alu || alu.rd != x || alu.ra != x || block.ops[a].pool ||
        (alu.b == OperandB::Reg && alu.rb == x) ||
        (alu.w32 && ld.size != 4 && op != firmware::AtomicOp::And))
      continue;
    if (alu.w32 && ld.size == 8) continue;
    size_t st = a + 1;
    while (st < block.ops.size() && !((block.ops[st].reads() | block.ops[st].writes()) & bit(x)) &&
           !block.ops[st].is_memory() && !block.ops[st].is_call() &&
           !(alu.b == OperandB::Reg && (block.ops[st].writes() & bit(alu.rb))) &&
           !(block.ops[st].writes() & bit(ld.ra)))
      ++st;
    if (st >= block.ops.size()) continue;
    const firmware::Slot store = block.ops[st].slot;
    if (store.op != OpClass::Store || store.store_value != firmware::StoreValue::Reg ||
        store.rb != x || store.ra != ld.ra || store.imm != ld.imm || store.size != ld.size)
      continue;
    if (liveness.live_after(fn, b, st) & bit(x)) continue;
    bool base_changed = false;
    for (size_t k = l + 1; k < st; ++k)
      base_changed |= (block.ops[k].writes() & bit(ld.ra)) != 0;
    if (base_changed) continue;
    // The operand goes in a register: rX itself, free once the value is no longer loaded.
    uint8_t operand = alu.rb;
    std::vector<uint32_t> origins = block.ops[l].origins;
    origins.insert(origins.end(), block.ops[a].origins.begin(), block.ops[a].origins.end());
    origins.insert(origins.end(), block.ops[st].origins.begin(), block.ops[st].origins.end());
    std::sort(origins.begin(), origins.end());
    Op atomic;
    atomic.slot = firmware::make_atomic(op, ld.size == 4, false, 0, ld.ra, ld.imm, 0);
    atomic.origins = std::move(origins);
    if (alu.b == OperandB::Imm) {
      block.ops[l] = Op{};
      block.ops[l].slot = firmware::make_mov_imm(false, x, alu.imm);
      operand = x;
    } else {
      block.ops[l] = Op{};
      block.ops[l].slot = firmware::make_nop();
    }
    atomic.slot.rb = operand;
    block.ops[st] = std::move(atomic);
    block.ops.erase(block.ops.begin() + static_cast<ptrdiff_t>(a));
    if (block.ops[l].slot.op == OpClass::Nop)
      block.ops.erase(block.ops.begin() + static_cast<ptrdiff_t>(l));
    ++changes;
    return changes;  // positions changed: the caller looks again
  }
  return changes;
}

}  // namespace

size_t run_access_merge(PassContext& context) {
  Function& fn = context.fn;
  size_t changes = 0;
  for (int32_t b = 0; b < static_cast<int32_t>(fn.blocks.size()); ++b) {
    Block& block = fn.blocks[b];
    if (block.removed) continue;
    changes += merge_assembled_loads(block);
    changes += merge_constant_stores(fn, b);
    changes += merge_copies(fn, b);
    for (size_t merged; (merged = merge_copy_groups(fn, b)) != 0;)
      changes += merged;
    for (size_t fused; (fused = fuse_read_modify_write(fn, b)) != 0;)
      changes += fused;
  }
  changes += forward_stack_stores(fn);
  return changes;
}

}  // namespace nicsim::jit::nic
