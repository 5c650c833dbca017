#include "manager/exporter/detail/sinks.h"

#include <charconv>
#include <cmath>
#include <cstdint>

namespace netpower::manager::exporter::detail {

namespace {

// The length of the UTF-8 sequence that starts with `c` past its first byte, or -1 for a byte
// that cannot start one.
int continuation_bytes(unsigned char c) {
  if (c < 0x80) return 0;
  if (c >= 0xC2 && c <= 0xDF) return 1;
  if ((c & 0xF0) == 0xE0) return 2;
  if (c >= 0xF0 && c <= 0xF4) return 3;
  return -1;
}

// The length of the printable UTF-8 character at s[i], or 0 when it is not one (a control
// character, a broken or overlong sequence, a surrogate, past U+10FFFF).
std::size_t printable_char(std::string_view s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  const int n = continuation_bytes(c);
  if (n == 0) return c >= 0x20 && c != 0x7f ? 1 : 0;
  if (n < 0 || i + static_cast<std::size_t>(n) >= s.size()) return 0;
  std::uint32_t cp = c & (0x3F >> n);
  for (int k = 1; k <= n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  constexpr std::uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) ||
      (cp >= 0x80 && cp < 0xA0)) {
    return 0;
  }
  return static_cast<std::size_t>(n) + 1;
}

bool valid_utf8_printable(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = printable_char(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

}  // namespace

// Label values come from agents (port and page names): the exposition must be valid UTF-8, and
// control characters (a line end) are replaced too, so every serializer writes them alike.
std::string clean_value(std::string_view s) {
  if (valid_utf8_printable(s)) return std::string(s);
  std::string out;
  out.reserve(s.size() + 8);
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = printable_char(s, i);
    if (n > 0) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      const auto c = static_cast<unsigned char>(s[i]);
      out += c < 0x80 ? " " : "\xEF\xBF\xBD";  // a control character, or U+FFFD
      ++i;
    }
  }
  return out;
}

void append_escaped(std::string& out, std::string_view value) {
  for (char c : value) {
    if (c == '\\' || c == '"') out.push_back('\\');
    out.push_back(c);
  }
}

void LabelBlock::add(std::string name, std::string_view raw_value) {
  std::string value = clean_value(raw_value);
  if (!text.empty()) text.push_back(',');
  text += name;
  text += "=\"";
  append_escaped(text, value);
  text.push_back('"');
  list.push_back({std::move(name), std::move(value)});
}

void append_value(std::string& out, double value) {
  // As prometheus-cpp's TextSerializer writes it (%.16g), so both paths give the same bytes.
  if (std::isnan(value)) {
    out += "Nan";
  } else if (std::isinf(value)) {
    out += value < 0 ? "-Inf" : "+Inf";
  } else {
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::general, 16);
    out.append(buf, r.ptr);
  }
}

TextSink::TextSink() {
  for (auto& b : bodies_) b.reserve(256);
}

void TextSink::add(F family, const LabelBlock* base, const LabelBlock* object,
                   std::span<const Extra> extra, double value) {
  std::string& out = bodies_[idx(family)];
  out += kFamilies[idx(family)].name;
  const char* sep = "{";
  if (base != nullptr && !base->text.empty()) {
    out += sep;
    out += base->text;
    sep = ",";
  }
  if (object != nullptr && !object->text.empty()) {
    out += sep;
    out += object->text;
    sep = ",";
  }
  for (const auto& e : extra) {
    out += sep;
    out += e.name;
    out += "=\"";
    append_escaped(out, e.value);
    out.push_back('"');
    sep = ",";
  }
  if (sep[0] == ',') out.push_back('}');
  out.push_back(' ');
  append_value(out, value);
  out.push_back('\n');
}

void TextSink::add_health(std::string_view name, std::string_view help, MetricType type,
                          const LabelBlock& labels, double value) {
  auto& family = health_family(name, help, type);
  family.body += name;
  if (!labels.text.empty()) {
    family.body.push_back('{');
    family.body += labels.text;
    family.body.push_back('}');
  }
  family.body.push_back(' ');
  append_value(family.body, value);
  family.body.push_back('\n');
}

std::string TextSink::finish() {
  std::size_t size = 0;
  for (const auto& b : bodies_) size += b.size() + 256;
  for (const auto& h : health_) size += h.body.size() + 256;
  std::string out;
  out.reserve(size);
  for (std::size_t i = 0; i < kFamilyCount; ++i) {
    if (bodies_[i].empty()) continue;
    const auto& spec = kFamilies[i];
    out += "# HELP ";
    out += spec.name;
    out.push_back(' ');
    out += spec.help;
    out += "\n# TYPE ";
    out += spec.name;
    out += spec.type == C ? " counter\n" : " gauge\n";
    out += bodies_[i];
  }
  for (const auto& h : health_) {
    out += "# HELP ";
    out += h.name;
    out.push_back(' ');
    out += h.help;
    out += "\n# TYPE ";
    out += h.name;
    out += h.type == C ? " counter\n" : " gauge\n";
    out += h.body;
  }
  return out;
}

TextSink::HealthFamily& TextSink::health_family(std::string_view name, std::string_view help,
                                                MetricType type) {
  for (auto& h : health_) {
    if (h.name == name) return h;
  }
  return health_.emplace_back(HealthFamily{std::string(name), std::string(help), type, {}});
}

void FamilySink::add(F family, const LabelBlock* base, const LabelBlock* object,
                     std::span<const Extra> extra, double value) {
  auto& metrics = metrics_[idx(family)];
  ClientMetric& m = metrics.emplace_back();
  m.label.reserve((base != nullptr ? base->list.size() : 0) +
                  (object != nullptr ? object->list.size() : 0) + extra.size());
  if (base != nullptr) m.label.insert(m.label.end(), base->list.begin(), base->list.end());
  if (object != nullptr) m.label.insert(m.label.end(), object->list.begin(), object->list.end());
  for (const auto& e : extra) m.label.push_back({std::string(e.name), std::string(e.value)});
  if (kFamilies[idx(family)].type == C) {
    m.counter.value = value;
  } else {
    m.gauge.value = value;
  }
}

void FamilySink::add_health(std::string_view name, std::string_view help, MetricType type,
                            const LabelBlock& labels, double value) {
  MetricFamily* family = nullptr;
  for (auto& h : health_) {
    if (h.name == name) family = &h;
  }
  if (family == nullptr) {
    family = &health_.emplace_back(MetricFamily{std::string(name), std::string(help), type, {}});
  }
  ClientMetric& m = family->metric.emplace_back();
  m.label = labels.list;
  if (type == C) {
    m.counter.value = value;
  } else {
    m.gauge.value = value;
  }
}

std::vector<MetricFamily> FamilySink::finish() {
  std::vector<MetricFamily> out;
  for (std::size_t i = 0; i < kFamilyCount; ++i) {
    if (metrics_[i].empty()) continue;
    const auto& spec = kFamilies[i];
    out.push_back({spec.name, spec.help, spec.type, std::move(metrics_[i])});
  }
  for (auto& h : health_) out.push_back(std::move(h));
  return out;
}

void HealthToSink::counter(std::string_view name, std::string_view help, double value,
                           const model::HealthLabels& labels) {
  LabelBlock block;
  for (const auto& [k, v] : labels) block.add(k, v);
  sink_.add_health(name, help, C, block, value);
}

void HealthToSink::gauge(std::string_view name, std::string_view help, double value,
                         const model::HealthLabels& labels) {
  LabelBlock block;
  for (const auto& [k, v] : labels) block.add(k, v);
  sink_.add_health(name, help, G, block, value);
}

}  // namespace netpower::manager::exporter::detail
