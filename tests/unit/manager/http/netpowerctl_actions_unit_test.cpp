// netpowerctl's power-action text without a server, from records the server's own JSON functions
// write (actions_json.h): labels of one- and two-outlet actions, progress lines printed once each
// and in order, summaries, the exit status, --timeout's durations.

#include <gtest/gtest.h>

#include "manager/ctl/action_text.h"
#include "manager/http/actions_json.h"

namespace netpower::ctl {
namespace {

using manager::model::ActionRecord;
using manager::model::ActionResult;
using manager::model::ActionStep;
using manager::model::StepOutcome;
using manager::model::WallTime;
using nlohmann::json;

WallTime at(std::int64_t ms) { return WallTime(std::chrono::milliseconds(1714564800000 + ms)); }

ActionRecord dual_corded() {
  ActionRecord r;
  r.id = 9;
  r.request_id = 4;
  r.kind = manager::model::ActionKind::kReboot;
  r.target = "db1";
  r.host = "db1";
  r.outlets = {{"rack12-pdu", "A2"}, {"rack12-pdu", "B2"}};
  r.requested = at(0);
  return r;
}

TEST(ActionText, LabelsOfOneAndTwoOutlets) {
  ActionRecord r = dual_corded();
  EXPECT_EQ(action_label(manager::http::action_json(r)), "db1");
  r.host.clear();
  EXPECT_EQ(action_label(manager::http::action_json(r)), "rack12-pdu.A2+rack12-pdu.B2");
  r.outlets.resize(1);
  EXPECT_EQ(action_label(manager::http::action_json(r)), "rack12-pdu.A2");
  r.outlets.clear();
  r.target = "group:web";
  EXPECT_EQ(action_label(manager::http::action_json(r)), "group:web");
}

TEST(ActionText, ProgressPrintsEachEndedStepOnceInOrder) {
  ActionRecord r = dual_corded();
  const json submitted = json::array({manager::http::action_json(r)});
  Progress progress(submitted);
  EXPECT_EQ(progress.update(submitted[0]), "");

  r.steps = {{"tickle A2", at(0), at(120), StepOutcome::kOk, "nonce 1"},
             {"tickle B2", at(0), std::nullopt, StepOutcome::kRunning, ""},
             {"resolve", at(0), at(1), StepOutcome::kOk, "two outlets"}};
  // The second step still runs: the third waits for it, to keep the order.
  EXPECT_EQ(progress.update(manager::http::action_json(r)),
            "rack12-pdu.A2  tickle     ok      0.12 s  nonce 1\n");
  EXPECT_EQ(progress.update(manager::http::action_json(r)), "");

  r.steps[1].ended = at(2500);
  r.steps[1].outcome = StepOutcome::kFailed;
  r.steps[1].detail = "refused\nby the agent";
  EXPECT_EQ(progress.update(manager::http::action_json(r)),
            "rack12-pdu.B2  tickle     failed  2.50 s  refused by the agent\n"
            "db1            resolve    ok      0.00 s  two outlets\n");

  // Once finished, every step left is printed, ended or not.
  r.steps.push_back({"answer", at(2500), std::nullopt, StepOutcome::kRunning, ""});
  r.result = ActionResult::kFailed;
  r.failure = "switch-refused";
  r.finished = at(3000);
  EXPECT_EQ(progress.update(manager::http::action_json(r)),
            "db1            answer     running -\n");
  EXPECT_EQ(action_summary(manager::http::action_json(r)),
            "action 9 reboot db1 (rack12-pdu.A2+rack12-pdu.B2): FAILED (switch-refused)\n");
}

TEST(ActionText, ExitStatusIsTheWorst) {
  ActionRecord ok = dual_corded();
  ok.result = ActionResult::kSucceeded;
  ActionRecord refused = ok;
  refused.result = ActionResult::kRefused;
  ActionRecord failed = ok;
  failed.result = ActionResult::kFailed;
  const auto j = [](const ActionRecord& r) { return manager::http::action_json(r); };
  EXPECT_EQ(actions_exit_status(json::array({j(ok), j(ok)})), 0);
  EXPECT_EQ(actions_exit_status(json::array({j(ok), j(refused)})), 2);
  EXPECT_EQ(actions_exit_status(json::array({j(failed), j(refused)})), 3);
  EXPECT_EQ(actions_exit_status(json::array({j(refused), j(failed), j(ok)})), 3);
}

TEST(ActionText, Summaries) {
  ActionRecord r = dual_corded();
  r.outlets.resize(1);
  r.result = ActionResult::kSucceeded;
  r.finished = at(42100);
  r.dry_run = true;
  EXPECT_EQ(action_summary(manager::http::action_json(r)),
            "action 9 reboot db1 (rack12-pdu.A2): succeeded in 42.10 s (dry run: verified, "
            "nothing was switched)\n");
  r.dry_run = false;
  r.force = true;
  r.result = ActionResult::kRefused;
  r.failure = "wrong-host";
  r.failure_text = "answered by web2";
  EXPECT_EQ(action_summary(manager::http::action_json(r)),
            "action 9 reboot db1 (rack12-pdu.A2): refused (wrong-host: answered by web2); nothing "
            "was switched [forced]\n");
}

TEST(ActionText, TimeoutDurations) {
  EXPECT_EQ(duration_argument("900"), 900.0);
  EXPECT_EQ(duration_argument("2.5"), 2.5);
  EXPECT_EQ(duration_argument("15m"), 900.0);
  EXPECT_EQ(duration_argument("1h30m"), 5400.0);
  EXPECT_EQ(duration_argument("90s"), 90.0);
  EXPECT_EQ(duration_argument("250ms"), 0.25);
  for (const char* bad : {"", "m", "15x", "1.5m", "-1", ".5", "1d", "15 m"}) {
    EXPECT_FALSE(duration_argument(bad)) << bad;
  }
}

}  // namespace
}  // namespace netpower::ctl
