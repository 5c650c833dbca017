#!/usr/bin/env bash
# The demo stack: installs dependencies, builds, and runs a real snmpd master on 127.0.0.1 (port 10161 by
# default, DEMO_PORT overrides) with a private AgentX socket, and netpower-agent serving a simulated chain of
# four boards (Sentry2-MIB) and a simulated UPS (UPS-MIB, RFC 1628); its traps go to a snmptrapd on
# DEMO_PORT+1 that logs them and to netpower-manager on DEMO_PORT+2, which polls the agent, keeps history
# in SQLite and serves /metrics and the JSON API on 127.0.0.1:9641 (DEMO_HTTP_PORT overrides). Prints
# commands to try; Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

if [ "${DEMO_SKIP_SETUP:-0}" != "1" ]; then
  scripts/install-deps.sh
  scripts/build.sh --target netpower-agent netpower-simctl netpower-manager netpowerctl
fi

port="${DEMO_PORT:-10161}"
run_dir="$(mktemp -d /tmp/netpower-demo.XXXXXX)"
agentx="$run_dir/agentx.sock"
sim_socket="$run_dir/sim.sock"
ups_socket="$run_dir/ups.sock"
admin_user="${DEMO_ADMIN_USER:-netpower-admin}" admin_auth="${DEMO_ADMIN_AUTH:-demo-admin-auth-key}"
admin_priv="${DEMO_ADMIN_PRIV:-demo-admin-priv-key}"
viewer_user="${DEMO_VIEWER_USER:-netpower-viewer}" viewer_auth="${DEMO_VIEWER_AUTH:-demo-viewer-auth-key}"
viewer_priv="${DEMO_VIEWER_PRIV:-demo-viewer-priv-key}"
read_community="${DEMO_READ_COMMUNITY:-np-demo-read}" write_community="${DEMO_WRITE_COMMUNITY:-np-demo-write}"
error_community="${DEMO_ERROR_COMMUNITY:-np-demo-error}"
trap_community="${DEMO_TRAP_COMMUNITY:-np-demo-trap}"

DEMO_TRAP_PORT=$((port + 1)) DEMO_TRAP_COMMUNITY="$trap_community" \
  deploy/demo/render-snmpd-conf.sh "$port" "$agentx" > "$run_dir/snmpd.conf"
sed -e "s|@SIM_SOCKET@|$sim_socket|" -e "s|@UPS_SOCKET@|$ups_socket|" \
  -e "s|@SETTINGS_FILE@|$run_dir/agent-settings.yaml|" deploy/demo/agent.yaml > "$run_dir/agent.yaml"
mkdir -p "$run_dir/persist"
manager_trap_port=$((port + 2))
http_port="${DEMO_HTTP_PORT:-9641}"
sed -e "s|@PORT@|$port|" -e "s|@VIEWER_USER@|$viewer_user|" -e "s|@RUN_DIR@|$run_dir|g" \
  -e "s|@MANAGER_TRAP_PORT@|$manager_trap_port|" -e "s|@HTTP_PORT@|$http_port|" \
  deploy/demo/manager.yaml.in > "$run_dir/manager.yaml"

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "demo stopped; logs were in $run_dir"
}
trap cleanup EXIT INT TERM

SNMP_PERSISTENT_DIR="$run_dir/persist" MIBS="" /usr/sbin/snmpd -f -C -c "$run_dir/snmpd.conf" \
  -Lf "$run_dir/snmpd.log" &
pids+=($!)
for _ in $(seq 50); do [ -S "$agentx" ] && break; sleep 0.1; done
trap_port=$((port + 1))
printf 'authCommunity log %s\n' "$trap_community" > "$run_dir/snmptrapd.conf"
MIBS="" snmptrapd -f -C -c "$run_dir/snmptrapd.conf" -On -Lf "$run_dir/traps.log" \
  "udp:127.0.0.1:$trap_port" &
pids+=($!)
[ -S "$agentx" ] || { echo "snmpd did not start; see $run_dir/snmpd.log"; cat "$run_dir/snmpd.log"; exit 1; }

build/agent/netpower-agent --config "$run_dir/agent.yaml" --agentx-socket "$agentx" \
  2> >(tee "$run_dir/agent.log" >&2) &
pids+=($!)

# The manager: polls the agent as the read-only viewer, receives its traps, keeps history in SQLite.
NETPOWER_DEMO_VIEWER_AUTH="$viewer_auth" NETPOWER_DEMO_VIEWER_PRIV="$viewer_priv" \
  NETPOWER_DEMO_TRAP_COMMUNITY="$trap_community" \
  build/manager/netpower-manager --config "$run_dir/manager.yaml" \
  2> >(tee "$run_dir/manager.log" >&2) &
pids+=($!)

mibs="-M $root/mibs:$root/third_party/mibs -m Sentry2-MIB:NETPOWER-MIB"
v3="-v3 -l authPriv -u $admin_user -a SHA -A $admin_auth -x AES -X $admin_priv"
target="udp:127.0.0.1:$port"
sleep 1
cat <<INFO

netpower demo is running (logs in $run_dir).
  snmpd master      udp:127.0.0.1:$port, AgentX socket $agentx
  SNMPv3 admin      $admin_user  auth SHA "$admin_auth"  priv AES "$admin_priv"
  SNMPv3 viewer     $viewer_user auth SHA "$viewer_auth" priv AES "$viewer_priv" (read-only)
  v2c communities   read "$read_community", write "$write_community" (power actions and NETPOWER-MIB
                    configuration only), errors "$error_community", traps "$trap_community";
                    there is no "public"

Try, in another terminal (port B1 is written .\'B1\': a fixed-size index, .66.49 on the wire):
  snmpwalk     $mibs $v3 $target sentry2RemotePowerManager
  snmpbulkwalk $mibs -v2c -c $read_community $target sentry2PortTable
  snmpget      $mibs $v3 $target sentry2PortControlStatus.\'B1\' sentry2PortDeviceLoad.\'B1\'
  snmpset      $mibs $v3 $target sentry2PortPowerAction.\'B1\' i reboot
  watch -n1 snmpget $mibs $v3 $target sentry2PortControlStatus.\'B1\'   # Shutdown 30 s (its delay), Reboot 15 s, On
  snmpset      $mibs $v3 $target netpowerGroupActionTarget.\"admin\" s web netpowerGroupActionCommand.\"admin\" i powerOff
  snmpget      $mibs $v3 $target netpowerGroupActionResult.\"admin\"    # "2 port(s) turned off, 0 port(s) locked"
  snmpset      $mibs $v3 $target sentry2PortPowerAction.\'A1\' i powerOff   # inconsistentValue: A1 is locked
  snmpset      $mibs $v3 $target netpowerPortLoadHigh.\'B1\' i 2            # kept in $run_dir/agent-settings.yaml
  snmpset      $mibs -v2c -c $write_community $target sentry2PortPowerAction.\'D4\' i powerOn
  snmpwalk     $mibs -v2c -c $error_community $target sentry2ErrorGroup
The simulated hardware (faults, loads, temperatures; docs/simulator.md):
  build/collectors/sim/netpower-simctl $sim_socket state
  build/collectors/sim/netpower-simctl $sim_socket fault B2 no-response
  build/collectors/sim/netpower-simctl $sim_socket load B1 7.5
The UPS (UPS-MIB, mib-2.33; traps are logged to $run_dir/traps.log):
  snmpwalk     $v3 -On $target .1.3.6.1.2.1.33
  build/collectors/sim/netpower-simctl $ups_socket mains off      # upsTrapOnBattery every minute
  snmpset      $v3 $target .1.3.6.1.2.1.33.1.7.2.0 i 1 .1.3.6.1.2.1.33.1.7.1.0 o .1.3.6.1.2.1.33.1.7.7.4
  snmpset      $v3 $target .1.3.6.1.2.1.33.1.8.2.0 i 120       # upsShutdownAfterDelay
  tail -f $run_dir/traps.log

The manager (polls every 10 s, receives the agent's traps; docs/manager.md):
  metrics           http://127.0.0.1:$http_port/metrics
  API               http://127.0.0.1:$http_port/api/v1/status
  history (SQLite)  $run_dir/manager.db
  build/manager/ctl/netpowerctl status --manager http://127.0.0.1:$http_port --agent demo-rack1
  sqlite3 $run_dir/manager.db "select time, kind, text from events order by time desc limit 10"

Ctrl-C stops the demo.
INFO
wait "${pids[@]}"
