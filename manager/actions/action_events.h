#pragma once
// The events the actions room publishes on the hub (kind "action"): an action that ended (or was
// refused at once), a binding that disagrees with the inventory, two machines claiming one host
// id. `varbinds_json` is a JSON object that says the same for machines (docs/actions.md
// "Events").

#include <string>

#include "manager/model/action.h"
#include "manager/model/event.h"

namespace netpower::manager::actions {

// "reboot of web1 (pdu1.A1) by alice: succeeded", "off of pdu1.B1 by bob: refused, no-host: ..."
model::Event action_event(const model::ActionRecord& action);
// "binding: pdu1.A1 is answered by web2 (id ...), the inventory says web1"
model::Event binding_event(const model::Binding& binding, const std::string& believed_host);
// "host-conflict: two machines claim the id ... of web1 (boot ids ...)"
model::Event conflict_event(const std::string& host, const std::string& host_id,
                            const std::string& boot_id, const std::string& address,
                            model::WallTime time);

}  // namespace netpower::manager::actions
