#!/usr/bin/env bash
# Renders snmpd.conf.in: render-snmpd-conf.sh PORT AGENTX_SOCKET > snmpd.conf
# Credentials come from the environment (DEMO_ADMIN_AUTH, ...) or the demo defaults below; the demo
# prints them, and tests/integration uses the same defaults. Traps go to udp:127.0.0.1:PORT+1 (the
# demo's snmptrapd) and udp:127.0.0.1:PORT+2 (the demo's netpower-manager) unless DEMO_TRAP_PORT and
# DEMO_MANAGER_TRAP_PORT say otherwise.
set -euo pipefail
port="$1" agentx="$2"
trap_port="${DEMO_TRAP_PORT:-$((port + 1))}"
manager_trap_port="${DEMO_MANAGER_TRAP_PORT:-$((port + 2))}"
here="$(dirname "$0")"
sed -e "s|@PORT@|$port|" -e "s|@AGENTX_SOCKET@|$agentx|" -e "s|@TRAP_PORT@|$trap_port|" \
    -e "s|@MANAGER_TRAP_PORT@|$manager_trap_port|" \
    -e "s|@ADMIN_USER@|${DEMO_ADMIN_USER:-netpower-admin}|g" \
    -e "s|@ADMIN_AUTH@|${DEMO_ADMIN_AUTH:-demo-admin-auth-key}|" \
    -e "s|@ADMIN_PRIV@|${DEMO_ADMIN_PRIV:-demo-admin-priv-key}|" \
    -e "s|@VIEWER_USER@|${DEMO_VIEWER_USER:-netpower-viewer}|g" \
    -e "s|@VIEWER_AUTH@|${DEMO_VIEWER_AUTH:-demo-viewer-auth-key}|" \
    -e "s|@VIEWER_PRIV@|${DEMO_VIEWER_PRIV:-demo-viewer-priv-key}|" \
    -e "s|@READ_COMMUNITY@|${DEMO_READ_COMMUNITY:-np-demo-read}|" \
    -e "s|@WRITE_COMMUNITY@|${DEMO_WRITE_COMMUNITY:-np-demo-write}|" \
    -e "s|@ERROR_COMMUNITY@|${DEMO_ERROR_COMMUNITY:-np-demo-error}|" \
    -e "s|@TRAP_COMMUNITY@|${DEMO_TRAP_COMMUNITY:-np-demo-trap}|" \
    "$here/snmpd.conf.in"
