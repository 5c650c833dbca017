#include "agent/snmp/netpower_mib.h"

#include <spdlog/spdlog.h>

#include "agent/snmp/netpower_oids.h"
#include "agent/snmp/sentry2_index.h"
#include "agent/snmp/tickle_mib.h"

namespace netpower::agent::snmp {

namespace {

constexpr long kTrue = 1;  // TruthValue
constexpr long kFalse = 2;
constexpr long kMaxHoldSeconds = 86400;
constexpr long kMaxShutdownSeconds = 480;
constexpr std::size_t kSaveErrorMax = 255;
constexpr std::size_t kTargetMax = 24;

long seconds_of(core::Duration d) {
  return static_cast<long>(std::chrono::duration_cast<std::chrono::seconds>(d).count());
}
Value truth(bool b) { return Value::integer32(b ? kTrue : kFalse); }

// The varbind as an INTEGER in [min, max]: SNMP_ERR_NOERROR or the error to answer.
int check_integer(const SetRequest& r, long min, long max) {
  const auto& vb = r.varbind;
  if (vb.type != ASN_INTEGER || vb.val_len != sizeof(long)) return SNMP_ERR_WRONGTYPE;
  long v = *vb.val.integer;
  return v < min || v > max ? SNMP_ERR_WRONGVALUE : SNMP_ERR_NOERROR;
}
long integer_of(const SetRequest& r) { return *r.varbind.val.integer; }

int check_truth(const SetRequest& r) { return check_integer(r, kTrue, kFalse); }
bool truth_of(const SetRequest& r) { return integer_of(r) == kTrue; }

// A DisplayString (RFC 2579: printable NVT ASCII) of at most `max` octets.
int check_string(const SetRequest& r, std::size_t min, std::size_t max) {
  const auto& vb = r.varbind;
  if (vb.type != ASN_OCTET_STR) return SNMP_ERR_WRONGTYPE;
  if (vb.val_len < min || vb.val_len > max) return SNMP_ERR_WRONGLENGTH;
  for (std::size_t i = 0; i < vb.val_len; ++i) {
    auto c = vb.val.string[i];
    if (c < 0x20 || c > 0x7e) return SNMP_ERR_WRONGVALUE;
  }
  return SNMP_ERR_NOERROR;
}
std::string string_of(const SetRequest& r) {
  return std::string(reinterpret_cast<const char*>(r.varbind.val.string), r.varbind.val_len);
}

Oid user_index(const std::string& user) {
  Oid index{static_cast<oid>(user.size())};
  for (unsigned char c : user) index.push_back(c);
  return index;
}

}  // namespace

NetpowerMib::NetpowerMib(ChainModel& model, ChainSettings factory, const AccessSettings& access,
                         const SettingsStore* store)
    : model_(model), factory_(std::move(factory)), store_(store) {
  if (access.users.empty()) {
    groups_.push_back({"admin", nullptr, {}, 4, {}});
  } else {
    for (const auto& user : access.users) groups_.push_back({user.name, &user, {}, 4, {}});
  }
}

const MibTree& NetpowerMib::tree() {
  if (built_for_ != model_.shape_generation()) rebuild();
  return tree_;
}

void NetpowerMib::rebuild() {
  tree_.clear();
  add_chain_scalars();
  for (oid column = kNpBoardPageName; column <= kNpBoardTrapInputLoad; ++column) {
    tree_.add_object(kNpBoardEntry + Oid{column}, true);
  }
  for (oid column = kNpPortName; column <= kNpPortTrapLoad; ++column) {
    tree_.add_object(kNpPortEntry + Oid{column}, true);
  }
  for (oid column = kNpGroupActionTarget; column <= kNpGroupActionResult; ++column) {
    tree_.add_object(kNpGroupActionEntry + Oid{column}, column <= kNpGroupActionCommand);
  }
  add_tickle_columns(tree_);
  for (int b = 0; b < model_.board_count(); ++b) add_board_row(core::BoardId{b});
  for (int flat = 0; flat < model_.board_count() * core::kPortsPerBoard; ++flat) {
    add_port_row(core::PortId::from_flat(flat));
    add_tickle_row(tree_, model_, core::PortId::from_flat(flat));
  }
  for (std::size_t row = 0; row < groups_.size(); ++row) add_group_row(row);
  tree_.finish();
  built_for_ = model_.shape_generation();
}

ChainSettings& NetpowerMib::staged(const SetRequest& r) {
  if (!staged_pending_ || staged_request_ != r.request_id) {
    staged_ = model_.settings();
    staged_groups_.clear();
    staged_request_ = r.request_id;
    staged_pending_ = true;
  }
  return staged_;
}

int NetpowerMib::commit_staged() {
  if (!staged_pending_) return SNMP_ERR_NOERROR;  // applied by an earlier varbind of the request
  staged_pending_ = false;
  if (!(staged_ == model_.settings())) {
    spdlog::info("settings changed over SNMP (NETPOWER-MIB)");
    model_.update_settings(staged_);
  }
  for (auto& g : staged_groups_) {
    auto& row = groups_[g.row];
    row.target = g.target;
    if (!g.has_command) continue;
    row.command = g.command;
    auto action = static_cast<PowerAction>(g.command);
    const AccessUser* user = row.access;
    std::function<bool(core::PortId)> may_switch;
    if (user != nullptr) may_switch = [user](core::PortId id) { return user->may_switch(id); };
    spdlog::info("SNMP group action by '{}': {} on '{}'", row.user, to_string(action), row.target);
    auto result = model_.act_group(row.target, action, may_switch);
    if (!result) return SNMP_ERR_GENERR;  // the test phase made sure it names ports
    row.last = *result;
  }
  staged_groups_.clear();
  return SNMP_ERR_NOERROR;
}

void NetpowerMib::add_setting(Oid oid, std::function<std::optional<Value>()> get,
                              std::function<int(const SetRequest&)> check,
                              std::function<void(ChainSettings&, const SetRequest&)> stage,
                              std::function<int(const SetRequest&)> check_together) {
  tree_.add({std::move(oid), std::move(get),
             [this, check = std::move(check), stage = std::move(stage)](const SetRequest& r) {
               int error = check(r);
               if (error != SNMP_ERR_NOERROR) return error;
               stage(staged(r), r);
               return SNMP_ERR_NOERROR;
             },
             [this](const SetRequest&) { return commit_staged(); }, std::move(check_together)});
}

void NetpowerMib::add_chain_scalars() {
  const auto& c = kNpChainConfig;
  tree_.add_object(c + Oid{kNpChainLocation}, true);
  tree_.add_object(c + Oid{kNpFactoryReset}, true);
  tree_.add_object(c + Oid{kNpSettingsChanges}, false);
  tree_.add_object(c + Oid{kNpSettingsSaveError}, false);
  add_setting(
      c + Oid{kNpChainLocation, 0}, [this]() { return Value::string(model_.settings().location); },
      [](const SetRequest& r) { return check_string(r, 0, kLocationMax); },
      [](ChainSettings& s, const SetRequest& r) { s.location = string_of(r); });
  add_setting(
      c + Oid{kNpFactoryReset, 0}, []() { return Value::integer32(1); },
      [](const SetRequest& r) { return check_integer(r, 1, 2); },
      [this](ChainSettings& s, const SetRequest& r) {
        if (integer_of(r) != 2) return;
        spdlog::warn(
            "factory reset requested over SNMP: every setting returns to the configuration "
            "file's");
        s = factory_;
      });
  tree_.add({c + Oid{kNpSettingsChanges, 0},
             [this]() { return Value::counter32(store_ != nullptr ? store_->saves() : 0); },
             {},
             {}});
  tree_.add({c + Oid{kNpSettingsSaveError, 0},
             [this]() {
               auto text = store_ != nullptr ? store_->last_error() : std::string();
               if (text.size() > kSaveErrorMax) text.resize(kSaveErrorMax);
               return Value::string(text);
             },
             {},
             {}});
}

void NetpowerMib::add_board_row(core::BoardId board) {
  auto index = board_index(board);
  auto at = [&](oid column) { return kNpBoardEntry + Oid{column} + index; };
  auto cfg = [this, board]() -> const BoardSettings& { return model_.settings().board(board); };
  add_setting(
      at(kNpBoardPageName), [cfg]() { return Value::string(cfg().page_name); },
      [](const SetRequest& r) { return check_string(r, 0, kPageNameMax); },
      [board](ChainSettings& s, const SetRequest& r) { s.board(board).page_name = string_of(r); });
  auto limits_together = [this, board](const SetRequest&) {
    const auto& b = staged_.board(board);
    if (b.temp_low >= b.temp_high || b.input_load_low >= b.input_load_high) {
      spdlog::warn(
          "board .{}: a low limit must stay below its high limit (temperature {}..{}, input "
          "load {}..{})",
          board.str(), b.temp_low, b.temp_high, b.input_load_low, b.input_load_high);
      return SNMP_ERR_INCONSISTENTVALUE;
    }
    return SNMP_ERR_NOERROR;
  };
  struct Limit {
    oid column;
    int BoardSettings::*field;
    long min;
    long max;
  };
  for (const auto& limit : {Limit{kNpBoardTempHigh, &BoardSettings::temp_high, kTemperatureLimitMin,
                                  kTemperatureLimitMax},
                            Limit{kNpBoardTempLow, &BoardSettings::temp_low, kTemperatureLimitMin,
                                  kTemperatureLimitMax},
                            Limit{kNpBoardInputLoadHigh, &BoardSettings::input_load_high,
                                  kInputLoadLimitMin, kInputLoadLimitMax},
                            Limit{kNpBoardInputLoadLow, &BoardSettings::input_load_low,
                                  kInputLoadLimitMin, kInputLoadLimitMax}}) {
    auto field = limit.field;
    add_setting(
        at(limit.column), [cfg, field]() { return Value::integer32(cfg().*field); },
        [limit](const SetRequest& r) { return check_integer(r, limit.min, limit.max); },
        [board, field](ChainSettings& s, const SetRequest& r) {
          s.board(board).*field = static_cast<int>(integer_of(r));
        },
        limits_together);
  }
  for (auto [column, field] : {std::pair{kNpBoardTrapStart, &BoardSettings::trap_start},
                               std::pair{kNpBoardTrapTemp, &BoardSettings::trap_temp},
                               std::pair{kNpBoardTrapInputLoad, &BoardSettings::trap_input_load}}) {
    auto f = field;
    add_setting(
        at(column), [cfg, f]() { return truth(cfg().*f); }, check_truth,
        [board, f](ChainSettings& s, const SetRequest& r) { s.board(board).*f = truth_of(r); });
  }
}

void NetpowerMib::add_port_row(core::PortId port) {
  auto index = port_index(port);
  auto at = [&](oid column) { return kNpPortEntry + Oid{column} + index; };
  auto cfg = [this, port]() -> const PortSettings& { return model_.settings().port(port); };
  add_setting(
      at(kNpPortName), [cfg]() { return Value::string(cfg().name); },
      [](const SetRequest& r) { return check_string(r, 0, kDeviceNameMax); },
      [port](ChainSettings& s, const SetRequest& r) { s.port(port).name = string_of(r); });
  add_setting(
      at(kNpPortGroup), [cfg]() { return Value::string(cfg().group); },
      [](const SetRequest& r) {
        int e = check_string(r, 0, kGroupNameMax);
        if (e != SNMP_ERR_NOERROR) return e;
        auto g = string_of(r);
        return g == "ALL" || g == "all" ? SNMP_ERR_WRONGVALUE : SNMP_ERR_NOERROR;
      },
      [port](ChainSettings& s, const SetRequest& r) { s.port(port).group = string_of(r); });
  struct Timing {
    oid column;
    core::Duration PortSettings::*field;
    long max;
  };
  for (const auto& t :
       {Timing{kNpPortMinOnTime, &PortSettings::min_on, kMaxHoldSeconds},
        Timing{kNpPortMinOffTime, &PortSettings::min_off, kMaxHoldSeconds},
        Timing{kNpPortShutdownDelay, &PortSettings::shutdown_delay, kMaxShutdownSeconds}}) {
    auto field = t.field;
    add_setting(
        at(t.column), [cfg, field]() { return Value::integer32(seconds_of(cfg().*field)); },
        [max = t.max](const SetRequest& r) { return check_integer(r, 0, max); },
        [port, field](ChainSettings& s, const SetRequest& r) {
          s.port(port).*field = std::chrono::seconds(integer_of(r));
        });
  }
  add_setting(
      at(kNpPortWakeUpState),
      [cfg]() { return Value::integer32(cfg().wake_up == WakeUpState::kOn ? 1 : 2); },
      [](const SetRequest& r) { return check_integer(r, 1, 2); },
      [port](ChainSettings& s, const SetRequest& r) {
        s.port(port).wake_up = integer_of(r) == 1 ? WakeUpState::kOn : WakeUpState::kOff;
      });
  add_setting(
      at(kNpPortLocked), [cfg]() { return truth(cfg().locked); }, check_truth,
      [port](ChainSettings& s, const SetRequest& r) { s.port(port).locked = truth_of(r); });
  auto limits_together = [this, port](const SetRequest&) {
    const auto& p = staged_.port(port);
    if (p.load_low >= p.load_high) {
      spdlog::warn("port .{}: the load low limit ({} A) must stay below the high limit ({} A)",
                   port.str(), p.load_low, p.load_high);
      return SNMP_ERR_INCONSISTENTVALUE;
    }
    return SNMP_ERR_NOERROR;
  };
  for (auto [column, field] : {std::pair{kNpPortLoadHigh, &PortSettings::load_high},
                               std::pair{kNpPortLoadLow, &PortSettings::load_low}}) {
    auto f = field;
    add_setting(
        at(column), [cfg, f]() { return Value::integer32(cfg().*f); },
        [](const SetRequest& r) { return check_integer(r, kLoadLimitMin, kLoadLimitMax); },
        [port, f](ChainSettings& s, const SetRequest& r) {
          s.port(port).*f = static_cast<int>(integer_of(r));
        },
        limits_together);
  }
  for (auto [column, field] : {std::pair{kNpPortTrapControl, &PortSettings::trap_control},
                               std::pair{kNpPortTrapModule, &PortSettings::trap_module},
                               std::pair{kNpPortTrapLoad, &PortSettings::trap_load}}) {
    auto f = field;
    add_setting(
        at(column), [cfg, f]() { return truth(cfg().*f); }, check_truth,
        [port, f](ChainSettings& s, const SetRequest& r) { s.port(port).*f = truth_of(r); });
  }
}

void NetpowerMib::add_group_row(std::size_t row) {
  auto index = user_index(groups_[row].user);
  auto at = [&](oid column) { return kNpGroupActionEntry + Oid{column} + index; };
  auto stage_for = [this, row](const SetRequest& r) -> StagedGroup& {
    staged(r);
    for (auto& g : staged_groups_) {
      if (g.row == row) return g;
    }
    staged_groups_.push_back({row, groups_[row].target, 4, false});
    return staged_groups_.back();
  };
  tree_.add({at(kNpGroupActionTarget), [this, row]() { return Value::string(groups_[row].target); },
             [stage_for](const SetRequest& r) {
               int error = check_string(r, 1, kTargetMax);
               if (error != SNMP_ERR_NOERROR) return error;
               stage_for(r).target = string_of(r);
               return SNMP_ERR_NOERROR;
             },
             [this](const SetRequest&) { return commit_staged(); }});
  tree_.add({at(kNpGroupActionCommand),
             [this, row]() { return Value::integer32(groups_[row].command); },
             [stage_for](const SetRequest& r) {
               int error = check_integer(r, 1, 4);
               if (error != SNMP_ERR_NOERROR) return error;
               auto& g = stage_for(r);
               g.command = integer_of(r);
               g.has_command = true;
               return SNMP_ERR_NOERROR;
             },
             [this](const SetRequest&) { return commit_staged(); },
             [this, row](const SetRequest&) {
               for (const auto& g : staged_groups_) {
                 if (g.row != row || !g.has_command) continue;
                 if (model_.resolve_target(g.target).empty()) {
                   spdlog::warn("SNMP group action by '{}': '{}' names no port of the chain",
                                groups_[row].user, g.target);
                   return SNMP_ERR_INCONSISTENTVALUE;
                 }
               }
               return SNMP_ERR_NOERROR;
             }});
  auto gauge = [this, row](int GroupResult::*field) {
    return [this, row, field]() {
      return Value::gauge32(static_cast<unsigned long>(groups_[row].last.*field));
    };
  };
  tree_.add({at(kNpGroupActionActed), gauge(&GroupResult::acted), {}, {}});
  tree_.add({at(kNpGroupActionLocked), gauge(&GroupResult::locked), {}, {}});
  tree_.add({at(kNpGroupActionNotPermitted), gauge(&GroupResult::not_permitted), {}, {}});
  tree_.add({at(kNpGroupActionFailed), gauge(&GroupResult::failed), {}, {}});
  tree_.add({at(kNpGroupActionResult),
             [this, row]() { return Value::string(groups_[row].last.text); },
             {},
             {}});
}

}  // namespace netpower::agent::snmp
