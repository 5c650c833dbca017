#!/usr/bin/env bash
# poll_bench with snmp_exporter's module generated first (installs prometheus-snmp-exporter with
# apt-get if it is missing). Extra arguments go to poll_bench (--agents, --interval, --intervals).
#   run_poll_bench.sh <poll_bench binary> <work dir> [poll_bench options]
set -euo pipefail
bench="$1" work="$2"; shift 2
here="$(cd "$(dirname "$0")" && pwd)"
if "$here/make_snmp_exporter_module.sh" "$work" > /dev/null; then
  exec "$bench" --exporter-config "$work/snmp.yml" "$@"
fi
echo "snmp_exporter's module could not be generated; measuring the poller alone" >&2
exec "$bench" --skip-exporter "$@"
