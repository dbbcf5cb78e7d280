#include "firmware/image/image.h"

#include <gtest/gtest.h>

#include <cstring>

#include "ebpf/util/error.h"
#include "firmware/isa/address_map.h"

namespace nicsim::firmware {
namespace {

Image sample_image() {
  Image image;
  image.program_name = "xdp_sample";
  image.lanes = 2;
  image.memory_ports = 2;
  image.entry_kind = EntryKind::Xdp;
  image.code = {make_alu_pool(AluFunc::Mov, 1, 0, 0),
                make_hcall(1),  //
                make_branch_imm(Cond::Eq, false, 0, 0, 2),
                make_nop(),  //
                make_callf(3),
                make_nop(),  //
                make_movs(0, SpecialReg::TimeNs),
                make_ret()};
  image.program_bundles = 3;
  image.constants = {0x1122334455667788ull};
  MapLayout map;
  map.name = "counters";
  map.type = ebpf::MapType::Array;
  map.key_size = 4;
  map.value_size = 12;
  map.max_entries = 10;
  map.base = kMapBase;
  map.stride = 16;
  map.capacity = 10;
  image.maps.push_back(map);
  image.helpers = {{1, HelperKind::Unit, 0, "map_lookup_elem"},
                   {5, HelperKind::Routine, 3, "ktime_get_ns"}};
  image.source = {0x95, 0xb7};
  image.origins = {{0}, {1}, {}, {}, {0, 1}, {}, {}, {}};
  return image;
}

std::string error_of(const std::vector<uint8_t>& bytes) {
  try {
    read_image(bytes, "test.nic");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

std::string validation_error(const Image& image) {
  try {
    validate_image(image);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Crc32, StandardCheckValue) {
  const char* text = "123456789";
  EXPECT_EQ(crc32({reinterpret_cast<const uint8_t*>(text), 9}), 0xcbf43926u);
}

TEST(ImageFormat, WriteReadRoundTrip) {
  const Image image = sample_image();
  const std::vector<uint8_t> bytes = write_image(image);
  EXPECT_EQ(std::memcmp(bytes.data(), "NICIMG\r\n", 8), 0);
  EXPECT_EQ(bytes.size() % 8, 0u);
  EXPECT_EQ(read_image(bytes, "test.nic"), image);
}

TEST(ImageFormat, WithoutDebugSections) {
  Image image = sample_image();
  image.source.clear();
  image.origins.clear();
  EXPECT_EQ(read_image(write_image(image), "test.nic"), image);
}

TEST(ImageFormat, DetectsCorruption) {
  std::vector<uint8_t> bytes = write_image(sample_image());
  bytes[100] ^= 0x40;
  EXPECT_NE(error_of(bytes).find("checksum mismatch"), std::string::npos) << error_of(bytes);
}

TEST(ImageFormat, RefusesTruncatedForeignAndNewer) {
  std::vector<uint8_t> bytes = write_image(sample_image());
  std::vector<uint8_t> truncated(bytes.begin(), bytes.begin() + 40);
  EXPECT_NE(error_of(truncated).find("image 'test.nic': header:"), std::string::npos);
  std::vector<uint8_t> foreign = bytes;
  foreign[0] = 'X';
  EXPECT_EQ(error_of(foreign), "image 'test.nic': header: not a nicsim NIC image (bad magic)");
  std::vector<uint8_t> newer = bytes;
  newer[8] = 2;
  EXPECT_EQ(error_of(newer), "image 'test.nic': header: version 2.0 (this reader understands 1.x)");
  EXPECT_EQ(error_of({}), "image 'test.nic': header: truncated at byte 0");
}

TEST(ImageValidation, Code) {
  Image image = sample_image();
  image.code[4] = make_jump(9);
  EXPECT_EQ(validation_error(image),
            "image 'xdp_sample': bundle 2 lane 0: target 9 outside the code");
  image = sample_image();
  image.code[1] = make_hcall(2);
  EXPECT_EQ(validation_error(image),
            "image 'xdp_sample': bundle 0 lane 1: hcall 2 has no hardware-unit binding");
  image = sample_image();
  image.code[0] = make_alu_pool(AluFunc::Mov, 1, 0, 5);
  EXPECT_EQ(validation_error(image),
            "image 'xdp_sample': bundle 0 lane 0: constant 5 outside the pool of 1");
  image = sample_image();
  image.code[4] = make_callf(1);
  EXPECT_EQ(validation_error(image),
            "image 'xdp_sample': bundle 2 lane 0: callf 1 is the entry of no routine");
  image = sample_image();
  image.code.pop_back();
  EXPECT_EQ(validation_error(image),
            "image 'xdp_sample': code holds 7 slots, not a multiple of 2 lanes");
  image = sample_image();
  image.code[1] = make_mov_imm(false, 1, 3);  // two lanes write r1
  image.code[0] = make_mov_imm(false, 1, 4);
  EXPECT_EQ(validation_error(image),
            "image 'xdp_sample': bundle 0: lane 1: writes a register another lane of the bundle "
            "writes");
}

TEST(ImageValidation, MapsHelpersDebug) {
  Image image = sample_image();
  image.maps.push_back(image.maps[0]);
  image.maps[1].name = "other";
  image.maps[1].base = kMapBase + 64;
  EXPECT_EQ(validation_error(image), "image 'xdp_sample': map regions overlap");
  image = sample_image();
  image.maps[0].stride = 12;
  EXPECT_EQ(validation_error(image),
            "image 'xdp_sample': map 'counters': stride 12 for value size 12");
  image = sample_image();
  image.helpers[1].entry = 1;
  EXPECT_EQ(validation_error(image),
            "image 'xdp_sample': helper 5 ('ktime_get_ns'): routine entry 1 outside the routines");
  image = sample_image();
  image.origins[3] = {7};
  EXPECT_EQ(validation_error(image),
            "image 'xdp_sample': slot 3 comes from eBPF instruction 7, the source has 2");
}

}  // namespace
}  // namespace nicsim::firmware
