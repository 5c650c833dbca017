#pragma once
// The NETPOWER-MIB (mibs/NETPOWER-MIB.txt): every setting of the patent's power manager writable
// over SNMP, the group-action table, the factory reset and the tickle table (tickle_mib.h), served
// from the chain model.
//
// A SET is applied as a whole: the test phase stages each varbind onto a copy of the settings and
// checks the copy (ranges, then rules that span varbinds such as low limit < high limit); the
// action phase hands the copy to ChainModel::update_settings() once, which applies it without a
// restart (and the agent's listener saves it).

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "agent/agent_config.h"
#include "agent/model/chain_model.h"
#include "agent/settings/settings_store.h"
#include "agent/snmp/mib_tree.h"

namespace netpower::agent::snmp {

class NetpowerMib {
 public:
  // `factory`: what a factory reset returns to (the configuration file's settings). `store`, if
  // any, tells how saving went. `access`: one group-action row per user (or a single row "admin"
  // when the list is empty).
  NetpowerMib(ChainModel& model, ChainSettings factory, const AccessSettings& access,
              const SettingsStore* store);

  const MibTree& tree();

 private:
  struct GroupRow {
    std::string user;
    const AccessUser* access = nullptr;  // nullptr: the implicit admin row
    std::string target;
    long command = 4;  // noop
    GroupResult last;
  };

  void rebuild();
  void add_chain_scalars();
  void add_board_row(core::BoardId board);
  void add_port_row(core::PortId port);
  void add_group_row(std::size_t row);
  // A writable instance whose test phase checks the value and stages it onto the settings.
  void add_setting(Oid oid, std::function<std::optional<Value>()> get,
                   std::function<int(const SetRequest&)> check,
                   std::function<void(ChainSettings&, const SetRequest&)> stage,
                   std::function<int(const SetRequest&)> check_together = {});

  // Stages a change of the settings for the request `r` (the first varbind of a request starts
  // from the model's current settings).
  ChainSettings& staged(const SetRequest& r);
  int commit_staged();

  ChainModel& model_;
  ChainSettings factory_;
  const SettingsStore* store_;
  std::vector<GroupRow> groups_;
  MibTree tree_;
  std::uint64_t built_for_ = std::numeric_limits<std::uint64_t>::max();

  ChainSettings staged_;
  long staged_request_ = -1;
  bool staged_pending_ = false;
  // Group actions staged in the test phase: row -> {target, command}.
  struct StagedGroup {
    std::size_t row;
    std::string target;
    long command;
    bool has_command;
  };
  std::vector<StagedGroup> staged_groups_;
};

}  // namespace netpower::agent::snmp
