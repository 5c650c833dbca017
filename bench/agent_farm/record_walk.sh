#!/usr/bin/env bash
# Records the walk that the agent farm serves (bench/agent_farm/recorded_walk.txt) from a running
# netpower agent, e.g. the demo stack (DEMO_PORT=20161 scripts/demo.sh: 4 simulated boards and a
# simulated UPS). SNMPv3 as the demo's admin user, because the v2c read community's view does not
# include the NETPOWER-MIB. Output: one varbind per line, "<oid> <type> <value>", strings in hex.
#   bench/agent_farm/record_walk.sh udp:127.0.0.1:20161 > bench/agent_farm/recorded_walk.txt
set -euo pipefail
target="${1:-udp:127.0.0.1:20161}"
v3=(-v3 -l authPriv -u "${DEMO_ADMIN_USER:-netpower-admin}" -a SHA -A "${DEMO_ADMIN_AUTH:-demo-admin-auth-key}"
    -x AES -X "${DEMO_ADMIN_PRIV:-demo-admin-priv-key}")
echo "# netpower-agent (scripts/demo.sh: 4 sim boards + sim UPS), recorded $(date -u +%Y-%m-%d) with"
echo "# bench/agent_farm/record_walk.sh; <oid> <type> <value>, STRING values in hex"
for subtree in .1.3.6.1.4.1.1718.2.1 .1.3.6.1.2.1.33.1 .1.3.6.1.4.1.32473.1.1; do
  MIBS="" snmpbulkwalk "${v3[@]}" -On -Oe -Ot -Ox "$target" "$subtree"
done | awk '
  function flush() { if (oid != "") print oid, type, value; oid = "" }
  /^\./ {
    flush()
    oid = substr($1, 2); rest = $0; sub(/^[^=]*= /, "", rest)
    if (rest == "\"\"") { type = "STRING"; value = "-"; next }
    if (rest ~ /^No (more|Such)/) { oid = ""; next }
    if (rest ~ /^[0-9]+$/) { type = "Timeticks"; value = rest; next }   # -Ot prints no type
    split(rest, parts, ": "); t = parts[1]; v = substr(rest, length(t) + 3)
    if (t == "Hex-STRING") { type = "STRING"; gsub(/ /, "", v); value = v; next }
    if (t == "OID") { sub(/^\./, "", v) }
    type = t; value = v; next
  }
  { v = $0; gsub(/ /, "", v); value = value v }   # a hex string continued on the next line
  END { flush() }'
