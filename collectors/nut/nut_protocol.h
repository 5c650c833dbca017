#pragma once
// Network UPS Tools' network protocol as a client speaks it to upsd (NUT docs/net-protocol.txt,
// protocol 1.3 of NUT 2.8.0): request lines out, reply lines in. Pure: no I/O, no clock, no
// exceptions. Everything upsd sends is untrusted; each reader returns {parsed, need more, bad}.
//
// Requests and replies are single lines ending in '\n'. upsd answers requests in the order they
// were sent, one reply per request: one line, or for LIST a block "BEGIN LIST <query>" ... "END
// LIST <query>". Any request may instead get the single line "ERR <code> [<extra>...]".

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace netpower::collectors::nut {

// upsd's longest line is a VAR line: a name, the UPS name and a value of at most 256 bytes, all
// possibly escaped; well under 1 KiB. Anything much longer is garbage.
inline constexpr std::size_t kMaxLineLength = 4096;
// Entries in one LIST reply; a real UPS has a few hundred at most.
inline constexpr std::size_t kMaxListEntries = 10000;

// Cuts a byte stream into lines. A line ends at '\n'; a '\r' before it is dropped.
class LineSplitter {
 public:
  explicit LineSplitter(std::size_t max_line = kMaxLineLength) : max_line_(max_line) {}

  // Appends `bytes` and moves every complete line into `lines`. Returns false once a line
  // (complete or still partial) exceeds the maximum; the splitter then stays failed and keeps
  // nothing until reset(). Lines completed before the long one are still delivered.
  bool feed(std::string_view bytes, std::vector<std::string>& lines);
  void reset();
  bool failed() const { return failed_; }
  // Bytes of the incomplete last line.
  std::size_t buffered() const { return partial_.size(); }

 private:
  std::size_t max_line_;
  std::string partial_;
  bool failed_ = false;
};

// A line split into words, or why it could not be.
struct Tokens {
  std::vector<std::string> words;
  std::string error;  // empty when the line was well formed
  bool ok() const { return error.empty(); }
};

// Splits a line as NUT's parser (parseconf) does: spaces and tabs separate words; a word in
// "double quotes" may contain blanks or be empty; a backslash takes the next character literally,
// inside quotes and out. Errors: an unterminated quote, a trailing backslash, a quote that starts
// or ends in the middle of a word.
Tokens tokenize(std::string_view line);

// One argument as a request carries it: a plain word as is; anything with blanks, quotes or
// backslashes (or empty) in double quotes, with '"' and '\' escaped. nullopt when it cannot be
// sent safely: control characters other than tab (a '\n' would end the request early) and '#'
// (upsd 2.8.0 drops a whole request line that contains '#', even inside quotes, without any reply,
// which would put every later reply against the wrong request).
std::optional<std::string> quote_argument(std::string_view arg);

// A request line with its '\n', every word quoted as needed; nullopt if one cannot be sent.
std::optional<std::string> format_request(const std::vector<std::string_view>& words);

// What a request expects back.
enum class Expect {
  kOk,              // USERNAME, PASSWORD, SET TRACKING: "OK"
  kOkOrTracking,    // INSTCMD, SET VAR: "OK" (tracking off) or "OK TRACKING <id>"
  kTrackingStatus,  // GET TRACKING <id>: "PENDING", "SUCCESS" (failures come as ERR)
  kVar,             // GET VAR <ups> <name>: VAR <ups> <name> "<value>"
  kVarList,         // LIST VAR <ups>
  kCmdList,         // LIST CMD <ups>
};

struct NutError {
  std::string code;   // ACCESS-DENIED, DATA-STALE, ... (one word)
  std::string extra;  // the words after it, joined by spaces; usually empty
};

struct Reply {
  enum class Kind { kOk, kTrackingId, kPending, kSuccess, kVars, kCommands, kError };
  Kind kind = Kind::kOk;
  std::string text;                                       // kOk: words after "OK"; kTrackingId: id
  std::vector<std::pair<std::string, std::string>> vars;  // kVars: name, value in upsd's order
  std::vector<std::string> commands;                      // kCommands
  NutError error;                                         // kError
};

// Reads the reply to one request, one line at a time.
class ReplyReader {
 public:
  enum class Step { kNeedMore, kDone, kBad };

  // `ups`: the UPS name of a GET VAR / LIST request, which every line of the reply must repeat.
  explicit ReplyReader(Expect expect, std::string ups = {});

  // Feeds the next line (without '\n'). After kDone, reply() holds the result; after kBad,
  // error() says what was wrong. Feeding after either is kBad.
  Step feed(std::string_view line);
  const Reply& reply() const { return reply_; }
  Reply& reply() { return reply_; }
  const std::string& error() const { return error_; }
  Expect expect() const { return expect_; }

 private:
  Step bad(std::string problem, std::string_view line);
  Step first_line(const std::vector<std::string>& words, std::string_view line);
  Step list_line(const std::vector<std::string>& words, std::string_view line);

  Expect expect_;
  std::string ups_;
  bool in_list_ = false;
  bool finished_ = false;
  Reply reply_;
  std::string error_;
};

// `text` made safe for a log line: control and non-ASCII bytes as \xNN, cut at `max` bytes.
std::string printable(std::string_view text, std::size_t max = 120);

}  // namespace netpower::collectors::nut
