// Fuzzes what the nut collector does with upsd's bytes: the input's first byte says what the
// request expected ('o' OK, 't' OK TRACKING, 's' GET TRACKING status, 'v' GET VAR, 'l' LIST VAR,
// 'c' LIST CMD, anything else: its value modulo 6), the rest is the byte stream from upsd, cut
// into lines by the LineSplitter (fed in two pieces, as reads split it) and read reply after reply
// as the collector does. UPS name "dummy", as in the captured corpus.
//
// Checks the promises: no crash; lines within the cap; a reader stops at kDone or kBad and says
// why in printable text; list replies within kMaxListEntries; every word the tokenizer returns
// survives quote_argument() + tokenize() unchanged (or is refused for '#' / control characters).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/nut/nut_protocol.h"

namespace {

using namespace netpower::collectors::nut;

void check(bool ok) {
  if (!ok) std::abort();
}

Expect expect_of(std::uint8_t tag) {
  switch (tag) {
    case 'o':
      return Expect::kOk;
    case 't':
      return Expect::kOkOrTracking;
    case 's':
      return Expect::kTrackingStatus;
    case 'v':
      return Expect::kVar;
    case 'l':
      return Expect::kVarList;
    case 'c':
      return Expect::kCmdList;
    default:
      return static_cast<Expect>(tag % 6);
  }
}

void check_round_trip(const std::string& word) {
  auto quoted = quote_argument(word);
  if (!quoted) {
    bool refusable = false;
    for (unsigned char c : word) refusable |= c == '#' || (c < 0x20 && c != '\t') || c == 0x7f;
    check(refusable);
    return;
  }
  auto again = tokenize(*quoted);
  check(again.ok() && again.words.size() == 1 && again.words[0] == word);
}

void check_printable(const std::string& text) {
  check(!text.empty());
  for (unsigned char c : text) check(c >= 0x20 && c < 0x7f);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const Expect expect = expect_of(data[0]);
  std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);

  LineSplitter splitter;
  std::vector<std::string> lines;
  auto half = bytes.size() / 2;
  bool ok = splitter.feed(bytes.substr(0, half), lines);
  if (ok) ok = splitter.feed(bytes.substr(half), lines);
  check(ok == !splitter.failed());

  ReplyReader reader(expect, "dummy");
  for (const auto& line : lines) {
    check(line.size() <= kMaxLineLength);
    auto tokens = tokenize(line);
    if (tokens.ok()) {
      for (const auto& word : tokens.words) check_round_trip(word);
    } else {
      check_printable(tokens.error);
    }
    switch (reader.feed(line)) {
      case ReplyReader::Step::kNeedMore:
        break;
      case ReplyReader::Step::kBad:
        check_printable(reader.error());
        reader = ReplyReader(expect, "dummy");  // the collector reconnects; carry on
        break;
      case ReplyReader::Step::kDone: {
        const auto& reply = reader.reply();
        check(reply.vars.size() + reply.commands.size() <= kMaxListEntries);
        if (reply.kind == Reply::Kind::kError) check(!reply.error.code.empty());
        if (reply.kind == Reply::Kind::kTrackingId) check(!reply.text.empty());
        check(reader.feed(line) == ReplyReader::Step::kBad);  // nothing after the end
        reader = ReplyReader(expect, "dummy");                // the next request's reply
        break;
      }
    }
  }
  return 0;
}
