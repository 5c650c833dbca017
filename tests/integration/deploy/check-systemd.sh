#!/usr/bin/env bash
# check-systemd.sh <deploy/systemd dir> <built binary>...: `systemd-analyze verify` on the shipped
# units. verify needs every ExecStart binary to exist, so the units are copied with /usr/sbin
# pointed at a scratch folder of links to the build's binaries (nothing is installed on the
# machine). Any warning about our units fails.
set -euo pipefail
dir=$1
shift
command -v systemd-analyze >/dev/null || { echo "systemd-analyze not found (Debian: apt-get install systemd)"; exit 1; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
sbin=$scratch/sbin
mkdir "$sbin"
for bin in "$@"; do ln -s "$(realpath "$bin")" "$sbin/$(basename "$bin")"; done
units=()
for unit in "$dir"/*.service; do
  name=$(basename "$unit")
  sed -e "s#/usr/sbin/#$sbin/#g" "$unit" > "$scratch/$name"
  units+=("$scratch/$name")
done
for unit in "${units[@]}"; do
  # Every ExecStart*/ExecStop* binary must be there (verify checks ExecStart only for existence).
  for bin in $(sed -n 's/^Exec[A-Za-z]*=[-@:+!]*\([^ ]*\).*/\1/p' "$unit"); do
    [ -x "$bin" ] || { echo "$(basename "$unit"): $bin is not an executable"; exit 1; }
  done
done
out=$(systemd-analyze verify "${units[@]}" 2>&1) || { echo "$out"; exit 1; }
if grep -q "netpower" <<<"$out"; then echo "$out"; exit 1; fi
echo "$out"
# The hardening we promise (docs/install.md): no unit runs as root but netpower-host, whose job is
# to power its host off (shutdown_command) and to read the serial port or GPIO chip of its outlet's
# signal line; the manager keeps only CAP_NET_BIND_SERVICE.
for unit in "${units[@]}"; do
  if [ "$(basename "$unit")" = netpower-host.service ]; then
    grep -q '^User=root$' "$unit" || { echo "netpower-host.service: says no User=root"; exit 1; }
  else
    grep -q '^User=netpower$' "$unit" || { echo "$(basename "$unit"): not User=netpower"; exit 1; }
  fi
  grep -q '^NoNewPrivileges=yes$' "$unit" || { echo "$(basename "$unit"): no NoNewPrivileges"; exit 1; }
  grep -q '^ProtectSystem=strict$' "$unit" || { echo "$(basename "$unit"): not ProtectSystem=strict"; exit 1; }
done
if [ -f "$scratch/netpower-manager.service" ]; then
  grep -qx 'AmbientCapabilities=CAP_NET_BIND_SERVICE' "$scratch/netpower-manager.service"
  grep -qx 'CapabilityBoundingSet=CAP_NET_BIND_SERVICE' "$scratch/netpower-manager.service"
  # The exposure of systemd-analyze security: at most 3.0 of 10 (the threshold counts tenths).
  systemd-analyze security --offline=yes --threshold=30 "$scratch/netpower-manager.service" | tail -1
fi
echo "verified: ${units[*]##*/}"
