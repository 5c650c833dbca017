#include "agent/settings/settings_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/config_error.h"

namespace netpower::agent {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

core::PortId port(const char* name) { return *core::PortId::parse(name); }

class SettingsStoreTest : public ::testing::Test {
 protected:
  SettingsStoreTest() {
    char tmpl[] = "/tmp/np-settings-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    base_.location = "from the file";
    base_.port(port("A1")).name = "router";
  }
  ~SettingsStoreTest() override { fs::remove_all(dir_); }
  std::string read(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  fs::path dir_;
  ChainSettings base_;
};

TEST_F(SettingsStoreTest, SavesOnlyTheDifferencesAndLoadsThemOverTheBase) {
  SettingsStore store((dir_ / "s.yaml").string(), base_);
  EXPECT_EQ(store.load(), base_) << "no file: the base";
  auto changed = base_;
  changed.location = "Row C: \"rack\" #12";  // quoting survives
  changed.port(port("B3")).min_on = 90s;
  changed.port(port("B3")).shutdown_delay = 1500ms;
  changed.port(port("B3")).wake_up = WakeUpState::kOff;
  changed.port(port("B3")).locked = true;
  changed.port(port("B3")).trap_load = true;
  changed.port(port("Z4")).group = "web";
  changed.board(core::BoardId{2}).temp_high = 70;
  changed.board(core::BoardId{2}).trap_start = false;
  ASSERT_EQ(store.save(changed), "");
  EXPECT_EQ(store.saves(), 1u);
  auto text = read(dir_ / "s.yaml");
  EXPECT_EQ(text.find("router"), std::string::npos) << text;
  EXPECT_EQ(text.find("A1"), std::string::npos) << text;
  EXPECT_FALSE(fs::exists(dir_ / "s.yaml.tmp"));

  SettingsStore again((dir_ / "s.yaml").string(), base_);
  EXPECT_EQ(again.load(), changed);

  // The configuration file changed since: its other settings still apply.
  auto new_base = base_;
  new_base.port(port("A1")).name = "router-2";
  SettingsStore with_new_base((dir_ / "s.yaml").string(), new_base);
  auto loaded = with_new_base.load();
  EXPECT_EQ(loaded.port(port("A1")).name, "router-2");
  EXPECT_EQ(loaded.location, changed.location);
}

TEST_F(SettingsStoreTest, AFailedSaveKeepsTheOldFileAndSaysWhy) {
  auto path = dir_ / "s.yaml";
  SettingsStore store(path.string(), base_);
  auto first = base_;
  first.location = "first";
  ASSERT_EQ(store.save(first), "");
  auto before = read(path);
  // The new file cannot be created: the rename never happens.
  fs::create_directory(dir_ / "s.yaml.tmp");
  fs::create_directory(dir_ / "s.yaml.tmp" / "x");
  auto second = base_;
  second.location = "second";
  auto error = store.save(second);
  EXPECT_NE(error.find("cannot create"), std::string::npos) << error;
  EXPECT_EQ(store.last_error(), error);
  EXPECT_EQ(read(path), before);
  EXPECT_EQ(SettingsStore(path.string(), base_).load().location, "first");
}

TEST_F(SettingsStoreTest, ABrokenFileStopsTheLoadWithFileAndLine) {
  auto path = dir_ / "s.yaml";
  std::ofstream(path) << "version: 1\nchain:\n  ports:\n    A9: { name: x }\n";
  SettingsStore store(path.string(), base_);
  try {
    store.load();
    FAIL() << "a broken settings file must not load";
  } catch (const core::ConfigError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find(path.string() + ":4"), std::string::npos) << what;
    EXPECT_NE(what.find("A9"), std::string::npos) << what;
  }
  std::ofstream(path) << "version: 1\nchain:\n  ports:\n    A1: { load_high: 61 }\n";
  EXPECT_THROW(store.load(), core::ConfigError);
}

TEST_F(SettingsStoreTest, KeepsTheUpsMibSettingsBesideTheChainsOnes) {
  auto path = dir_ / "s.yaml";
  ups::UpsPersistent ups_base;
  ups_base.name = "rack 7 UPS";
  SettingsStore store(path.string(), base_, ups_base);
  store.load();
  auto chain = base_;
  chain.location = "moved";
  ASSERT_EQ(store.save(chain), "");
  auto u = ups_base;
  u.attached_devices = "web1";
  u.low_batt_minutes = 9;
  u.shutdown_type = ups::ShutdownType::kSystem;
  u.auto_restart = false;
  ASSERT_EQ(store.save_ups(u), "");
  auto text = read(path);
  EXPECT_EQ(text.find("rack 7 UPS"), std::string::npos) << "only differences: " << text;

  SettingsStore again(path.string(), base_, ups_base);
  EXPECT_EQ(again.load().location, "moved") << "the UPS save kept the chain's change";
  EXPECT_EQ(again.ups(), u);
  std::ofstream(path, std::ios::trunc) << "version: 1\nups:\n  shutdown_type: both\n";
  EXPECT_THROW(again.load(), core::ConfigError);
}

TEST_F(SettingsStoreTest, AnEmptyOrCommentOnlyFileIsDamageAndStopsTheLoad) {
  auto path = dir_ / "s.yaml";
  for (const char* text : {"", "# only a comment\n", "\n\n"}) {
    std::ofstream(path, std::ios::trunc) << text;
    SettingsStore store(path.string(), base_);
    try {
      store.load();
      FAIL() << "an empty settings file must not load as 'no changes': '" << text << "'";
    } catch (const core::ConfigError& e) {
      std::string what = e.what();
      EXPECT_EQ(what.rfind(path.string() + ": ", 0), 0u) << what;
      EXPECT_NE(what.find("empty"), std::string::npos) << what;
      EXPECT_NE(what.find("--reset-settings"), std::string::npos) << what;
    }
  }
}

TEST_F(SettingsStoreTest, ResetMovesTheFileAsideAndTheBaseApplies) {
  auto path = dir_ / "s.yaml";
  std::ofstream(path) << "";
  SettingsStore store(path.string(), base_);
  EXPECT_EQ(store.reset(), path.string() + ".reset");
  EXPECT_TRUE(fs::exists(dir_ / "s.yaml.reset"));
  EXPECT_EQ(store.load(), base_);
  EXPECT_EQ(store.reset(), "") << "no file: nothing to move";
}

TEST_F(SettingsStoreTest, AKeyWithoutAValueIsAnErrorWithFileAndLine) {
  auto path = dir_ / "s.yaml";
  std::ofstream(path) << "version: 1\nchain:\n  ports:\n    A1:\n      load_high:\n";
  SettingsStore store(path.string(), base_);
  try {
    store.load();
    FAIL() << "load_high without a value must not load";
  } catch (const core::ConfigError& e) {
    std::string what = e.what();
    EXPECT_EQ(what.rfind(path.string() + ":5:", 0), 0u) << what;
    EXPECT_NE(what.find("'load_high' has no value"), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace netpower::agent
