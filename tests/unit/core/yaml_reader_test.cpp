#include "core/yaml_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <string>

#include "core/config_error.h"

namespace netpower::core {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// Runs `fn`, expects a ConfigError and returns it.
ConfigError config_error(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const ConfigError& e) {
    return e;
  }
  ADD_FAILURE() << "no ConfigError thrown";
  return ConfigError("", 0, 0, "");
}

class YamlReaderTest : public ::testing::Test {
 protected:
  YamlReader reader{"agent.yaml"};
};

TEST_F(YamlReaderTest, SyntaxErrorsNameFileLineAndColumn) {
  auto e = config_error([&] { reader.load_string("a: 1\nb: [1, 2\n"); });
  EXPECT_EQ(e.file(), "agent.yaml");
  EXPECT_GE(e.line(), 2);
  EXPECT_THAT(e.what(), StartsWith("agent.yaml:" + std::to_string(e.line()) + ":"));
  EXPECT_FALSE(e.problem().empty());
}

TEST_F(YamlReaderTest, MissingFileIsAnErrorWithoutLine) {
  YamlReader missing("/nonexistent/netpower.yaml");
  auto e = config_error([&] { missing.load(); });
  EXPECT_EQ(e.line(), 0);
  EXPECT_EQ(std::string(e.what()), "/nonexistent/netpower.yaml: cannot open the file");
}

TEST_F(YamlReaderTest, LoadsAFile) {
  char path[] = "/tmp/netpower_yaml_reader_XXXXXX";
  int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ::close(fd);
  std::ofstream(path) << "boards: 3\n";
  YamlReader file(path);
  auto node = file.load();
  EXPECT_EQ(file.integer(node, "boards", 1, 1, 26), 3);
  std::remove(path);
}

TEST_F(YamlReaderTest, UnknownKeysAreRejectedWithTheirPlace) {
  auto node = reader.load_string("boards: 2\n  # comment\nbaords: 3\n");
  auto e = config_error([&] { reader.expect_map(node, "pdu", {"boards", "name"}); });
  EXPECT_EQ(e.line(), 3);
  EXPECT_THAT(e.what(), StartsWith("agent.yaml:3:1: "));
  EXPECT_THAT(e.problem(), HasSubstr("unknown key 'baords' in pdu"));
  EXPECT_THAT(e.problem(), HasSubstr("known: boards, name"));
}

TEST_F(YamlReaderTest, ExpectMapAcceptsKnownKeysAbsenceAndNull) {
  auto node = reader.load_string("boards: 2\nempty:\n");
  EXPECT_NO_THROW(reader.expect_map(node, "pdu", {"boards", "empty"}));
  EXPECT_NO_THROW(reader.expect_map(node["empty"], "empty", {}));
  EXPECT_NO_THROW(reader.expect_map(node["absent"], "absent", {}));
}

TEST_F(YamlReaderTest, ExpectMapRejectsOtherShapes) {
  auto node = reader.load_string("list: [1, 2]\n");
  auto e = config_error([&] { reader.expect_map(node["list"], "list", {}); });
  EXPECT_EQ(e.line(), 1);
  EXPECT_THAT(e.problem(), HasSubstr("must be a mapping"));
}

TEST_F(YamlReaderTest, IntegersAreRangeChecked) {
  auto node = reader.load_string("a: 1\nboards: 27\nneg: -1\n");
  EXPECT_EQ(reader.integer(node, "a", 5, 1, 26), 1);
  EXPECT_EQ(reader.integer(node, "absent", 5, 1, 26), 5);
  auto e = config_error([&] { reader.integer(node, "boards", 4, 1, 26); });
  EXPECT_EQ(e.line(), 2);
  EXPECT_THAT(e.problem(), HasSubstr("'boards' = 27 is out of range 1..26"));
  EXPECT_EQ(config_error([&] { reader.integer(node, "neg", 4, 0, 26); }).line(), 3);
}

TEST_F(YamlReaderTest, IntegersMustBeWholeNumbers) {
  auto node = reader.load_string("a: abc\nb: 1.5\nc: 3x\nd: [1]\n");
  EXPECT_THAT(config_error([&] { reader.integer(node, "a", 0, 0, 9); }).problem(),
              HasSubstr("not a whole number"));
  EXPECT_EQ(config_error([&] { reader.integer(node, "b", 0, 0, 9); }).line(), 2);
  EXPECT_EQ(config_error([&] { reader.integer(node, "c", 0, 0, 9); }).line(), 3);
  EXPECT_THAT(config_error([&] { reader.integer(node, "d", 0, 0, 9); }).problem(),
              HasSubstr("must be a single value"));
}

TEST_F(YamlReaderTest, NumbersAreRangeChecked) {
  auto node = reader.load_string("load: 2.5\nhigh: 60.5\nbad: 2.5A\n");
  EXPECT_DOUBLE_EQ(reader.number(node, "load", 0, 0, 60), 2.5);
  EXPECT_DOUBLE_EQ(reader.number(node, "absent", 7.5, 0, 60), 7.5);
  auto e = config_error([&] { reader.number(node, "high", 0, 0, 60); });
  EXPECT_EQ(e.line(), 2);
  EXPECT_THAT(e.problem(), HasSubstr("out of range 0..60"));
  EXPECT_THAT(config_error([&] { reader.number(node, "bad", 0, 0, 60); }).problem(),
              HasSubstr("not a number"));
}

TEST_F(YamlReaderTest, StringsAreLengthCheckedAndFreeOfControlCharacters) {
  auto node = reader.load_string("name: web-1\nlong: abcdefghijklmnopq\nctl: \"a\\tb\"\nnull:\n");
  EXPECT_EQ(reader.string(node, "name", "x"), "web-1");
  EXPECT_EQ(reader.string(node, "absent", "x"), "x");
  EXPECT_EQ(reader.string(node, "null", "x"), "x");
  auto e = config_error([&] { reader.string(node, "long", "", 16); });
  EXPECT_EQ(e.line(), 2);
  EXPECT_THAT(e.problem(), HasSubstr("17 characters long; at most 16"));
  EXPECT_THAT(config_error([&] { reader.string(node, "ctl", ""); }).problem(),
              HasSubstr("control character"));
}

TEST_F(YamlReaderTest, DurationsUseTheDurationSyntax) {
  auto node = reader.load_string("delay: 1m30s\nbare: 15\n");
  EXPECT_EQ(reader.duration(node, "delay", Duration::zero()), std::chrono::seconds(90));
  EXPECT_EQ(reader.duration(node, "absent", std::chrono::seconds(15)), std::chrono::seconds(15));
  auto e = config_error([&] { reader.duration(node, "bare", Duration::zero()); });
  EXPECT_EQ(e.line(), 2);
  EXPECT_THAT(e.problem(), HasSubstr("not a duration: '15'"));
}

TEST_F(YamlReaderTest, BooleansAcceptTheUsualSpellings) {
  auto node = reader.load_string("a: true\nb: no\nc: on\nd: off\ne: maybe\n");
  EXPECT_TRUE(reader.boolean(node, "a", false));
  EXPECT_FALSE(reader.boolean(node, "b", true));
  EXPECT_TRUE(reader.boolean(node, "c", false));
  EXPECT_FALSE(reader.boolean(node, "d", true));
  EXPECT_TRUE(reader.boolean(node, "absent", true));
  auto e = config_error([&] { reader.boolean(node, "e", false); });
  EXPECT_EQ(e.line(), 5);
  EXPECT_THAT(e.problem(), HasSubstr("must be true or false"));
}

TEST_F(YamlReaderTest, DuplicateKeysAreRefusedNamingBothLines) {
  auto e = config_error([&] { reader.load_string("boards: 2\nname: x\nboards: 3\n"); });
  EXPECT_EQ(std::string(e.what()), "agent.yaml:3:1: duplicate key 'boards' (first at line 1)");
}

TEST_F(YamlReaderTest, DuplicateKeysAreRefusedAtAnyDepthAndInLists) {
  auto nested = config_error([&] {
    reader.load_string("chain:\n  ports:\n    A1: {name: a}\n    B1: {}\n    A1: {name: b}\n");
  });
  EXPECT_EQ(std::string(nested.what()), "agent.yaml:5:5: duplicate key 'A1' (first at line 3)");
  auto in_list = config_error(
      [&] { reader.load_string("users:\n  - { name: a, role: admin,\n      name: b }\n"); });
  EXPECT_EQ(std::string(in_list.what()), "agent.yaml:3:7: duplicate key 'name' (first at line 2)");
  EXPECT_NO_THROW(reader.load_string("a: {x: 1}\nb: {x: 2}\nc: [{x: 1}, {x: 2}]\n"))
      << "the same key in different mappings is no duplicate";
}

TEST_F(YamlReaderTest, AKeyWithoutAValueIsAnErrorWithItsPlace) {
  auto node = reader.load_string("a: 1\nload_high:\nname:\nwhen: ~\nflag:\n");
  auto e = config_error([&] { reader.integer(node, "load_high", 4, 1, 60); });
  EXPECT_EQ(e.line(), 2);
  EXPECT_THAT(e.what(), StartsWith("agent.yaml:2:"));
  EXPECT_THAT(e.problem(), HasSubstr("'load_high' has no value"));
  EXPECT_THAT(config_error([&] { reader.string(node, "name", "x"); }).problem(),
              HasSubstr("'name' has no value"));
  EXPECT_THAT(config_error([&] { reader.duration(node, "when", {}); }).problem(),
              HasSubstr("'when' has no value"));
  EXPECT_THAT(config_error([&] { reader.boolean(node, "flag", true); }).problem(),
              HasSubstr("'flag' has no value"));
  EXPECT_THAT(config_error([&] { reader.number(node, "flag", 1, 0, 2); }).problem(),
              HasSubstr("'flag' has no value"));
  EXPECT_EQ(reader.integer(node, "absent", 4, 1, 60), 4) << "a key left out keeps its default";
}

TEST_F(YamlReaderTest, FailWithoutAPlaceHasNoLine) {
  auto e = config_error([&] { reader.fail(YAML::Node(), "no place"); });
  EXPECT_EQ(e.line(), 0);
  EXPECT_EQ(std::string(e.what()), "agent.yaml: no place");
}

}  // namespace
}  // namespace netpower::core
