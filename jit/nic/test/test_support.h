#pragma once
// Programs written in pseudo-C assembly, compiled for the NIC, inspected slot by slot and run
// on the model against the interpreter.

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "ebpf/asm/assembler.h"
#include "ebpf/interp/interpreter.h"
#include "ebpf/runtime/runtime.h"
#include "jit/nic/compiler.h"
#include "model/engine/model_engine.h"

namespace nicsim::jit::nic::test {

inline ebpf::ElfObject object_from_asm(std::string_view text,
                                       ebpf::ProgramType type = ebpf::ProgramType::Xdp,
                                       std::vector<ebpf::MapDefinition> maps = {}) {
  ebpf::ElfObject object = ebpf::make_single_program_object(ebpf::assemble(text), type);
  object.maps = std::move(maps);
  return object;
}

inline ebpf::MapDefinition array_map(const std::string& name, uint32_t value_size,
                                     uint32_t entries) {
  ebpf::MapDefinition def;
  def.name = name;
  def.type = ebpf::MapType::Array;
  def.key_size = 4;
  def.value_size = value_size;
  def.max_entries = entries;
  return def;
}

inline CompileOptions only_without(Pass pass) {
  CompileOptions o;
  o.set_enabled(pass, false);
  return o;
}

inline CompileResult compile_object(const ebpf::ElfObject& object, const CompileOptions& o = {}) {
  return compile(object.programs.at(0), object, o);
}

// The program's slots (routines left out), nops skipped.
inline std::vector<firmware::Slot> slots_of(const firmware::Image& image) {
  std::vector<firmware::Slot> out;
  for (size_t i = 0; i < size_t{image.program_bundles} * image.lanes; ++i) {
    if (image.code[i].op != firmware::OpClass::Nop) out.push_back(image.code[i]);
  }
  return out;
}

inline size_t count_slots(const firmware::Image& image,
                          const std::function<bool(const firmware::Slot&)>& predicate) {
  size_t n = 0;
  for (const firmware::Slot& s : slots_of(image))
    n += predicate(s);
  return n;
}

inline bool is_op(const firmware::Slot& s, firmware::OpClass op) {
  return s.op == op;
}

// Runs `object`'s program on the interpreter and, compiled with `options`, on the model, for
// every frame; expects the same action, return value and bytes.
inline void expect_same_as_interpreter(const ebpf::ElfObject& object,
                                       const std::vector<std::vector<uint8_t>>& frames,
                                       const CompileOptions& options = {}) {
  ebpf::Runtime interp_runtime(object), model_runtime(object);
  ebpf::Interpreter interpreter(object.programs[0], interp_runtime);
  model::ModelEngine model(compile_object(object, options).image, model_runtime);
  for (size_t i = 0; i < frames.size(); ++i) {
    ebpf::XdpFrame a(frames[i]), b(frames[i]);
    const auto ra = interpreter.run_xdp(a);
    const auto rb = model.run_xdp(b);
    ASSERT_EQ(ebpf::xdp_action_of(ra), ebpf::xdp_action_of(rb))
        << "frame " << i << ": " << ra.diagnostic << " | " << rb.diagnostic;
    if (!ra.aborted) {
      EXPECT_EQ(ra.return_value, rb.return_value) << "frame " << i;
      EXPECT_TRUE(std::ranges::equal(a.packet(), b.packet())) << "frame " << i;
    }
  }
}

// A raw (bpf_conformance contract) run on the model: r0 at exit.
inline uint64_t run_raw_on_model(const ebpf::ElfObject& object, std::vector<uint8_t> memory,
                                 const CompileOptions& options = {}) {
  ebpf::Runtime runtime(object);
  model::ModelEngine model(compile_object(object, options).image, runtime);
  const auto result = model.run_raw(memory);
  EXPECT_FALSE(result.aborted) << result.diagnostic;
  return result.return_value;
}

inline std::vector<uint8_t> frame_of(size_t size, uint8_t fill = 0x11) {
  std::vector<uint8_t> f(size, fill);
  for (size_t i = 0; i < size; ++i)
    f[i] = static_cast<uint8_t>(fill + i);
  return f;
}

}  // namespace nicsim::jit::nic::test
