#include "agent/snmp/mib_tree.h"

#include <algorithm>

namespace netpower::agent::snmp {

namespace {
int compare(const oid* a, std::size_t alen, const oid* b, std::size_t blen) {
  return snmp_oid_compare(a, alen, b, blen);
}
}  // namespace

Oid operator+(Oid prefix, const Oid& suffix) {
  prefix.insert(prefix.end(), suffix.begin(), suffix.end());
  return prefix;
}

std::string to_string(const Oid& o) {
  std::string out;
  for (auto part : o) out += "." + std::to_string(part);
  return out;
}

void MibTree::add_object(Oid object, bool writable) {
  objects_.push_back({std::move(object), writable});
}

void MibTree::add(Instance instance) { instances_.push_back(std::move(instance)); }

void MibTree::finish() {
  std::sort(instances_.begin(), instances_.end(), [](const Instance& a, const Instance& b) {
    return compare(a.oid.data(), a.oid.size(), b.oid.data(), b.oid.size()) < 0;
  });
}

void MibTree::clear() {
  instances_.clear();
  objects_.clear();
}

const Instance* MibTree::exact(const oid* name, std::size_t len) const {
  auto it = std::lower_bound(instances_.begin(), instances_.end(), 0, [&](const Instance& i, int) {
    return compare(i.oid.data(), i.oid.size(), name, len) < 0;
  });
  if (it != instances_.end() && compare(it->oid.data(), it->oid.size(), name, len) == 0)
    return &*it;
  return nullptr;
}

const Instance* MibTree::next(const oid* name, std::size_t len) const {
  auto it = std::upper_bound(instances_.begin(), instances_.end(), 0, [&](int, const Instance& i) {
    return compare(name, len, i.oid.data(), i.oid.size()) < 0;
  });
  return it == instances_.end() ? nullptr : &*it;
}

std::pair<bool, bool> MibTree::object_of(const oid* name, std::size_t len) const {
  for (const auto& object : objects_) {
    if (len > object.oid.size() &&
        compare(object.oid.data(), object.oid.size(), name, object.oid.size()) == 0) {
      return {true, object.writable};
    }
  }
  return {false, false};
}

}  // namespace netpower::agent::snmp
