// Fuzzes the Megatec reply parsers and the line splitter with bytes as a serial line delivers them:
// the whole input split into lines (fed in two pieces, as reads split it), every line parsed as Q1,
// F and I, and what parses mapped to NUT variables. Checks the parsers' promises: no crash, error
// texts printable, parsed numbers finite and non-negative, no line beyond the cap.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "collectors/megatec/megatec_protocol.h"

namespace {

using namespace netpower::collectors::megatec;

void check(bool ok) {
  if (!ok) std::abort();
}

void check_number(const std::optional<double>& value) {
  if (value) check(std::isfinite(*value) && *value >= 0);
}

template <typename T>
void check_error(const Parsed<T>& parsed) {
  if (parsed) return;
  check(!parsed.detail.empty());
  for (char c : parsed.detail) check(c >= 0x20 && c < 0x7f);
}

void parse_line(std::string_view line) {
  auto q1 = parse_q1(line);
  check_error(q1);
  if (q1) {
    const auto& r = *q1.value;
    for (const auto* f : {&r.input_voltage, &r.input_fault_voltage, &r.output_voltage, &r.load,
                          &r.input_frequency, &r.battery_voltage, &r.temperature}) {
      check_number(*f);
    }
    netpower::collectors::UpsVars vars;
    publish_q1(r, vars);
    check(!ups_status(r).empty());
  }
  auto f = parse_f(line);
  check_error(f);
  if (f) {
    check_number(f.value->voltage);
    check_number(f.value->current);
    check_number(f.value->battery_voltage);
    check_number(f.value->frequency);
    netpower::collectors::UpsVars vars;
    publish_f(*f.value, vars);
  }
  auto i = parse_i(line);
  check_error(i);
  if (i) {
    check(i.value->company.size() <= 15 && i.value->model.size() <= 10 &&
          i.value->version.size() <= 10);
    netpower::collectors::UpsVars vars;
    publish_i(*i.value, vars);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  parse_line(bytes);  // the input as one line, '\r' or not
  LineSplitter splitter;
  auto half = size / 2;
  splitter.feed(bytes.substr(0, half));
  splitter.feed(bytes.substr(half));
  while (auto line = splitter.next()) {
    check(line->size() <= LineSplitter::kMaxLine);
    parse_line(*line);
  }
  return 0;
}
