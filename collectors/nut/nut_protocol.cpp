#include "collectors/nut/nut_protocol.h"

#include <cstdio>

namespace netpower::collectors::nut {

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }

bool is_control(unsigned char c) { return c < 0x20 || c == 0x7f; }

std::string join(const std::vector<std::string>& words, std::size_t from) {
  std::string out;
  for (std::size_t i = from; i < words.size(); ++i) {
    if (!out.empty()) out += ' ';
    out += words[i];
  }
  return out;
}

bool words_are(const std::vector<std::string>& words,
               std::initializer_list<std::string_view> expected) {
  if (words.size() != expected.size()) return false;
  std::size_t i = 0;
  for (auto word : expected) {
    if (words[i++] != word) return false;
  }
  return true;
}

}  // namespace

bool LineSplitter::feed(std::string_view bytes, std::vector<std::string>& lines) {
  if (failed_) return false;
  while (!bytes.empty()) {
    auto newline = bytes.find('\n');
    auto piece = bytes.substr(0, newline);
    if (partial_.size() + piece.size() > max_line_) {
      failed_ = true;
      partial_.clear();
      return false;
    }
    partial_.append(piece);
    if (newline == std::string_view::npos) break;
    if (!partial_.empty() && partial_.back() == '\r') partial_.pop_back();
    lines.push_back(std::move(partial_));
    partial_.clear();
    bytes.remove_prefix(newline + 1);
  }
  return true;
}

void LineSplitter::reset() {
  partial_.clear();
  failed_ = false;
}

Tokens tokenize(std::string_view line) {
  Tokens out;
  std::size_t i = 0;
  const std::size_t n = line.size();
  while (i < n) {
    if (is_blank(line[i])) {
      ++i;
      continue;
    }
    std::string word;
    if (line[i] == '"') {
      ++i;
      bool closed = false;
      while (i < n) {
        char c = line[i++];
        if (c == '\\') {
          if (i == n) break;
          word += line[i++];
        } else if (c == '"') {
          closed = true;
          break;
        } else {
          word += c;
        }
      }
      if (!closed) {
        out.error = "unterminated quote";
        return out;
      }
      if (i < n && !is_blank(line[i])) {
        out.error = "text right after a closing quote";
        return out;
      }
    } else {
      while (i < n && !is_blank(line[i])) {
        char c = line[i++];
        if (c == '"') {
          out.error = "quote inside a word";
          return out;
        }
        if (c == '\\') {
          if (i == n) {
            out.error = "backslash at the end of the line";
            return out;
          }
          c = line[i++];
        }
        word += c;
      }
    }
    out.words.push_back(std::move(word));
  }
  return out;
}

std::optional<std::string> quote_argument(std::string_view arg) {
  bool plain = !arg.empty();
  for (unsigned char c : arg) {
    if ((is_control(c) && c != '\t') || c == '#') return std::nullopt;
    if (is_blank(static_cast<char>(c)) || c == '"' || c == '\\') plain = false;
  }
  if (plain) return std::string(arg);
  std::string out = "\"";
  for (char c : arg) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

std::optional<std::string> format_request(const std::vector<std::string_view>& words) {
  std::string line;
  for (auto word : words) {
    auto quoted = quote_argument(word);
    if (!quoted) return std::nullopt;
    if (!line.empty()) line += ' ';
    line += *quoted;
  }
  line += '\n';
  return line;
}

ReplyReader::ReplyReader(Expect expect, std::string ups) : expect_(expect), ups_(std::move(ups)) {}

ReplyReader::Step ReplyReader::bad(std::string problem, std::string_view line) {
  finished_ = true;
  error_ = std::move(problem) + ": '" + printable(line) + "'";
  return Step::kBad;
}

ReplyReader::Step ReplyReader::feed(std::string_view line) {
  if (finished_) return bad("line after the end of the reply", line);
  auto tokens = tokenize(line);
  if (!tokens.ok()) return bad(tokens.error, line);
  if (tokens.words.empty()) return bad("empty line", line);
  return in_list_ ? list_line(tokens.words, line) : first_line(tokens.words, line);
}

ReplyReader::Step ReplyReader::first_line(const std::vector<std::string>& words,
                                          std::string_view line) {
  auto done = [this](Reply::Kind kind) {
    reply_.kind = kind;
    finished_ = true;
    return Step::kDone;
  };
  if (words[0] == "ERR") {
    if (words.size() < 2) return bad("ERR without a code", line);
    reply_.error = NutError{words[1], join(words, 2)};
    return done(Reply::Kind::kError);
  }
  switch (expect_) {
    case Expect::kOk:
      if (words[0] != "OK") return bad("expected OK", line);
      reply_.text = join(words, 1);
      return done(Reply::Kind::kOk);
    case Expect::kOkOrTracking:
      if (words_are(words, {"OK"})) return done(Reply::Kind::kOk);
      if (words.size() == 3 && words[0] == "OK" && words[1] == "TRACKING" && !words[2].empty()) {
        reply_.text = words[2];
        return done(Reply::Kind::kTrackingId);
      }
      return bad("expected OK or OK TRACKING <id>", line);
    case Expect::kTrackingStatus:
      if (words_are(words, {"PENDING"})) return done(Reply::Kind::kPending);
      if (words_are(words, {"SUCCESS"})) return done(Reply::Kind::kSuccess);
      return bad("expected PENDING, SUCCESS or ERR", line);
    case Expect::kVar:
      if (words.size() != 4 || words[0] != "VAR" || words[1] != ups_ || words[2].empty()) {
        return bad("expected VAR " + ups_ + " <name> \"<value>\"", line);
      }
      reply_.vars.emplace_back(words[2], words[3]);
      return done(Reply::Kind::kVars);
    case Expect::kVarList:
      if (!words_are(words, {"BEGIN", "LIST", "VAR", ups_})) {
        return bad("expected BEGIN LIST VAR " + ups_, line);
      }
      reply_.kind = Reply::Kind::kVars;
      in_list_ = true;
      return Step::kNeedMore;
    case Expect::kCmdList:
      if (!words_are(words, {"BEGIN", "LIST", "CMD", ups_})) {
        return bad("expected BEGIN LIST CMD " + ups_, line);
      }
      reply_.kind = Reply::Kind::kCommands;
      in_list_ = true;
      return Step::kNeedMore;
  }
  return bad("unexpected reply", line);
}

ReplyReader::Step ReplyReader::list_line(const std::vector<std::string>& words,
                                         std::string_view line) {
  const bool vars = expect_ == Expect::kVarList;
  const char* kind = vars ? "VAR" : "CMD";
  if (words_are(words, {"END", "LIST", kind, ups_})) {
    finished_ = true;
    return Step::kDone;
  }
  if (reply_.vars.size() + reply_.commands.size() >= kMaxListEntries) {
    return bad("more than " + std::to_string(kMaxListEntries) + " list entries", line);
  }
  if (vars && words.size() == 4 && words[0] == "VAR" && words[1] == ups_ && !words[2].empty()) {
    reply_.vars.emplace_back(words[2], words[3]);
    return Step::kNeedMore;
  }
  if (!vars && words.size() == 3 && words[0] == "CMD" && words[1] == ups_ && !words[2].empty()) {
    reply_.commands.push_back(words[2]);
    return Step::kNeedMore;
  }
  return bad(std::string("expected ") + kind + " " + ups_ + " ... or END LIST " + kind + " " + ups_,
             line);
}

std::string printable(std::string_view text, std::size_t max) {
  std::string out;
  for (unsigned char c : text) {
    if (out.size() >= max) {
      out += "...";
      break;
    }
    if (c < 0x20 || c >= 0x7f || c == '\\') {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

}  // namespace netpower::collectors::nut
