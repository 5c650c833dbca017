#!/usr/bin/env bash
# check-prometheus.sh rules|test|config <deploy/prometheus dir>: promtool on the shipped files.
# `config` checks prometheus.yml with its absolute paths pointed at scratch copies (promtool wants
# the rule and token files to exist).
set -euo pipefail
what=$1 dir=$2
promtool=${PROMTOOL:-promtool}
command -v "$promtool" >/dev/null || { echo "promtool not found (Debian: apt-get install prometheus)"; exit 1; }
case $what in
  rules) "$promtool" check rules "$dir/netpower-alerts.yml" ;;
  test) cd "$dir" && "$promtool" test rules netpower-alerts.test.yml ;;
  config)
    scratch=$(mktemp -d)
    trap 'rm -rf "$scratch"' EXIT
    cp "$dir/netpower-alerts.yml" "$scratch/"
    echo "0123456789abcdef0123456789abcdef" > "$scratch/netpower-manager.token"
    sed -e "s#/etc/prometheus/#$scratch/#g" "$dir/prometheus.yml" > "$scratch/prometheus.yml"
    grep -q "$scratch/netpower-manager.token" "$scratch/prometheus.yml"
    "$promtool" check config "$scratch/prometheus.yml"
    ;;
  *) echo "usage: $0 rules|test|config DIR" >&2; exit 2 ;;
esac
