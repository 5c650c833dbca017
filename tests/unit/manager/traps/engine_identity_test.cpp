// The receiver's SNMPv3 engine identity: the state file's format, the rules for the ID and boots
// (configured > stored > new; boots + 1 when the ID is the same, 1 when it changed, stuck at the
// maximum), and the file itself (created 0600, rewritten at every start, damage refused).

#include "manager/traps/detail/engine_identity.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "tests/support/temp_dir.h"

namespace netpower::manager::traps::detail {
namespace {

using ::testing::HasSubstr;

constexpr std::array<std::uint8_t, 12> kRandom = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

std::vector<std::uint8_t> id_of(const std::string& hex) { return *parse_engine_id(hex); }

TEST(EngineIdentity, HexRoundTripsAndIsBounded) {
  EXPECT_EQ(engine_id_hex(id_of("80001F8804AbCd")), "80001f8804abcd");
  EXPECT_FALSE(parse_engine_id("80001f88"));            // 4 bytes: too short
  EXPECT_FALSE(parse_engine_id(std::string(66, 'a')));  // 33 bytes: too long
  EXPECT_TRUE(parse_engine_id(std::string(64, 'a')));   // 32 bytes
  EXPECT_FALSE(parse_engine_id("80001f88040"));         // odd
  EXPECT_FALSE(parse_engine_id("80001f8804zz"));        // not hex
  EXPECT_FALSE(parse_engine_id("80001f88-4+1"));
}

TEST(EngineIdentity, StateFileRoundTrips) {
  const EngineIdentity identity{id_of("80001f8880aabbccddeeff"), 42};
  std::string error;
  auto parsed = parse_engine_state(format_engine_state(identity), error);
  ASSERT_TRUE(parsed) << error;
  EXPECT_EQ(*parsed, identity);
  parsed =
      parse_engine_state("# comment\n\n  engine_boots 7\r\nengine_id 8000000001020304\n", error);
  ASSERT_TRUE(parsed) << error;
  EXPECT_EQ(parsed->boots, 7u);
}

TEST(EngineIdentity, DamagedStateIsRefusedWithTheLine) {
  const std::string id = "engine_id 8000000001020304\n";
  for (const auto& [text, message] : std::vector<std::pair<std::string, std::string>>{
           {"", "no engine_id line"},
           {"# only a comment\n", "no engine_id line"},
           {id, "no engine_boots line"},
           {id + "engine_boots 0\n", "line 2: engine_boots is not 1..2147483647"},
           {id + "engine_boots 2147483648\n", "line 2: engine_boots is not"},
           {id + "engine_boots -1\n", "line 2: engine_boots is not"},
           {id + "engine_boots 12x\n", "line 2: engine_boots is not"},
           {id + "engine_boots\n", "line 2: engine_boots is not"},
           {"engine_id 8000\nengine_boots 1\n", "line 1: engine_id is not 5..32 bytes"},
           {id + id + "engine_boots 1\n", "line 2: a second engine_id"},
           {id + "engine_boots 1\nengine_boots 2\n", "line 3: a second engine_boots"},
           {id + "engine_boots 1\nboots 2\n", "line 3: unknown key 'boots'"},
       }) {
    std::string error;
    EXPECT_FALSE(parse_engine_state(text, error)) << text;
    EXPECT_THAT(error, HasSubstr(message)) << text;
  }
}

TEST(EngineIdentity, ConfiguredStoredOrNewAndTheBoots) {
  const auto configured = std::string("80001f88046e6574706f776572");
  // First start without a configured ID: a new one in net-snmp's format, boots 1.
  auto first = next_engine_identity("", std::nullopt, kRandom);
  EXPECT_EQ(engine_id_hex(first.id),
            "80001f8880"
            "0102030405060708090a0b0c");
  EXPECT_EQ(first.boots, 1u);
  // Later starts: the same ID, one more boot.
  auto second = next_engine_identity("", first, kRandom);
  EXPECT_EQ(second.id, first.id);
  EXPECT_EQ(second.boots, 2u);
  // A configured ID wins; a new ID starts its boots at 1 (RFC 3414 2.2.2) ...
  auto changed = next_engine_identity(configured, second, kRandom);
  EXPECT_EQ(engine_id_hex(changed.id), configured);
  EXPECT_EQ(changed.boots, 1u);
  // ... and counts on from there.
  EXPECT_EQ(next_engine_identity(configured, changed, kRandom).boots, 2u);
  // Without the configured ID again, the stored (configured) one stays.
  EXPECT_EQ(next_engine_identity("", changed, kRandom).id, changed.id);
  // At the maximum, boots stay there.
  const EngineIdentity last{changed.id, kMaxEngineBoots};
  EXPECT_EQ(next_engine_identity("", last, kRandom).boots, kMaxEngineBoots);
}

std::string read(const std::filesystem::path& file) {
  std::ifstream in(file);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(EngineIdentity, TheFileKeepsTheIdAndCountsBoots) {
  testing::TempDir dir("np-eng");
  const auto file = dir.file("state/snmp-engine");  // the directory is created too
  const auto first = load_engine_identity("", file);
  EXPECT_EQ(first.boots, 1u);
  EXPECT_EQ(first.id.size(), 17u);
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_THAT(read(file), HasSubstr("engine_id " + engine_id_hex(first.id) + "\n"));
  const auto second = load_engine_identity("", file);
  EXPECT_EQ(second.id, first.id);
  EXPECT_EQ(second.boots, 2u);
  EXPECT_THAT(read(file), HasSubstr("engine_boots 2\n"));
  EXPECT_FALSE(std::filesystem::exists(file.string() + ".tmp"));
  // Another host's file would give another ID: a new random one each first start.
  EXPECT_NE(load_engine_identity("", dir.file("other")).id, first.id);
}

TEST(EngineIdentity, ADamagedOrUnwritableFileStopsTheStart) {
  testing::TempDir dir("np-eng");
  const auto file = dir.file("snmp-engine");
  std::ofstream(file) << "";  // empty: written atomically, so this is damage
  try {
    load_engine_identity("", file);
    ADD_FAILURE() << "an empty engine file was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr(file.string()));
    EXPECT_THAT(e.what(), HasSubstr("traps.engine_file"));
    EXPECT_THAT(e.what(), HasSubstr("delete it to start a new engine"));
  }
  EXPECT_EQ(read(file), "");  // left as it was
  std::ofstream(file, std::ios::trunc) << std::string(5000, '#');
  EXPECT_THROW(load_engine_identity("", file), std::runtime_error);
  // A directory where the file should be cannot be replaced.
  std::filesystem::create_directory(dir.file("dir"));
  std::filesystem::create_directory(dir.file("dir/snmp-engine"));
  EXPECT_THROW(load_engine_identity("", dir.file("dir/snmp-engine")), std::runtime_error);
}

}  // namespace
}  // namespace netpower::manager::traps::detail
