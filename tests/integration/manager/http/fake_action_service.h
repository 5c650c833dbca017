#pragma once
// An ActionService written for the HTTP layer's and netpowerctl's tests (the real one,
// actions/action_manager, is tested with the actions room). The test scripts, per target, the
// actions a request makes: their outlets, the steps each takes and how it ends. Submitting creates
// the records pending; every read of one action (GET /api/v1/actions/{id}, netpowerctl's polling)
// reveals one more step, then the result, so that progress is deterministic without clocks.
// Discoveries are scripted the same way: a report becomes complete at its `polls_to_complete`-th
// read. Everything asked is recorded. Thread-safe.

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "manager/actions/action_service.h"

namespace netpower::manager::http::testing {

// 2024-05-01T12:00:00Z plus `ms` milliseconds.
inline model::WallTime fake_time(std::int64_t ms) {
  return model::WallTime(std::chrono::milliseconds(1714564800000 + ms));
}

struct StepPlan {
  std::string name;
  model::StepOutcome outcome = model::StepOutcome::kOk;
  std::string detail;
  std::int64_t duration_ms = 100;
};

struct ActionPlan {
  std::string host;
  std::vector<model::OutletRef> outlets;
  std::vector<StepPlan> steps;
  model::ActionResult result = model::ActionResult::kSucceeded;
  std::string failure;
  std::string failure_text;
};

// Steps of a verified reboot of one outlet that succeeds.
inline std::vector<StepPlan> reboot_steps() {
  return {{"resolve", model::StepOutcome::kOk, "host web1 on rack12-pdu.A1", 1},
          {"tickle", model::StepOutcome::kOk, "nonce 3fa2c1d09b8e7f60", 120},
          {"answer", model::StepOutcome::kOk, "answered by web1 (id 4c4c) in 1.02 s", 1020},
          {"identity", model::StepOutcome::kOk, "web1 is the host meant", 1},
          {"switch", model::StepOutcome::kOk, "sentry2PortControlAction reboot", 30},
          {"verify-off", model::StepOutcome::kOk, "Off, load 0.00 A", 2000},
          {"verify-on", model::StepOutcome::kOk, "On, load 2.40 A", 3000},
          {"hello", model::StepOutcome::kOk, "boot id 9f2e changed", 4000}};
}

class FakeActionService final : public actions::ActionService {
 public:
  // Keys: "host:web1", "outlet:rack12-pdu A1", "group:web", "group:web@rack12-pdu",
  // "selector:site=ams", "selector:site=ams@group:web", "agent:rack12-pdu". A target without a
  // plan is refused "unknown-target" at once.
  static std::string key(const actions::TargetSpec& t) {
    if (!t.host.empty()) return "host:" + t.host;
    if (!t.port.empty()) return "outlet:" + t.agent + " " + t.port;
    if (!t.selector.empty())
      return "selector:" + t.selector + (t.group.empty() ? "" : "@group:" + t.group);
    if (!t.group.empty()) return "group:" + t.group + (t.agent.empty() ? "" : "@" + t.agent);
    return "agent:" + t.agent;
  }

  void plan(const std::string& target_key, std::vector<ActionPlan> plans) {
    std::lock_guard lock(mutex_);
    plans_[target_key] = std::move(plans);
  }

  // A finished record put straight into the trail (for GET /api/v1/actions and audit).
  void add_record(model::ActionRecord record) {
    std::lock_guard lock(mutex_);
    next_id_ = std::max(next_id_, record.id + 1);
    records_[record.id] = {std::move(record), {}};
  }

  void add_discovery(actions::DiscoveryReport report, int polls_to_complete = 1) {
    std::lock_guard lock(mutex_);
    discovery_polls_[report.request_id] = polls_to_complete;
    discoveries_[report.request_id] = std::move(report);
  }

  actions::Submitted submit(const actions::ActionSpec& spec, const model::Principal& who) override {
    std::lock_guard lock(mutex_);
    submitted_.push_back({spec, who});
    actions::Submitted out;
    out.request_id = next_request_++;
    const auto it = plans_.find(key(spec.target));
    if (it == plans_.end()) {
      auto record = new_record(spec, who, out.request_id);
      record.result = model::ActionResult::kRefused;
      record.failure = "unknown-target";
      record.failure_text = "nothing is named " + key(spec.target);
      record.finished = record.requested;
      record.steps.push_back({"resolve", record.requested, record.requested,
                              model::StepOutcome::kFailed, record.failure_text});
      records_[record.id] = {record, {}};
      out.actions.push_back(record);
      return out;
    }
    for (const auto& plan : it->second) {
      auto record = new_record(spec, who, out.request_id);
      record.host = plan.host;
      record.outlets = plan.outlets;
      records_[record.id] = {record, plan};
      out.actions.push_back(record);
    }
    return out;
  }

  actions::Submitted discover(const actions::DiscoverySpec& spec,
                              const model::Principal& who) override {
    std::lock_guard lock(mutex_);
    discover_asked_.push_back({spec, who});
    actions::Submitted out;
    out.request_id = discovery_request;
    return out;
  }

  std::optional<model::ActionRecord> action(std::uint64_t id) override {
    std::lock_guard lock(mutex_);
    if (journal_down) throw std::runtime_error("database is locked");
    const auto it = records_.find(id);
    if (it == records_.end()) return std::nullopt;
    advance(it->second);
    return it->second.record;
  }

  std::vector<model::ActionRecord> actions(const model::ActionQuery& q) override {
    std::lock_guard lock(mutex_);
    queries_.push_back(q);
    if (journal_down) throw std::runtime_error("database is locked");
    std::vector<model::ActionRecord> out;
    for (auto it = records_.rbegin(); it != records_.rend() && out.size() < q.limit; ++it) {
      const auto& r = it->second.record;
      const bool on_outlet =
          q.agent.empty() ||
          std::any_of(r.outlets.begin(), r.outlets.end(), [&](const model::OutletRef& o) {
            return o.agent == q.agent && (q.port.empty() || o.port == q.port);
          });
      if ((q.before_id != 0 && r.id >= q.before_id) ||
          (q.request_id && r.request_id != *q.request_id) || !on_outlet ||
          (!q.host.empty() && r.host != q.host) || (q.result && r.result != *q.result) ||
          (q.since && r.requested < *q.since) || (q.until && r.requested >= *q.until)) {
        continue;
      }
      out.push_back(r);
    }
    return out;
  }

  std::optional<actions::DiscoveryReport> discovery(std::uint64_t request_id) override {
    std::lock_guard lock(mutex_);
    const auto it = discoveries_.find(request_id);
    if (it == discoveries_.end()) return std::nullopt;
    auto report = it->second;
    if (--discovery_polls_[request_id] > 0) {
      report.complete = false;
      for (auto& entry : report.entries) {
        entry = {entry.outlet, entry.believed_host, "", "", "", "pending", entry.action_id};
      }
    }
    return report;
  }

  std::vector<actions::BindingView> bindings() override {
    std::lock_guard lock(mutex_);
    if (journal_down) throw std::runtime_error("database is locked");
    return bindings_;
  }
  std::vector<actions::HostView> hosts() override {
    std::lock_guard lock(mutex_);
    return hosts_;
  }

  void set_bindings(std::vector<actions::BindingView> v) {
    std::lock_guard lock(mutex_);
    bindings_ = std::move(v);
  }
  void set_hosts(std::vector<actions::HostView> v) {
    std::lock_guard lock(mutex_);
    hosts_ = std::move(v);
  }

  struct Asked {
    actions::ActionSpec spec;
    model::Principal who;
  };
  struct AskedDiscovery {
    actions::DiscoverySpec spec;
    model::Principal who;
  };
  std::vector<Asked> submitted() {
    std::lock_guard lock(mutex_);
    return submitted_;
  }
  std::vector<AskedDiscovery> discover_asked() {
    std::lock_guard lock(mutex_);
    return discover_asked_;
  }
  std::vector<model::ActionQuery> queries() {
    std::lock_guard lock(mutex_);
    return queries_;
  }

  // Set before requests.
  bool journal_down = false;
  std::uint64_t discovery_request = 0;  // what discover() answers as its request id

 private:
  struct Live {
    model::ActionRecord record;
    std::optional<ActionPlan> plan;  // none: finished when added
    std::size_t revealed = 0;
    std::int64_t elapsed_ms = 0;
  };

  model::ActionRecord new_record(const actions::ActionSpec& spec, const model::Principal& who,
                                 std::uint64_t request_id) {
    model::ActionRecord record;
    record.id = next_id_++;
    record.request_id = request_id;
    record.kind = spec.kind;
    record.source = spec.source;
    record.principal = who.name;
    record.reason = spec.reason;
    record.target = key(spec.target);
    record.dry_run = spec.dry_run;
    record.force = spec.force;
    record.requested = fake_time(0);
    return record;
  }

  // One more step, or the result once every step is revealed.
  static void advance(Live& live) {
    if (!live.plan || live.record.result != model::ActionResult::kPending) return;
    const auto& steps = live.plan->steps;
    if (live.revealed < steps.size()) {
      const auto& step = steps[live.revealed++];
      const auto started = fake_time(live.elapsed_ms);
      live.elapsed_ms += step.duration_ms;
      live.record.steps.push_back(
          {step.name, started, fake_time(live.elapsed_ms), step.outcome, step.detail});
      return;
    }
    live.record.result = live.plan->result;
    live.record.failure = live.plan->failure;
    live.record.failure_text = live.plan->failure_text;
    live.record.finished = fake_time(live.elapsed_ms);
  }

  std::mutex mutex_;
  std::map<std::string, std::vector<ActionPlan>> plans_;
  std::map<std::uint64_t, Live> records_;
  std::map<std::uint64_t, actions::DiscoveryReport> discoveries_;
  std::map<std::uint64_t, int> discovery_polls_;
  std::vector<actions::BindingView> bindings_;
  std::vector<actions::HostView> hosts_;
  std::vector<Asked> submitted_;
  std::vector<AskedDiscovery> discover_asked_;
  std::vector<model::ActionQuery> queries_;
  std::uint64_t next_id_ = 1;
  std::uint64_t next_request_ = 1;
};

}  // namespace netpower::manager::http::testing
