#!/usr/bin/env bash
# Installs what netpower needs on Debian 12 (apt packages, the base SMI MIB modules from npm). Safe to run
# again: it installs only what is missing. Uses sudo when not run as root.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build pkg-config clang-format git ca-certificates
  libsnmp-dev snmpd snmp snmptrapd smitools
  libyaml-cpp-dev libspdlog-dev libfmt-dev libcli11-dev libboost-dev nlohmann-json3-dev
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev
  nut-server nut-client
  libboost-system-dev libsoci-dev libpq-dev libsqlite3-dev postgresql sqlite3 util-linux libssl-dev
  prometheus-cpp-dev prometheus
  systemd dpkg-dev adduser file
  python3
)
# npm fetches the base SMI modules (SNMPv2-SMI, ...); use the machine's Node.js if it has one.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "install-deps: all Debian packages present"
fi

# Debian's snmpd package starts a system snmpd on 127.0.0.1:161; netpower's demo and tests run their own
# masters on other ports with private AgentX sockets, so the system one is left as it is.
scripts/fetch-base-mibs.sh
