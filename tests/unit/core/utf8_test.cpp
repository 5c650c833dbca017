// The UTF-8 validator against every class of ill-formed sequence (RFC 3629, Unicode table 3-7) and
// the boundaries of the well-formed ranges on both sides.

#include "core/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace netpower::core {
namespace {

TEST(Utf8, WellFormedRangesAndTheirBoundaries) {
  for (const std::string s : {
           std::string(""),
           std::string("plain ASCII"),
           std::string("\x00\x7f", 2),
           std::string("\xc2\x80"),          // U+0080, the first two-byte character
           std::string("\xdf\xbf"),          // U+07FF
           std::string("\xe0\xa0\x80"),      // U+0800, the first E0 sequence that is not overlong
           std::string("\xed\x9f\xbf"),      // U+D7FF, just below the surrogates
           std::string("\xee\x80\x80"),      // U+E000, just above them
           std::string("\xef\xbf\xbf"),      // U+FFFF
           std::string("\xf0\x90\x80\x80"),  // U+10000
           std::string("\xf4\x8f\xbf\xbf"),  // U+10FFFF, the last code point
           std::string("caf\xc3\xa9 \xe2\x82\xac"),
       }) {
    EXPECT_TRUE(valid_utf8(s)) << testing::PrintToString(s);
  }
  EXPECT_EQ(utf8_sequence_length("\xf0\x9f\x94\x8c", 0), 4u);
  EXPECT_EQ(utf8_sequence_length("a\xe2\x82\xac", 1), 3u);
  EXPECT_EQ(utf8_sequence_length("a", 1), 0u);  // past the end
}

TEST(Utf8, EveryIllFormedClassIsRefused) {
  for (const std::string s : {
           std::string("\xc0\x80"),          // overlong NUL
           std::string("\xc1\xbf"),          // overlong U+007F
           std::string("\xe0\x80\x80"),      // overlong E0 80..9F
           std::string("\xe0\x9f\xbf"),      //
           std::string("\xed\xa0\x80"),      // surrogate U+D800 (ED A0..BF)
           std::string("\xed\xbf\xbf"),      // surrogate U+DFFF
           std::string("\xf0\x80\x80\x80"),  // overlong F0 80..8F
           std::string("\xf0\x8f\xbf\xbf"),  //
           std::string("\xf4\x90\x80\x80"),  // U+110000 (F4 90..)
           std::string("\xf4\xbf\xbf\xbf"),  //
           std::string("\xf5\x80\x80\x80"),  // F5..FF never start a sequence
           std::string("\xff"),              //
           std::string("\x80"),              // stray continuation byte
           std::string("\xbf"),              //
           std::string("\xc3"),              // truncated two-byte sequence
           std::string("\xe2\x82"),          // truncated three-byte sequence
           std::string("\xf0\x9f\x94"),      // truncated four-byte sequence
           std::string("\xe2\x28\xa1"),      // a non-continuation byte inside a sequence
           std::string("\xf0\x9f\x28\x8c"),  //
       }) {
    EXPECT_FALSE(valid_utf8(s)) << testing::PrintToString(s);
    EXPECT_FALSE(valid_utf8("ok " + s + " ok")) << testing::PrintToString(s);
  }
}

TEST(Utf8, PrefixNeverEndsInsideASequence) {
  const std::string text =
      "ab\xe2\x82\xac"
      "cd";  // a b € c d
  EXPECT_EQ(utf8_prefix(text, 100), text);
  EXPECT_EQ(utf8_prefix(text, 2), "ab");
  EXPECT_EQ(utf8_prefix(text, 3), "ab");  // would cut the euro sign
  EXPECT_EQ(utf8_prefix(text, 4), "ab");
  EXPECT_EQ(utf8_prefix(text, 5), "ab\xe2\x82\xac");
  EXPECT_EQ(utf8_prefix(text, 0), "");
  for (std::size_t n = 0; n <= text.size(); ++n) EXPECT_TRUE(valid_utf8(utf8_prefix(text, n)));
}

}  // namespace
}  // namespace netpower::core
