#pragma once
// The instances one MIB module serves, in lexicographic OID order, with their getters and setters.
// The net-snmp handler (subagent.cpp) answers GET, GETNEXT/GETBULK and SET from it; the module that
// fills it knows nothing of net-snmp's request modes.

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace netpower::agent::snmp {

using Oid = std::vector<oid>;

Oid operator+(Oid prefix, const Oid& suffix);
std::string to_string(const Oid& o);

struct Value {
  u_char type = ASN_NULL;  // ASN_INTEGER, ASN_OCTET_STR, ASN_GAUGE, ASN_COUNTER, ASN_TIMETICKS,
                           // ASN_OBJECT_ID
  long integer = 0;
  std::string octets;
  Oid object_id;

  static Value integer32(long v) { return {ASN_INTEGER, v, {}, {}}; }
  static Value string(std::string s) { return {ASN_OCTET_STR, 0, std::move(s), {}}; }
  static Value gauge32(unsigned long v) { return {ASN_GAUGE, static_cast<long>(v), {}, {}}; }
  static Value counter32(unsigned long v) { return {ASN_COUNTER, static_cast<long>(v), {}, {}}; }
  static Value timeticks(unsigned long v) { return {ASN_TIMETICKS, static_cast<long>(v), {}, {}}; }
  static Value oid(Oid o) { return {ASN_OBJECT_ID, 0, {}, std::move(o)}; }
};

// What a setter receives and answers. Errors are SNMP error-status values (SNMP_ERR_*).
struct SetRequest {
  const netsnmp_variable_list& varbind;
  long request_id;  // the AgentX packet id of the request (the manager's own request-id is not
                    // visible)
};

struct Instance {
  Oid oid;
  // nullopt answers noSuchInstance (e.g. a value the hardware cannot give right now).
  std::function<std::optional<Value>()> get;
  // Writable instances only. `check` runs in the test phase (wrongType, wrongValue, ...); `commit`
  // does the work and may fail with genErr.
  std::function<int(const SetRequest&)> check;
  std::function<int(const SetRequest&)> commit;
  // Optional: runs after `check` of every varbind of the request (RESERVE2), for rules that span
  // varbinds (upsTestId needs upsTestSpinLock in the same request). Answers inconsistentValue etc.
  std::function<int(const SetRequest&)> check_together{};
};

class MibTree {
 public:
  // An object type (a scalar's OID without .0, or a table column) so that a request for a missing
  // instance of a known object answers noSuchInstance / noCreation / notWritable correctly.
  void add_object(Oid object, bool writable);
  void add(Instance instance);
  // Sorts; call after the last add().
  void finish();
  void clear();

  const Instance* exact(const oid* name, std::size_t len) const;
  // The first instance whose OID is greater than `name`, or nullptr past the end.
  const Instance* next(const oid* name, std::size_t len) const;
  // The object type that `name` is an instance of, if any: {found, writable}.
  std::pair<bool, bool> object_of(const oid* name, std::size_t len) const;
  std::size_t size() const { return instances_.size(); }

 private:
  struct ObjectType {
    Oid oid;
    bool writable;
  };
  std::vector<Instance> instances_;
  std::vector<ObjectType> objects_;
};

}  // namespace netpower::agent::snmp
