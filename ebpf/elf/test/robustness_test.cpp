// Damaged input never crashes the loader: truncations on a grid and seeded random corruptions
// of real objects either load or throw ElfError (anything else fails the test; a crash or a
// sanitizer report fails the run).

#include <bpf/libbpf.h>
#include <gtest/gtest.h>

#include <cctype>
#include <ostream>
#include <random>
#include <span>
#include <string>
#include <typeinfo>

#include "ebpf/elf/elf_loader.h"
#include "test_support.h"

namespace nicsim::ebpf {
namespace {

struct Subject {
  const char* name;
  bool fixture;  // compiled fixture rather than a corpus object
};

// BTF maps and line info, calls between functions, map initialisers, global data, legacy
// maps, RELA relocations from very old LLVM, and legacy map-in-map.
const Subject kSubjects[] = {
    {"build/bpf2bpf.o", false},
    {"build/prog_array.o", false},
    {"build/global_variable.o", false},
    {"linux/test_map_in_map_kern.o", false},
    {"ovs/datapath.o", false},
    {"cilium/bpf_xdp_dsr_linux.o", false},
    {"btf_maps", true},
    {"subprograms", true},
};

void PrintTo(const Subject& subject, std::ostream* out) {
  *out << subject.name;
}

std::vector<uint8_t> subject_bytes(const Subject& subject) {
  return test::read_bytes(subject.fixture ? test::fixture_object(subject.name)
                                          : test::corpus_dir() / subject.name);
}

// Loads `bytes`; returns an empty string when it loaded or threw ElfError, else what escaped.
std::string unexpected_outcome(std::span<const uint8_t> bytes) {
  try {
    const ElfObject object = load_elf_bytes(bytes, "damaged.o");
    if (object.programs.empty()) return "loaded with no program";
  } catch (const ElfError&) {
  } catch (const std::exception& error) {
    return std::string("escaped ") + typeid(error).name() + ": " + error.what();
  } catch (...) {
    return "escaped a non-standard exception";
  }
  return {};
}

int quiet_libbpf(enum libbpf_print_level, const char*, va_list) {
  return 0;
}

class Robustness : public testing::TestWithParam<Subject> {
 protected:
  void SetUp() override { libbpf_set_print(quiet_libbpf); }
};

TEST_P(Robustness, TruncationsLoadOrThrowElfError) {
  const auto bytes = subject_bytes(GetParam());
  ASSERT_FALSE(bytes.empty());
  ASSERT_EQ(unexpected_outcome(bytes), "") << "the intact object must load";
  std::vector<size_t> lengths;
  for (size_t length = 0; length < 256 && length < bytes.size(); ++length)
    lengths.push_back(length);
  for (size_t step = 0; step < 512; ++step)
    lengths.push_back(bytes.size() * step / 512);
  lengths.push_back(bytes.size() - 1);
  for (size_t length : lengths) {
    const std::string outcome = unexpected_outcome(std::span(bytes.data(), length));
    EXPECT_EQ(outcome, "") << "truncated to " << length << " of " << bytes.size() << " bytes";
  }
}

TEST_P(Robustness, CorruptionsLoadOrThrowElfError) {
  const auto original = subject_bytes(GetParam());
  ASSERT_FALSE(original.empty());
  // Half the damage lands in the structures the loader reads (headers, symbol table,
  // relocations, BTF, maps), half anywhere in the file.
  std::vector<std::pair<uint64_t, uint64_t>> structures = {{0, 64}};
  for (const auto& section : test::raw_sections(original)) {
    if (section.name.starts_with(".debug") || section.name.starts_with(".rel.debug")) continue;
    structures.emplace_back(section.header_offset, 64);
    if (section.type != 8 /* SHT_NOBITS */ && section.size > 0)
      structures.emplace_back(section.offset, section.size);
  }
  std::mt19937_64 random(0x6e6963'73696d);  // fixed seed: failures reproduce
  const uint8_t interesting[] = {0x00, 0x01, 0x7f, 0x80, 0xff, 0x08, 0x10, 0x40};
  for (int round = 0; round < 600; ++round) {
    auto bytes = original;
    const int edits = 1 + static_cast<int>(random() % 4);
    for (int e = 0; e < edits; ++e) {
      size_t at = 0;
      if (random() % 2 == 0) {
        const auto& [start, size] = structures[random() % structures.size()];
        at = static_cast<size_t>(start + random() % size);
      } else {
        at = static_cast<size_t>(random() % bytes.size());
      }
      if (at >= bytes.size()) continue;
      bytes[at] = random() % 2 ? interesting[random() % sizeof(interesting)]
                               : static_cast<uint8_t>(random());
    }
    const std::string outcome = unexpected_outcome(bytes);
    EXPECT_EQ(outcome, "") << "round " << round;
    if (!outcome.empty()) break;
  }
}

INSTANTIATE_TEST_SUITE_P(Objects, Robustness, testing::ValuesIn(kSubjects),
                         [](const testing::TestParamInfo<Subject>& info) {
                           std::string name = info.param.name;
                           for (char& c : name)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return name;
                         });

}  // namespace
}  // namespace nicsim::ebpf
