#!/usr/bin/env bash
# The demo stack: installs dependencies, builds, and runs a real snmpd master on 127.0.0.1 (port 10161 by
# default, DEMO_PORT overrides) with a private AgentX socket, and netpower-agent serving a simulated chain of
# four boards (Sentry2-MIB) behind a simulated UPS (UPS-MIB, RFC 1628); its traps go to a snmptrapd on
# DEMO_PORT+1 that logs them and to netpower-manager on DEMO_PORT+2, which polls the agent, keeps history
# in SQLite and serves /metrics and the JSON API on 127.0.0.1:9641 (DEMO_HTTP_PORT overrides). Prints
# commands to try (each works when pasted); Ctrl-C stops everything in order and says how each ended.
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

mibs="-M $root/mibs:$root/third_party/mibs -m Sentry2-MIB:NETPOWER-MIB"

# Every process runs in its own session (setsid), so that Ctrl-C reaches only this script, which then
# stops the stack in order (the agent, the manager, snmptrapd, snmpd), lets each one finish, and says
# how each one ended. Logs go straight to files (a log pipe that dies first would kill its writer with
# SIGPIPE); one `tail -F` shows the agent's and the manager's on this terminal.
names=() pids=()
start_process() {  # start_process NAME LOG COMMAND...
  local name="$1" log="$2"
  shift 2
  setsid "$@" > /dev/null 2>> "$log" < /dev/null &
  names+=("$name") pids+=($!)
}
wait_listening() {  # wait_listening udp|tcp PORT NAME LOG
  for _ in $(seq 100); do
    if ss -ln --"$1" | grep -q "127.0.0.1:$2 "; then return 0; fi
    sleep 0.05
  done
  echo "$3 is not listening on $1 port $2; its log ($4):"
  cat "$4"
  exit 1
}
stopping=0
stop_stack() {
  [ "$stopping" = 1 ] && return
  stopping=1
  echo
  echo "stopping the demo:"
  local i pid rc
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    pid="${pids[$i]}"
    kill -TERM "$pid" 2> /dev/null || { echo "  ${names[$i]}: had already exited"; continue; }
    for _ in $(seq 100); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2> /dev/null; then
      kill -KILL "$pid" 2> /dev/null || true
      echo "  ${names[$i]}: did not stop within 10 s after SIGTERM; killed"
    fi
    rc=0
    wait "$pid" 2> /dev/null || rc=$?
    if [ "$rc" = 0 ]; then
      echo "  ${names[$i]}: stopped cleanly"
    elif [ "$rc" -gt 128 ]; then
      echo "  ${names[$i]}: ended by signal $((rc - 128)) (exit status $rc)"
    else
      echo "  ${names[$i]}: exited with status $rc (see its log)"
    fi
  done
  if [ -n "${tail_pid:-}" ]; then kill "$tail_pid" 2> /dev/null || true; fi
  echo "logs are in $run_dir"
}
trap stop_stack EXIT
trap 'exit 130' INT TERM

start_process snmpd "$run_dir/snmpd.log" env SNMP_PERSISTENT_DIR="$run_dir/persist" MIBS="" \
  /usr/sbin/snmpd -f -C -c "$run_dir/snmpd.conf" -Lf "$run_dir/snmpd.log"
for _ in $(seq 50); do [ -S "$agentx" ] && break; sleep 0.1; done
[ -S "$agentx" ] || { echo "snmpd did not start; see $run_dir/snmpd.log"; cat "$run_dir/snmpd.log"; exit 1; }

# snmptrapd loads our MIBs, so that the traps log shows names (sentry2ChainStart, ...). The UPS traps
# stay numeric (.1.3.6.1.2.1.33.2.N): RFC 1628's UPS-MIB file is not among the MIBs we ship.
trap_port=$((port + 1))
printf 'authCommunity log %s\n' "$trap_community" > "$run_dir/snmptrapd.conf"
start_process snmptrapd "$run_dir/snmptrapd.stderr" env MIBS="" snmptrapd -f -C \
  -c "$run_dir/snmptrapd.conf" $mibs:SNMPv2-MIB -Lf "$run_dir/traps.log" "udp:127.0.0.1:$trap_port"

# The manager: polls the agent as the read-only viewer, receives its traps, keeps history in SQLite.
start_process netpower-manager "$run_dir/manager.log" env NETPOWER_DEMO_VIEWER_AUTH="$viewer_auth" \
  NETPOWER_DEMO_VIEWER_PRIV="$viewer_priv" NETPOWER_DEMO_TRAP_COMMUNITY="$trap_community" \
  build/manager/netpower-manager --config "$run_dir/manager.yaml"

# Both trap receivers listen before the agent starts: its sentry2ChainStart reaches them.
wait_listening udp "$trap_port" snmptrapd "$run_dir/snmptrapd.stderr"
wait_listening udp "$manager_trap_port" netpower-manager "$run_dir/manager.log"
start_process netpower-agent "$run_dir/agent.log" \
  build/agent/netpower-agent --config "$run_dir/agent.yaml" --agentx-socket "$agentx"
tail -n +1 -F "$run_dir/agent.log" "$run_dir/manager.log" >&2 &
tail_pid=$!

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
  watch -n1 'snmpget -Oqv $mibs $v3 $target sentry2PortControlStatus.66.49'   # Shutdown 30 s (its delay), Reboot 15 s, On
  snmpset      $mibs $v3 $target netpowerGroupActionTarget.\"admin\" s web netpowerGroupActionCommand.\"admin\" i powerOff
  snmpget      $mibs $v3 $target netpowerGroupActionResult.\"admin\"    # "2 port(s) turned off, 0 port(s) locked"
  snmpset      $mibs $v3 $target sentry2PortPowerAction.\'A1\' i powerOff   # inconsistentValue: A1 is locked
Load traps are off by default (docs/agent-traps.md): enable B1's, then lower its limit below its 2.5 A:
  snmpset      $mibs $v3 $target netpowerPortTrapLoad.\'B1\' i true netpowerPortLoadHigh.\'B1\' i 2
  tail -f $run_dir/traps.log     # sentry2PortDeviceLoadHighError for B1, repeated every 60 s
  (both settings are kept in $run_dir/agent-settings.yaml)
  snmpset      $mibs -v2c -c $write_community $target sentry2PortPowerAction.\'D4\' i powerOn
  snmpwalk     $mibs -v2c -c $error_community $target sentry2ErrorGroup
The simulated hardware (faults, loads, temperatures; docs/simulator.md):
  build/collectors/sim/netpower-simctl $sim_socket state
  build/collectors/sim/netpower-simctl $sim_socket fault B2 no-response
  build/collectors/sim/netpower-simctl $sim_socket load B1 7.5     # and the UPS's load with it
The UPS (UPS-MIB, mib-2.33, numeric: we ship no UPS-MIB file; docs/ups.md) feeds the chain: its load is
what the outlets draw, and the chain goes dark when its output goes off. In this order, since a battery
test cannot run on battery. A test needs the current upsTestSpinLock (.33.1.7.2.0) in the same request
as upsTestId (.33.1.7.1.0 = upsTestQuickBatteryTest, .33.1.7.7.4):
  snmpwalk     $v3 -On $target .1.3.6.1.2.1.33
  snmpget      $v3 -On $target .1.3.6.1.2.1.33.1.4.4.1.5.1   # upsOutputPercentLoad: the chain's 12.5 A of 5000 VA, 57 %
  lock=\$(snmpget -Oqv $v3 $target .1.3.6.1.2.1.33.1.7.2.0); snmpset $v3 $target .1.3.6.1.2.1.33.1.7.2.0 i "\$lock" .1.3.6.1.2.1.33.1.7.1.0 o .1.3.6.1.2.1.33.1.7.7.4
  snmpget      $v3 -On $target .1.3.6.1.2.1.33.1.7.3.0   # upsTestResultsSummary: inProgress(5), then donePass(1) after 10 s
  build/collectors/sim/netpower-simctl $ups_socket mains off      # upsTrapOnBattery at once, then every minute
  snmpset      $v3 $target .1.3.6.1.2.1.33.1.8.2.0 i 120       # upsShutdownAfterDelay: 120 s; -1 aborts
      # at 0 the output goes off (upsOutputSource none(2)) and the chain goes dark: every port that is
      # on reads 0.00A and sentry2PortModuleStatus OnS Fail (power is not sensed at the outlet)
  build/collectors/sim/netpower-simctl $ups_socket mains on       # the output, and the chain, come back
  tail -f $run_dir/traps.log

The manager (polls every 10 s, receives the agent's traps; docs/manager.md):
  metrics           http://127.0.0.1:$http_port/metrics
  API               http://127.0.0.1:$http_port/api/v1/status
  history (SQLite)  $run_dir/manager.db
  build/manager/ctl/netpowerctl status --manager http://127.0.0.1:$http_port --agent demo-rack1
  sqlite3 $run_dir/manager.db "select strftime('%Y-%m-%d %H:%M:%f', time / 1e6, 'unixepoch', 'localtime') as time, kind, text from events order by id desc limit 10"

Ctrl-C stops the demo: the agent, the manager, snmptrapd and snmpd, in that order.
INFO
wait "${pids[@]}"
