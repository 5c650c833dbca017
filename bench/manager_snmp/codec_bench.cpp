// The poller's codec against net-snmp's on the same messages (docs/poller.md): decoding a GETBULK
// response of Sentry2 port rows (ours: decode_v2c; net-snmp: snmp_comstr_parse + snmp_pdu_parse,
// what snmp_parse does for v2c), encoding a GETBULK request (ours: encode_v2c; net-snmp:
// snmp_pdu_create + snmp_add_null_var + snmp_build), and the SNMPv3 authPriv (SHA + AES) cost of
// our USM on a message of the same size. Items = varbinds.

#include <benchmark/benchmark.h>

// clang-format off
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
// clang-format on

#include <cstdlib>

#include "manager/snmp/message.h"
#include "manager/snmp/usm.h"
#include "tests/unit/manager/snmp/netsnmp_packets.h"

namespace {

using namespace netpower::manager;
using namespace netpower::manager::snmp;

std::vector<std::uint8_t> response(int rows) {
  return testing::netsnmp_v2c("np-ro-community", SNMP_MSG_RESPONSE, 0x1234567, 0, 0,
                              testing::sentry2_port_rows(rows));
}

void BM_DecodeOurs(benchmark::State& state) {
  const auto packet = response(static_cast<int>(state.range(0)));
  std::size_t varbinds = 0;
  for (auto _ : state) {
    V2cMessage m;
    std::string error;
    if (!decode_v2c(packet, m, error)) std::abort();
    varbinds += m.pdu.varbinds.size();
    benchmark::DoNotOptimize(m);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(varbinds));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * packet.size()));
}

void BM_DecodeNetSnmp(benchmark::State& state) {
  const auto packet = response(static_cast<int>(state.range(0)));
  std::size_t varbinds = 0;
  for (auto _ : state) {
    const int n = testing::netsnmp_parse_v2c(packet);
    if (n < 0) std::abort();
    varbinds += static_cast<std::size_t>(n);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(varbinds));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * packet.size()));
}

const Oid kRoot = {1, 3, 6, 1, 4, 1, 1718, 2, 1, 4, 1, 6, 65, 49};

void BM_EncodeOurs(benchmark::State& state) {
  std::int32_t id = 1;
  for (auto _ : state) {
    PduRequest pdu;
    pdu.request_id = ++id;
    pdu.max_repetitions = 25;
    pdu.oids = std::span<const Oid>(&kRoot, 1);
    auto bytes = encode_v2c("np-ro-community", pdu);
    benchmark::DoNotOptimize(bytes);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_EncodeNetSnmp(benchmark::State& state) {
  testing::init_netsnmp();
  netsnmp_session session;
  snmp_sess_init(&session);
  session.version = SNMP_VERSION_2c;
  static char community[] = "np-ro-community";
  session.community = reinterpret_cast<u_char*>(community);
  session.community_len = sizeof community - 1;
  oid name[] = {1, 3, 6, 1, 4, 1, 1718, 2, 1, 4, 1, 6, 65, 49};
  long id = 1;
  size_t size = 2048;
  auto* buffer = static_cast<u_char*>(std::malloc(size));
  for (auto _ : state) {
    netsnmp_pdu* pdu = snmp_pdu_create(SNMP_MSG_GETBULK);
    pdu->version = SNMP_VERSION_2c;
    pdu->reqid = ++id;
    pdu->non_repeaters = 0;
    pdu->max_repetitions = 25;
    snmp_add_null_var(pdu, name, sizeof name / sizeof name[0]);
    size_t offset = 0;
    if (snmp_build(&buffer, &size, &offset, &session, pdu) != 0) std::abort();
    snmp_free_pdu(pdu);
    benchmark::DoNotOptimize(buffer);
  }
  std::free(buffer);
  state.SetItemsProcessed(state.iterations());
}

// authPriv SHA + AES on a message of range(0) * 4 varbinds: encode (encrypt + HMAC), then parse,
// verify, decrypt and decode it again: the USM cost per response of that size.
void BM_UsmRoundOurs(benchmark::State& state) {
  const std::vector<std::uint8_t> engine = {0x80, 0, 0x1f, 0x88, 4, 'n', 'p'};
  UsmKeys keys;
  keys.user = "np-admin";
  keys.auth_key = localize_key(keys.auth_protocol,
                               password_to_key(keys.auth_protocol, "np-auth-secret"), engine);
  keys.priv_key =
      privacy_key(keys.auth_protocol, keys.priv_protocol,
                  localize_key(keys.auth_protocol,
                               password_to_key(keys.auth_protocol, "np-priv-secret"), engine));
  std::vector<Oid> oids(static_cast<std::size_t>(state.range(0)) * 4, kRoot);
  std::size_t varbinds = 0;
  std::uint64_t salt = 1;
  for (auto _ : state) {
    PduRequest pdu;
    pdu.request_id = 5;
    pdu.oids = oids;
    V3Request h;
    h.msg_id = 5;
    h.engine_id = engine;
    h.engine_boots = 1;
    h.engine_time = 100;
    h.salt = ++salt;
    auto packet = encode_v3(keys, h, pdu);
    V3Message m;
    std::string error;
    Bytes plain;
    Pdu decoded;
    if (!decode_v3(packet, m, error) || !verify_digest(keys, packet, m) ||
        !decrypt(keys, m, plain) || !decode_scoped_pdu(plain, decoded, error)) {
      std::abort();
    }
    varbinds += decoded.varbinds.size();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(varbinds));
}

BENCHMARK(BM_DecodeOurs)->Arg(6)->Arg(25)->Arg(104);
BENCHMARK(BM_DecodeNetSnmp)->Arg(6)->Arg(25)->Arg(104);
BENCHMARK(BM_EncodeOurs);
BENCHMARK(BM_EncodeNetSnmp);
BENCHMARK(BM_UsmRoundOurs)->Arg(6)->Arg(25);

}  // namespace

BENCHMARK_MAIN();
