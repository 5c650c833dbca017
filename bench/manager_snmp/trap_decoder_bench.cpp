// Decoding one SNMPv1/v2c notification: our BER decoder (manager/traps/detail/trap_decoder.h)
// against net-snmp's parser (snmp_comstr_parse + snmp_pdu_parse, what snmp_parse does for v1/v2c)
// on the same captured datagrams (fuzz/corpus/manager_traps). Also ours plus building the stored
// Event (JSON varbinds, summary), the whole per-trap cost of the decoder threads.

#include <benchmark/benchmark.h>

// clang-format off
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/library/snmp_impl.h>
// clang-format on

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "manager/traps/decoded_trap.h"
#include "manager/traps/detail/trap_decoder.h"

namespace {

using namespace netpower::manager::traps;

const char* const kPackets[] = {"v1_sentry2_control_change.bin", "v2c_sentry2_control_change.bin",
                                "v2c_all_types.bin", "v2c_inform.bin"};

std::vector<std::uint8_t> corpus(const char* name) {
  std::ifstream in(std::filesystem::path(NETPOWER_TRAPS_CORPUS_DIR) / name, std::ios::binary);
  if (!in) std::abort();
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void BM_Ours(benchmark::State& state) {
  const auto packet = corpus(kPackets[state.range(0)]);
  state.SetLabel(kPackets[state.range(0)]);
  for (auto _ : state) {
    auto m = detail::decode_v1v2c(packet);
    if (m.status != detail::V1V2cMessage::Status::kOk) std::abort();
    benchmark::DoNotOptimize(m);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_OursWithEvent(benchmark::State& state) {
  const auto packet = corpus(kPackets[state.range(0)]);
  state.SetLabel(kPackets[state.range(0)]);
  for (auto _ : state) {
    auto m = detail::decode_v1v2c(packet);
    m.trap.agent = m.trap.source_address = "10.1.12.5";
    auto event = to_event(m.trap);
    benchmark::DoNotOptimize(event);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_NetSnmp(benchmark::State& state) {
  static const bool initialised = [] {
    ::setenv("MIBS", "", 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
    init_snmp("netpower-traps-bench");
    return true;
  }();
  benchmark::DoNotOptimize(initialised);
  auto packet = corpus(kPackets[state.range(0)]);
  state.SetLabel(kPackets[state.range(0)]);
  for (auto _ : state) {
    u_char community[256];
    size_t community_len = sizeof community;
    long version = 0;
    size_t length = packet.size();
    u_char* data = snmp_comstr_parse(packet.data(), &length, community, &community_len, &version);
    if (data == nullptr) std::abort();
    netsnmp_pdu* pdu = snmp_pdu_create(0);
    pdu->version = version;
    if (snmp_pdu_parse(pdu, data, &length) != 0) std::abort();
    benchmark::DoNotOptimize(pdu);
    snmp_free_pdu(pdu);
  }
  state.SetItemsProcessed(state.iterations());
}

// net-snmp's parse plus the conversion to our DecodedTrap (numeric OID text, typed values): the
// same output as BM_Ours.
void BM_NetSnmpToDecoded(benchmark::State& state) {
  auto packet = corpus(kPackets[state.range(0)]);
  state.SetLabel(kPackets[state.range(0)]);
  auto oid_text = [](const oid* arcs, std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) {
      if (i > 0) out.push_back('.');
      out += std::to_string(arcs[i]);
    }
    return out;
  };
  for (auto _ : state) {
    u_char community[256];
    size_t community_len = sizeof community;
    long version = 0;
    size_t length = packet.size();
    u_char* data = snmp_comstr_parse(packet.data(), &length, community, &community_len, &version);
    if (data == nullptr) std::abort();
    netsnmp_pdu* pdu = snmp_pdu_create(0);
    pdu->version = version;
    if (snmp_pdu_parse(pdu, data, &length) != 0) std::abort();
    DecodedTrap trap;
    for (auto* v = pdu->variables; v != nullptr; v = v->next_variable) {
      Varbind vb;
      vb.oid.assign(v->name, v->name + v->name_length);
      if (v->type == ASN_OCTET_STR) {
        vb.type = ValueType::kOctetString;
        vb.octets.assign(reinterpret_cast<const char*>(v->val.string), v->val_len);
      } else if (v->type == ASN_OBJECT_ID) {
        vb.type = ValueType::kOid;
        vb.octets = oid_text(v->val.objid, v->val_len / sizeof(oid));
      } else if (v->type == ASN_INTEGER) {
        vb.integer = *v->val.integer;
      } else if (v->val.integer != nullptr) {
        vb.number = static_cast<std::uint32_t>(*v->val.integer);
      }
      trap.varbinds.push_back(std::move(vb));
    }
    benchmark::DoNotOptimize(trap);
    snmp_free_pdu(pdu);
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_Ours)->DenseRange(0, 3);
BENCHMARK(BM_NetSnmpToDecoded)->DenseRange(0, 3);
BENCHMARK(BM_NetSnmp)->DenseRange(0, 3);
BENCHMARK(BM_OursWithEvent)->DenseRange(0, 3);

}  // namespace

BENCHMARK_MAIN();
