#include "collectors/nut/nut_protocol.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace netpower::collectors::nut {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

using Step = ReplyReader::Step;
using Kind = Reply::Kind;

std::vector<std::string> words(std::string_view line) {
  auto t = tokenize(line);
  EXPECT_TRUE(t.ok()) << line << ": " << t.error;
  return t.words;
}

std::string error_of(std::string_view line) {
  auto t = tokenize(line);
  EXPECT_FALSE(t.ok()) << "accepted: " << line;
  return t.error;
}

// Feeds lines until the reader stops asking for more; returns the last step.
Step feed_all(ReplyReader& reader, const std::vector<std::string>& lines) {
  Step step = Step::kNeedMore;
  for (const auto& line : lines) {
    step = reader.feed(line);
    if (step != Step::kNeedMore) break;
  }
  return step;
}

// --- LineSplitter ---

TEST(NutLineSplitter, SplitsAcrossChunksAndDropsCarriageReturns) {
  LineSplitter splitter;
  std::vector<std::string> lines;
  EXPECT_TRUE(splitter.feed("OK\nBEGIN LIST", lines));
  EXPECT_THAT(lines, ElementsAre("OK"));
  EXPECT_EQ(splitter.buffered(), 10u);
  EXPECT_TRUE(splitter.feed(" VAR ups\r\n\nEND", lines));
  EXPECT_THAT(lines, ElementsAre("OK", "BEGIN LIST VAR ups", ""));
  EXPECT_TRUE(splitter.feed(" LIST VAR ups\n", lines));
  EXPECT_THAT(lines, ElementsAre("OK", "BEGIN LIST VAR ups", "", "END LIST VAR ups"));
  EXPECT_EQ(splitter.buffered(), 0u);
}

TEST(NutLineSplitter, AcceptsALineOfExactlyTheMaximum) {
  LineSplitter splitter(8);
  std::vector<std::string> lines;
  EXPECT_TRUE(splitter.feed("12345678\n", lines));
  EXPECT_THAT(lines, ElementsAre("12345678"));
}

TEST(NutLineSplitter, FailsOnALongCompleteLineButKeepsEarlierLines) {
  LineSplitter splitter(8);
  std::vector<std::string> lines;
  EXPECT_FALSE(splitter.feed("ok\n123456789\nlater\n", lines));
  EXPECT_THAT(lines, ElementsAre("ok"));
  EXPECT_TRUE(splitter.failed());
  EXPECT_FALSE(splitter.feed("x\n", lines));  // stays failed
  splitter.reset();
  EXPECT_TRUE(splitter.feed("x\n", lines));
  EXPECT_THAT(lines, ElementsAre("ok", "x"));
}

TEST(NutLineSplitter, FailsOnAPartialLineGrowingPastTheMaximum) {
  LineSplitter splitter(8);
  std::vector<std::string> lines;
  EXPECT_TRUE(splitter.feed("12345", lines));
  EXPECT_FALSE(splitter.feed("6789", lines));  // no newline yet: still too long
  EXPECT_EQ(splitter.buffered(), 0u);
  EXPECT_TRUE(lines.empty());
}

TEST(NutLineSplitter, DefaultMaximumIsGenerousForRealReplies) {
  LineSplitter splitter;
  std::vector<std::string> lines;
  std::string value(256, 'x');
  EXPECT_TRUE(splitter.feed("VAR ups device.description \"" + value + "\"\n", lines));
  EXPECT_TRUE(splitter.feed(std::string(kMaxLineLength, 'y') + "\n", lines));
  EXPECT_FALSE(splitter.feed(std::string(kMaxLineLength + 1, 'y'), lines));
}

// --- tokenize ---

TEST(NutTokenize, PlainWordsAndBlanks) {
  EXPECT_THAT(words("VAR su700 ups.status \"OL\""),
              ElementsAre("VAR", "su700", "ups.status", "OL"));
  EXPECT_THAT(words("  a\t\tb  "), ElementsAre("a", "b"));
  EXPECT_TRUE(words("").empty());
  EXPECT_TRUE(words(" \t ").empty());
}

TEST(NutTokenize, QuotedWordsKeepBlanksAndMayBeEmpty) {
  EXPECT_THAT(words("VAR ups ups.model \"Smart-UPS 1500\""),
              ElementsAre("VAR", "ups", "ups.model", "Smart-UPS 1500"));
  EXPECT_THAT(words("VAR ups ups.id \"\""), ElementsAre("VAR", "ups", "ups.id", ""));
  EXPECT_THAT(words("\"\" \"\""), ElementsAre("", ""));
  EXPECT_THAT(words("\"a\"\t\"b\""), ElementsAre("a", "b"));
}

TEST(NutTokenize, BackslashEscapesInsideAndOutsideQuotes) {
  EXPECT_THAT(words(R"(VAR ups x "say \"hi\"")"), ElementsAre("VAR", "ups", "x", "say \"hi\""));
  EXPECT_THAT(words(R"("C:\\path\\")"), ElementsAre("C:\\path\\"));
  EXPECT_THAT(words(R"(a\ b c)"), ElementsAre("a b", "c"));
  EXPECT_THAT(words(R"("\n")"), ElementsAre("n"));  // an escape takes the character literally
  EXPECT_THAT(words(R"(\"x)"), ElementsAre("\"x"));
}

TEST(NutTokenize, KeepsHashAndOtherBytesAsData) {
  EXPECT_THAT(words("VAR ups x \"a#b\""), ElementsAre("VAR", "ups", "x", "a#b"));
  EXPECT_THAT(words("VAR ups x \"\xc3\xa9t\xc3\xa9\""),
              ElementsAre("VAR", "ups", "x", "\xc3\xa9t\xc3\xa9"));
}

TEST(NutTokenize, RejectsBrokenQuoting) {
  EXPECT_THAT(error_of("VAR ups x \"OL"), HasSubstr("unterminated"));
  EXPECT_THAT(error_of("VAR ups x \"OL\\\""), HasSubstr("unterminated"));
  EXPECT_THAT(error_of("VAR ups x \"OL\\"), HasSubstr("unterminated"));
  EXPECT_THAT(error_of("trailing\\"), HasSubstr("backslash"));
  EXPECT_THAT(error_of("VAR ups x \"OL\"B"), HasSubstr("after a closing quote"));
  EXPECT_THAT(error_of("VA\"R\""), HasSubstr("inside a word"));
}

// --- quoting and requests ---

TEST(NutQuote, PlainWordsStayPlain) {
  EXPECT_EQ(quote_argument("ups.status"), "ups.status");
  EXPECT_EQ(quote_argument("1BD31808-CB49"), "1BD31808-CB49");
}

TEST(NutQuote, QuotesAndEscapesWhatNeedsIt) {
  EXPECT_EQ(quote_argument(""), "\"\"");
  EXPECT_EQ(quote_argument("My UPS"), "\"My UPS\"");
  EXPECT_EQ(quote_argument("a\"b"), R"("a\"b")");
  EXPECT_EQ(quote_argument("a\\b"), R"("a\\b")");
  EXPECT_EQ(quote_argument("tab\there"), "\"tab\there\"");
}

TEST(NutQuote, RefusesWhatWouldBreakTheLineOrUpsd) {
  EXPECT_EQ(quote_argument("a\nLIST VAR x"), std::nullopt);
  EXPECT_EQ(quote_argument("a\rb"), std::nullopt);
  EXPECT_EQ(quote_argument(std::string("a\0b", 3)), std::nullopt);
  EXPECT_EQ(quote_argument("a#b"), std::nullopt);
  EXPECT_EQ(quote_argument("\x7f"), std::nullopt);
}

TEST(NutQuote, QuotedArgumentsTokenizeBackToThemselves) {
  for (std::string arg : {"plain", "", "two words", R"(q"uo"te)", R"(back\slash\)", "\"", "\\",
                          "mixed \\\" both", "caf\xc3\xa9"}) {
    auto quoted = quote_argument(arg);
    ASSERT_TRUE(quoted) << arg;
    EXPECT_THAT(words("X " + *quoted + " Y"), ElementsAre("X", arg, "Y")) << *quoted;
  }
}

TEST(NutRequest, FormatsEveryRequestTheDriverSends) {
  EXPECT_EQ(format_request({"LIST", "VAR", "su700"}), "LIST VAR su700\n");
  EXPECT_EQ(format_request({"LIST", "CMD", "su700"}), "LIST CMD su700\n");
  EXPECT_EQ(format_request({"USERNAME", "admin"}), "USERNAME admin\n");
  EXPECT_EQ(format_request({"PASSWORD", "s3 cr\"t"}), "PASSWORD \"s3 cr\\\"t\"\n");
  EXPECT_EQ(format_request({"SET", "TRACKING", "ON"}), "SET TRACKING ON\n");
  EXPECT_EQ(format_request({"INSTCMD", "su700", "test.panel.start"}),
            "INSTCMD su700 test.panel.start\n");
  EXPECT_EQ(format_request({"INSTCMD", "su700", "load.off.delay", "120"}),
            "INSTCMD su700 load.off.delay 120\n");
  EXPECT_EQ(format_request({"GET", "TRACKING", "1bd31808-cb49-4aec-9d75-d056e6f018d2"}),
            "GET TRACKING 1bd31808-cb49-4aec-9d75-d056e6f018d2\n");
  EXPECT_EQ(format_request({"SET", "VAR", "su700", "ups.id", "My UPS"}),
            "SET VAR su700 ups.id \"My UPS\"\n");
}

TEST(NutRequest, RefusesAnyArgumentThatCannotBeSent) {
  EXPECT_EQ(format_request({"PASSWORD", "x\nINSTCMD ups load.off"}), std::nullopt);
  EXPECT_EQ(format_request({"PASSWORD", "pa#ss"}), std::nullopt);
}

// --- replies ---

TEST(NutReply, Ok) {
  ReplyReader reader(Expect::kOk);
  EXPECT_EQ(reader.feed("OK"), Step::kDone);
  EXPECT_EQ(reader.reply().kind, Kind::kOk);
  EXPECT_EQ(reader.reply().text, "");
  ReplyReader goodbye(Expect::kOk);
  EXPECT_EQ(goodbye.feed("OK Goodbye"), Step::kDone);
  EXPECT_EQ(goodbye.reply().text, "Goodbye");
}

TEST(NutReply, ErrorWithAndWithoutExtra) {
  ReplyReader reader(Expect::kOk);
  EXPECT_EQ(reader.feed("ERR ACCESS-DENIED"), Step::kDone);
  EXPECT_EQ(reader.reply().kind, Kind::kError);
  EXPECT_EQ(reader.reply().error.code, "ACCESS-DENIED");
  EXPECT_EQ(reader.reply().error.extra, "");
  ReplyReader extra(Expect::kVarList, "ups");
  EXPECT_EQ(extra.feed("ERR DATA-STALE some \"future detail\""), Step::kDone);
  EXPECT_EQ(extra.reply().error.code, "DATA-STALE");
  EXPECT_EQ(extra.reply().error.extra, "some future detail");
  ReplyReader bare(Expect::kOk);
  EXPECT_EQ(bare.feed("ERR"), Step::kBad);
  EXPECT_THAT(bare.error(), HasSubstr("without a code"));
}

TEST(NutReply, EveryErrorCodeOfTheProtocolParses) {
  for (const char* code : {"ACCESS-DENIED",
                           "UNKNOWN-UPS",
                           "VAR-NOT-SUPPORTED",
                           "CMD-NOT-SUPPORTED",
                           "INVALID-ARGUMENT",
                           "INSTCMD-FAILED",
                           "SET-FAILED",
                           "READONLY",
                           "TOO-LONG",
                           "FEATURE-NOT-SUPPORTED",
                           "FEATURE-NOT-CONFIGURED",
                           "ALREADY-SSL-MODE",
                           "DRIVER-NOT-CONNECTED",
                           "DATA-STALE",
                           "ALREADY-LOGGED-IN",
                           "INVALID-PASSWORD",
                           "ALREADY-SET-PASSWORD",
                           "INVALID-USERNAME",
                           "ALREADY-SET-USERNAME",
                           "USERNAME-REQUIRED",
                           "PASSWORD-REQUIRED",
                           "UNKNOWN-COMMAND",
                           "INVALID-VALUE",
                           "UNKNOWN",
                           "FAILED"}) {
    for (auto expect : {Expect::kOk, Expect::kOkOrTracking, Expect::kTrackingStatus, Expect::kVar,
                        Expect::kVarList, Expect::kCmdList}) {
      ReplyReader reader(expect, "ups");
      ASSERT_EQ(reader.feed(std::string("ERR ") + code), Step::kDone) << code;
      EXPECT_EQ(reader.reply().kind, Kind::kError);
      EXPECT_EQ(reader.reply().error.code, code);
    }
  }
}

TEST(NutReply, OkTracking) {
  ReplyReader tracked(Expect::kOkOrTracking);
  EXPECT_EQ(tracked.feed("OK TRACKING 1bd31808-cb49-4aec-9d75-d056e6f018d2"), Step::kDone);
  EXPECT_EQ(tracked.reply().kind, Kind::kTrackingId);
  EXPECT_EQ(tracked.reply().text, "1bd31808-cb49-4aec-9d75-d056e6f018d2");
  ReplyReader plain(Expect::kOkOrTracking);
  EXPECT_EQ(plain.feed("OK"), Step::kDone);
  EXPECT_EQ(plain.reply().kind, Kind::kOk);
  for (const char* bad : {"OK TRACKING", "OK TRACKING a b", "OK SOMETHING x", "PENDING"}) {
    ReplyReader reader(Expect::kOkOrTracking);
    EXPECT_EQ(reader.feed(bad), Step::kBad) << bad;
  }
}

TEST(NutReply, TrackingStatus) {
  ReplyReader pending(Expect::kTrackingStatus);
  EXPECT_EQ(pending.feed("PENDING"), Step::kDone);
  EXPECT_EQ(pending.reply().kind, Kind::kPending);
  ReplyReader success(Expect::kTrackingStatus);
  EXPECT_EQ(success.feed("SUCCESS"), Step::kDone);
  EXPECT_EQ(success.reply().kind, Kind::kSuccess);
  ReplyReader failed(Expect::kTrackingStatus);
  EXPECT_EQ(failed.feed("ERR FAILED"), Step::kDone);
  EXPECT_EQ(failed.reply().error.code, "FAILED");
  for (const char* bad : {"OK", "SUCCESS now", "success", "ON"}) {
    ReplyReader reader(Expect::kTrackingStatus);
    EXPECT_EQ(reader.feed(bad), Step::kBad) << bad;
  }
}

TEST(NutReply, SingleVar) {
  ReplyReader reader(Expect::kVar, "su700");
  EXPECT_EQ(reader.feed("VAR su700 ups.status \"OL CHRG\""), Step::kDone);
  EXPECT_THAT(reader.reply().vars, ElementsAre(Pair("ups.status", "OL CHRG")));
  ReplyReader other(Expect::kVar, "su700");
  EXPECT_EQ(other.feed("VAR other ups.status \"OL\""), Step::kBad);
  EXPECT_THAT(other.error(), HasSubstr("expected VAR su700"));
}

TEST(NutReply, VarList) {
  ReplyReader reader(Expect::kVarList, "dummy");
  EXPECT_EQ(feed_all(reader, {"BEGIN LIST VAR dummy", "VAR dummy battery.charge \"100\"",
                              "VAR dummy ups.model \"Dummy \\\"1000\\\"\"", "VAR dummy ups.id \"\"",
                              "END LIST VAR dummy"}),
            Step::kDone);
  EXPECT_EQ(reader.reply().kind, Kind::kVars);
  EXPECT_THAT(reader.reply().vars,
              ElementsAre(Pair("battery.charge", "100"), Pair("ups.model", "Dummy \"1000\""),
                          Pair("ups.id", "")));
  EXPECT_EQ(reader.feed("VAR dummy x \"1\""), Step::kBad);  // nothing may follow the END
}

TEST(NutReply, EmptyVarList) {
  ReplyReader reader(Expect::kVarList, "dummy");
  EXPECT_EQ(feed_all(reader, {"BEGIN LIST VAR dummy", "END LIST VAR dummy"}), Step::kDone);
  EXPECT_TRUE(reader.reply().vars.empty());
}

TEST(NutReply, CmdList) {
  ReplyReader reader(Expect::kCmdList, "su700");
  EXPECT_EQ(feed_all(reader, {"BEGIN LIST CMD su700", "CMD su700 load.on",
                              "CMD su700 test.panel.start", "END LIST CMD su700"}),
            Step::kDone);
  EXPECT_EQ(reader.reply().kind, Kind::kCommands);
  EXPECT_THAT(reader.reply().commands, ElementsAre("load.on", "test.panel.start"));
}

TEST(NutReply, ListsThatBreakTheProtocol) {
  const std::vector<std::vector<std::string>> cases = {
      {"BEGIN LIST VAR other"},                                 // another UPS
      {"BEGIN LIST CMD dummy"},                                 // another list
      {"VAR dummy ups.status \"OL\""},                          // no BEGIN
      {"BEGIN LIST VAR dummy", "VAR other ups.status \"OL\""},  // another UPS inside
      {"BEGIN LIST VAR dummy", "VAR dummy ups.status"},         // no value
      {"BEGIN LIST VAR dummy", "VAR dummy \"\" \"x\""},         // empty name
      {"BEGIN LIST VAR dummy", "VAR dummy a \"b\" c"},          // extra word
      {"BEGIN LIST VAR dummy", "VAR dummy a \"b"},              // broken quote
      {"BEGIN LIST VAR dummy", "ERR DATA-STALE"},               // ERR inside a list
      {"BEGIN LIST VAR dummy", ""},                             // empty line
      {"BEGIN LIST VAR dummy", "END LIST CMD dummy"},           // wrong END
      {"BEGIN LIST VAR dummy", "END LIST VAR other"},           // wrong END
      {"OK"},                                                   // not a list at all
  };
  for (const auto& lines : cases) {
    ReplyReader reader(Expect::kVarList, "dummy");
    EXPECT_EQ(feed_all(reader, lines), Step::kBad) << lines.back();
    EXPECT_FALSE(reader.error().empty());
  }
  ReplyReader cmds(Expect::kCmdList, "dummy");
  EXPECT_EQ(feed_all(cmds, {"BEGIN LIST CMD dummy", "CMD dummy"}), Step::kBad);
}

TEST(NutReply, ListLengthIsCapped) {
  ReplyReader reader(Expect::kCmdList, "u");
  ASSERT_EQ(reader.feed("BEGIN LIST CMD u"), Step::kNeedMore);
  Step step = Step::kNeedMore;
  std::size_t fed = 0;
  while (step == Step::kNeedMore && fed <= kMaxListEntries) {
    step = reader.feed("CMD u c" + std::to_string(fed++));
  }
  EXPECT_EQ(step, Step::kBad);
  EXPECT_EQ(fed, kMaxListEntries + 1);
  EXPECT_THAT(reader.error(), HasSubstr("list entries"));
}

TEST(NutReply, ErrorsQuoteTheLinePrintably) {
  ReplyReader reader(Expect::kOk);
  EXPECT_EQ(reader.feed(std::string("\x01\xff junk", 7)), Step::kBad);
  EXPECT_THAT(reader.error(), HasSubstr("\\x01\\xff junk"));
}

TEST(NutPrintable, EscapesAndTruncates) {
  EXPECT_EQ(printable("plain"), "plain");
  EXPECT_EQ(printable("a\nb\\"), "a\\x0ab\\x5c");
  EXPECT_EQ(printable(std::string(10, 'x'), 4), "xxxx...");
}

}  // namespace
}  // namespace netpower::collectors::nut
