#include "agent/snmp/mib_tree.h"

#include <gtest/gtest.h>

namespace netpower::agent::snmp {
namespace {

Instance constant(Oid o, long v) {
  return {std::move(o), [v]() { return Value::integer32(v); }, {}, {}};
}

class MibTreeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Added out of order on purpose: the tree sorts lexicographically, not by length.
    tree.add(constant({1, 3, 2, 1, 90, 49}, 5));
    tree.add(constant({1, 3, 1, 0}, 1));
    tree.add(constant({1, 3, 2, 1, 65, 49}, 3));
    tree.add(constant({1, 3, 2, 1, 65, 50}, 4));
    tree.add(constant({1, 3, 10, 0}, 6));
    tree.add_object({1, 3, 2, 1}, true);
    tree.add_object({1, 3, 1}, false);
    tree.finish();
  }
  long value_after(Oid o) {
    auto* i = tree.next(o.data(), o.size());
    return i == nullptr ? -1 : i->get()->integer;
  }
  MibTree tree;
};

TEST_F(MibTreeTest, NextIsLexicographic) {
  EXPECT_EQ(value_after({}), 1);
  EXPECT_EQ(value_after({1, 3}), 1);
  EXPECT_EQ(value_after({1, 3, 1, 0}), 3);
  EXPECT_EQ(value_after({1, 3, 2, 1, 65}), 3);
  EXPECT_EQ(value_after({1, 3, 2, 1, 65, 49}), 4);
  EXPECT_EQ(value_after({1, 3, 2, 1, 65, 49, 0}), 4);
  EXPECT_EQ(value_after({1, 3, 2, 1, 65, 50}), 5);
  EXPECT_EQ(value_after({1, 3, 2, 1, 90, 49}), 6);  // .10 sorts after .2
  EXPECT_EQ(value_after({1, 3, 10, 0}), -1);
  EXPECT_EQ(value_after({1, 4}), -1);
}

TEST_F(MibTreeTest, ExactAndObjects) {
  Oid a1{1, 3, 2, 1, 65, 49};
  Oid a3{1, 3, 2, 1, 65, 51};
  Oid other{1, 3, 7, 1};
  EXPECT_NE(tree.exact(a1.data(), a1.size()), nullptr);
  EXPECT_EQ(tree.exact(a3.data(), a3.size()), nullptr);
  EXPECT_EQ(tree.object_of(a3.data(), a3.size()), std::make_pair(true, true));
  EXPECT_EQ(tree.object_of(other.data(), other.size()), std::make_pair(false, false));
  Oid column_itself{1, 3, 2, 1};
  EXPECT_FALSE(tree.object_of(column_itself.data(), column_itself.size()).first);
}

}  // namespace
}  // namespace netpower::agent::snmp
