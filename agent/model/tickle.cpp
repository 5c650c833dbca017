// ChainModel's tickles: the nonce goes to the hardware only through here (docs/tickle.md).
#include <spdlog/spdlog.h>

#include "agent/model/chain_model.h"

namespace netpower::agent {

const char* to_string(TickleStatus status) {
  switch (status) {
    case TickleStatus::kIdle:
      return "idle";
    case TickleStatus::kSending:
      return "sending";
    case TickleStatus::kSent:
      return "sent";
    case TickleStatus::kFailed:
      return "failed";
  }
  return "unknown";
}

std::uint32_t ChainModel::uptime_ticks() const {
  if (uptime_source_) return static_cast<std::uint32_t>(uptime_source_());
  auto elapsed = loop_.clock().now() - started_;
  // TimeTicks wrap at 2^32 hundredths of a second (497 days), as sysUpTime does.
  return static_cast<std::uint32_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() / 10);
}

bool ChainModel::tickle_busy(core::PortId id) const {
  const auto& t = tickles_[static_cast<std::size_t>(id.flat())];
  // The time decides, not the timer: a request that arrives when the window has ended is
  // accepted even if the loop has not yet run the timer.
  return t.status == TickleStatus::kSending && loop_.clock().now() < t.sending_until;
}

TickleResult ChainModel::tickle(core::PortId id, std::uint64_t nonce) {
  if (!has_port(id)) return {TickleResult::Outcome::kFailed, "no such port"};
  if (tickle_busy(id)) return {TickleResult::Outcome::kBusy, {}};
  auto& t = tickles_[static_cast<std::size_t>(id.flat())];
  if (t.timer != 0) {
    loop_.cancel(t.timer);
    t.timer = 0;
  }
  const auto now = loop_.clock().now();
  t.nonce = nonce;
  t.started_ticks = uptime_ticks();
  auto result = pdu_.tickle(id, core::encode_tickle(nonce, tickle_bit_time_));
  if (!result.ok()) {
    t.status = TickleStatus::kFailed;
    t.sending_until = now;
    t.error = std::string(collectors::to_string(result.fault)) +
              (result.detail.empty() ? "" : ": " + result.detail);
    spdlog::warn("tickle on .{} failed: {}", id.str(), t.error);
    return {TickleResult::Outcome::kFailed, t.error};
  }
  t.status = TickleStatus::kSending;
  t.error.clear();
  t.sending_until = now + tickle_window();
  t.timer = loop_.call_at(t.sending_until, [this, id]() { tickle_done(id); });
  spdlog::debug("tickle on .{}: nonce {:016x} sending, bit time {} us", id.str(), nonce,
                std::chrono::duration_cast<std::chrono::microseconds>(tickle_bit_time_).count());
  return {};
}

void ChainModel::tickle_done(core::PortId id) {
  auto& t = tickles_[static_cast<std::size_t>(id.flat())];
  t.timer = 0;
  if (t.status != TickleStatus::kSending) return;
  t.status = TickleStatus::kSent;
  spdlog::debug("tickle on .{} sent", id.str());
}

TickleView ChainModel::tickle_state(core::PortId id) const {
  const auto& t = tickles_[static_cast<std::size_t>(id.flat())];
  TickleView view;
  view.status =
      t.status == TickleStatus::kSending && !tickle_busy(id) ? TickleStatus::kSent : t.status;
  view.nonce = t.nonce;
  view.started_ticks = t.started_ticks;
  view.error = t.error;
  return view;
}

}  // namespace netpower::agent
