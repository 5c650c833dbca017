#!/usr/bin/env bash
# Checks for the MIB modules we ship; run by ctest (label "mib"), usable by hand.
#
#   check-mib.sh lint --base DIR --mibs DIR --mib FILE [--tool smilint] [--allow TEXT]...
#       smilint -l 6 (every severity, warnings included) on FILE with SMIPATH=<base>:<mibs>.
#       Fails on a non-zero exit status and on ANY line smilint prints (smilint exits 0 with
#       warnings), except lines that contain one of the --allow texts (fixed strings); those
#       are printed as "allowed" so that they stay visible. Only the global and user smilint
#       configuration is ignored (-c /dev/null), so ~/.smirc cannot hide anything.
#
#   check-mib.sh translate --base DIR --mibs DIR --module NAME [--tool snmptranslate]
#                          [--expect NAME=OID]...
#       snmptranslate -Tp of the module must load it with nothing on stderr (net-snmp reports
#       "Cannot find module", "Unlinked OID", "Undefined identifier" and parse errors there
#       and still exits 0); every --expect NAME must translate (-On) to exactly OID, and OID
#       must translate back to exactly NAME.
#
# <base> holds SNMPv2-SMI, SNMPv2-TC, SNMPv2-CONF, ... (scripts/fetch-base-mibs.sh).
set -uo pipefail

die() { printf 'check-mib: FAIL: %s\n' "$*" >&2; exit 1; }

(($# >= 1)) || die "usage: check-mib.sh lint|translate [options] (see the header of this script)"
mode="$1"; shift
base="" mibs="" mib="" module="" tool=""
allows=() expects=()
while (($# > 0)); do
  (($# >= 2)) || die "option $1 needs a value"
  case "$1" in
    --base) base="$2" ;;
    --mibs) mibs="$2" ;;
    --mib) mib="$2" ;;
    --module) module="$2" ;;
    --tool) tool="$2" ;;
    --allow) allows+=("$2") ;;
    --expect) expects+=("$2") ;;
    *) die "unknown option $1" ;;
  esac
  shift 2
done

[[ -n "$base" && -n "$mibs" ]] || die "--base and --mibs are required"
if [[ ! -s "$base/SNMPv2-SMI.txt" || ! -s "$base/SNMPv2-TC.txt" || ! -s "$base/SNMPv2-CONF.txt" ]]; then
  die "base SMI modules not found in '$base' (need SNMPv2-SMI.txt, SNMPv2-TC.txt, SNMPv2-CONF.txt). Run scripts/fetch-base-mibs.sh from the repository root (or set NETPOWER_BASE_MIBS_DIR to a folder that has them)."
fi
[[ -d "$mibs" ]] || die "MIB folder '$mibs' not found"

need_tool() {
  command -v "$1" >/dev/null 2>&1 || die "'$1' not found; install it ($2)"
}

tmp="$(mktemp -d "${TMPDIR:-/tmp}/check-mib.XXXXXX")" || die "mktemp failed"
trap 'rm -rf "$tmp"' EXIT

case "$mode" in
lint)
  tool="${tool:-smilint}"
  need_tool "$tool" "Debian: apt-get install smitools"
  [[ -f "$mib" ]] || die "MIB file '$mib' not found (--mib)"
  echo "check-mib: SMIPATH=$base:$mibs $tool -c /dev/null -l 6 -s -m $mib"
  SMIPATH="$base:$mibs" "$tool" -c /dev/null -l 6 -s -m "$mib" >"$tmp/out" 2>&1
  rc=$?
  bad=0 ok_lines=0
  while IFS= read -r line; do
    allowed=0
    for a in "${allows[@]+"${allows[@]}"}"; do
      if [[ "$line" == *"$a"* ]]; then allowed=1; break; fi
    done
    if ((allowed)); then
      echo "check-mib: allowed (documented exception): $line"
      ok_lines=$((ok_lines + 1))
    else
      echo "check-mib: unexpected: $line"
      bad=$((bad + 1))
    fi
  done <"$tmp/out"
  ((rc == 0)) || die "$tool exited with status $rc"
  ((bad == 0)) || die "$tool reported $bad error/warning line(s) for $mib"
  if ((ok_lines == 0)); then
    echo "check-mib: OK: $tool -l 6 reports nothing for $mib"
  else
    echo "check-mib: OK: $tool -l 6 reports nothing for $mib beyond $ok_lines documented exception(s)"
  fi
  ;;
translate)
  tool="${tool:-snmptranslate}"
  need_tool "$tool" "Debian: apt-get install snmp"
  [[ -n "$module" ]] || die "--module is required"
  # Only what the command line says: no MIBS/MIBDIRS from the environment, no snmp.conf.
  unset MIBS MIBDIRS
  export SNMPCONFPATH="$tmp/conf"
  mkdir -p "$SNMPCONFPATH"
  trans() { "$tool" -M "$base:$mibs" -m "$module" "$@"; }
  failures=0
  fail() { echo "check-mib: FAIL: $*"; failures=$((failures + 1)); }

  echo "check-mib: $tool -M $base:$mibs -m $module -Tp"
  trans -Tp >"$tmp/tree" 2>"$tmp/err"
  rc=$?
  if ((rc != 0)) || [[ -s "$tmp/err" ]]; then
    sed 's/^/  stderr: /' "$tmp/err"
    fail "loading $module (-Tp) exited $rc with messages on stderr"
  else
    echo "check-mib: ok: $module loads cleanly ($(wc -l <"$tmp/tree") lines of tree)"
  fi

  for e in "${expects[@]+"${expects[@]}"}"; do
    name="${e%%=*}" want="${e#*=}"
    got="$(trans -On "$name" 2>"$tmp/err")"
    rc=$?
    if ((rc != 0)) || [[ -s "$tmp/err" ]] || [[ "$got" != "$want" ]]; then
      sed 's/^/  stderr: /' "$tmp/err"
      fail "$name -> '$got' (exit $rc), expected '$want'"
      continue
    fi
    back="$(trans "$want" 2>"$tmp/err")"
    rc=$?
    if ((rc != 0)) || [[ -s "$tmp/err" ]] || [[ "$back" != "$name" ]]; then
      sed 's/^/  stderr: /' "$tmp/err"
      fail "$want -> '$back' (exit $rc), expected '$name'"
      continue
    fi
    echo "check-mib: ok: $name = $want"
  done
  ((failures == 0)) || die "$failures snmptranslate check(s) failed for $module"
  echo "check-mib: OK: all snmptranslate checks passed for $module"
  ;;
*)
  die "unknown mode '$mode' (lint or translate)"
  ;;
esac
