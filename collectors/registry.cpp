#include "collectors/registry.h"

#include "collectors/megatec/megatec_collector.h"
#include "collectors/nut/nut_collector.h"
#include "collectors/sim/sim_collector.h"
#include "collectors/sim/sim_ups_collector.h"

namespace netpower::collectors {

PduCollectorPtr make_pdu_collector(const std::string& driver, const YAML::Node& settings,
                                   DriverContext context) {
  if (driver == "sim")
    return sim::make_sim_collector(settings, context.file, context.loop, context.open);
  std::string known;
  for (const auto& name : pdu_driver_names()) known += (known.empty() ? "" : ", ") + name;
  // Only the settings node is at hand: its position is the nearest one to the driver key.
  context.file.fail(settings, "unknown PDU driver '" + driver + "' (known: " + known + ")");
}

std::vector<std::string> pdu_driver_names() { return {"sim"}; }

}  // namespace netpower::collectors

namespace netpower::collectors {

UpsCollectorPtr make_ups_collector(const std::string& driver, const YAML::Node& settings,
                                   DriverContext context) {
  if (driver == "megatec") return megatec::make_megatec_collector(settings, context);
  if (driver == "nut") return nut::make_nut_collector(settings, context);
  if (driver == "sim") return sim::make_sim_ups_collector(settings, context);
  std::string known;
  for (const auto& name : ups_driver_names()) known += (known.empty() ? "" : ", ") + name;
  context.file.fail(settings, "unknown UPS driver '" + driver + "' (known: " + known + ")");
}

std::vector<std::string> ups_driver_names() { return {"megatec", "nut", "sim"}; }

}  // namespace netpower::collectors
