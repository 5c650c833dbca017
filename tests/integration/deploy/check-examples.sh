#!/usr/bin/env bash
# check-examples.sh <deploy/examples dir> <netpower-agent> <netpower-manager>: the shipped example
# configurations pass the programs' own --check-config, with /etc/netpower, /var/lib/netpower and
# /run/netpower pointed at a scratch folder that holds made-up secrets.
set -euo pipefail
dir=$1 agent=$2 manager=$3
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/etc/secrets" "$scratch/var" "$scratch/run"
# Every *_file the examples name gets a secret (16+ characters: long enough for keys and tokens).
for f in $(grep -ho '/etc/netpower/secrets/[A-Za-z0-9._-]*' "$dir"/*.yaml | sort -u); do
  echo "example-secret-$(basename "$f")-0123456789" > "$scratch/etc/secrets/$(basename "$f")"
done
chmod 0600 "$scratch"/etc/secrets/*
for c in agent manager; do
  sed -e "s#/etc/netpower/#$scratch/etc/#g; s#/var/lib/netpower/#$scratch/var/#g; s#/run/netpower/#$scratch/run/#g" \
    "$dir/$c.yaml" > "$scratch/etc/$c.yaml"
done
"$agent" --config "$scratch/etc/agent.yaml" --check-config
"$manager" --config "$scratch/etc/manager.yaml" --check-config
# The generated snmpd views of the example's access list.
"$agent" --config "$scratch/etc/agent.yaml" --snmpd-access | grep -q '^group  netpowerAdmin usm netpower-admin$'
