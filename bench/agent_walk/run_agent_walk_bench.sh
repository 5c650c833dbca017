#!/usr/bin/env bash
# The agent walk benchmark (DESIGN "Goals"): a full walk of a 26-board chain (Sentry2-MIB) and the
# UPS-MIB through snmpd's AgentX, served by netpower-agent, against a minimal net-snmp subagent
# (peer_subagent.c) serving the same rows, each behind its own snmpd, measured alternately in the
# same run. Prints the median walk times and their ratio; docs/performance.md has the results.
#
#   run_agent_walk_bench.sh AGENT_BIN PEER_BIN [ROUNDS]
set -euo pipefail
agent_bin="$1" peer_bin="$2" rounds="${3:-30}"
dir="$(mktemp -d /tmp/np-walk-bench.XXXXXX)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
  wait 2> /dev/null || true
  [ -n "${KEEP:-}" ] || rm -rf "$dir"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
start_snmpd() {  # start_snmpd NAME PORT
  mkdir -p "$dir/$1"
  cat > "$dir/$1/snmpd.conf" << CONF
agentaddress udp:127.0.0.1:$2
master agentx
agentXSocket $dir/$1/agentx.sock
rocommunity np-bench 127.0.0.1
CONF
  SNMP_PERSISTENT_DIR="$dir/$1" MIBS="" /usr/sbin/snmpd -f -C -c "$dir/$1/snmpd.conf" -Lf "$dir/$1/snmpd.log" \
    -I -smux,mteTrigger,mteTriggerConf &
  pids+=($!)
  for _ in $(seq 100); do [ -S "$dir/$1/agentx.sock" ] && return 0; sleep 0.05; done
  echo "snmpd $1 did not start"; cat "$dir/$1/snmpd.log"; exit 1
}
walk() {  # walk PORT: one full walk of both roots, prints the number of varbinds
  local n=0
  for root in .1.3.6.1.4.1.1718.2 .1.3.6.1.2.1.33; do
    n=$((n + $(snmpbulkwalk -v2c -c np-bench -Cr25 -On -Oe -t 5 "udp:127.0.0.1:$1" "$root" | wc -l)))
  done
  echo "$n"
}

agent_port=$(free_port) peer_port=$(free_port)
start_snmpd agent "$agent_port"
cat > "$dir/agent.yaml" << CONF
settings_file: $dir/agent-settings.yaml
log: { level: warn }
pdu:
  driver: sim
  poll_interval: 1s
  settings: { boards: 26 }
ups:
  driver: sim
  poll_interval: 2s
CONF
"$agent_bin" --config "$dir/agent.yaml" --agentx-socket "$dir/agent/agentx.sock" 2> "$dir/agent.log" &
pids+=($!)
for _ in $(seq 100); do
  [ "$(walk "$agent_port")" -gt 900 ] && break
  sleep 0.1
done
for root in .1.3.6.1.4.1.1718.2 .1.3.6.1.2.1.33; do
  snmpbulkwalk -v2c -c np-bench -Cr25 -On -Oe "udp:127.0.0.1:$agent_port" "$root"
done > "$dir/walk.txt"
start_snmpd peer "$peer_port"
"$peer_bin" "$dir/peer/agentx.sock" "$dir/walk.txt" .1.3.6.1.4.1.1718.2 .1.3.6.1.2.1.33 \
  2> "$dir/peer.log" &
pids+=($!)
expected=$(wc -l < "$dir/walk.txt")
for _ in $(seq 100); do [ "$(walk "$peer_port")" -ge "$expected" ] && break; sleep 0.1; done

a=() p=()
for ((i = 0; i < rounds; i++)); do
  t0=$(date +%s%N); na=$(walk "$agent_port"); t1=$(date +%s%N); np=$(walk "$peer_port"); t2=$(date +%s%N)
  a+=($(((t1 - t0) / 1000))) p+=($(((t2 - t1) / 1000)))
done
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
ma=$(median "${a[@]}") mp=$(median "${p[@]}")
echo "agent walk benchmark: $rounds rounds, 26 boards + UPS-MIB, $na varbinds (agent), $np (peer)"
echo "netpower-agent  median walk ${ma} us"
echo "peer subagent   median walk ${mp} us"
awk -v a="$ma" -v p="$mp" 'BEGIN { printf "ratio agent/peer %.2f (goal <= 1.10)\n", a / p }'
[ "$na" = "$np" ] || { echo "the peer serves $np varbinds, the agent $na"; exit 1; }
