#pragma once
// The one explicit list of collector drivers. A new driver is one folder and one line in
// registry.cpp (no static self-registration: static libraries drop unreferenced objects).

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "collectors/driver_context.h"
#include "collectors/pdu.h"
#include "collectors/ups.h"
#include "core/event_loop.h"
#include "core/yaml_reader.h"

namespace netpower::collectors {

// Creates the PDU driver `driver` from its `settings` node. Throws core::ConfigError for an unknown
// driver or bad settings.
PduCollectorPtr make_pdu_collector(const std::string& driver, const YAML::Node& settings,
                                   DriverContext context);
std::vector<std::string> pdu_driver_names();

// Creates the UPS driver `driver` ("megatec", "nut", "sim") from its `settings` node. Throws
// core::ConfigError for an unknown driver or bad settings.
UpsCollectorPtr make_ups_collector(const std::string& driver, const YAML::Node& settings,
                                   DriverContext context);
std::vector<std::string> ups_driver_names();

}  // namespace netpower::collectors
