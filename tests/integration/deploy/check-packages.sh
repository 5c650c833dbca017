#!/usr/bin/env bash
# check-packages.sh <build dir>: builds the Debian packages with CPack into a scratch folder and
# checks them with dpkg-deb (-I control fields and maintainer scripts, -c contents) and dpkg-deb -x
# into a scratch root (the files in their FHS places). Nothing is installed on the machine; the
# postinst is run only with `sh -n`.
set -euo pipefail
build=$1
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cpack -G DEB --config "$build/CPackConfig.cmake" -B "$scratch/out" >"$scratch/cpack.log" 2>&1 ||
  { cat "$scratch/cpack.log"; fail "cpack"; }
ls "$scratch/out"/*.deb
deb() { ls "$scratch/out/$1"_*.deb 2>/dev/null | head -1; }
for p in netpower-agent netpower-manager netpower-mibs; do
  [ -n "$(deb $p)" ] || fail "no package $p"
done

root=$scratch/root
for f in "$scratch/out"/*.deb; do
  dpkg-deb -x "$f" "$root"
  pkg=$(dpkg-deb -f "$f" Package)
  mkdir -p "$scratch/control/$pkg"
  dpkg-deb -e "$f" "$scratch/control/$pkg"
done

expect_file() { [ -f "$root$1" ] || fail "missing $1"; }
expect_exec() { [ -x "$root$1" ] || fail "$1 is not executable"; }
expect_exec /usr/sbin/netpower-agent
expect_exec /usr/bin/netpower-simctl
expect_exec /usr/sbin/netpower-manager
expect_exec /usr/bin/netpowerctl
expect_file /lib/systemd/system/netpower-agent.service
expect_file /lib/systemd/system/netpower-manager.service
expect_file /etc/netpower/agent.yaml
expect_file /etc/netpower/manager.yaml
expect_file /usr/share/snmp/mibs/Sentry2-MIB.txt
expect_file /usr/share/snmp/mibs/NETPOWER-MIB.txt
expect_file /usr/share/doc/netpower-agent/examples/agent.yaml
expect_file /usr/share/doc/netpower-agent/examples/snmpd.conf
expect_file /usr/share/doc/netpower-agent/examples/snmpd-netpower.conf
expect_file /usr/share/doc/netpower-agent/install.md
expect_file /usr/share/doc/netpower-manager/examples/manager.yaml
expect_file /usr/share/doc/netpower-manager/install.md
expect_file /usr/share/netpower/prometheus/netpower-alerts.yml
expect_file /usr/share/netpower/prometheus/prometheus.yml
expect_file /usr/share/netpower/grafana/dashboards/netpower-dashboard.json
expect_file /usr/share/netpower/grafana/provisioning/dashboards.yaml
expect_file /usr/share/netpower/grafana/provisioning/datasource.yaml
# Nothing outside the FHS places a package may use, nothing under /usr/local or the build tree.
unexpected=$(cd "$root" && find . -type f | grep -Ev '^\./(usr/(s?bin|share)|lib/systemd/system|etc/netpower)/' || true)
[ -z "$unexpected" ] || fail "files outside the expected places: $unexpected"
# The binaries are stripped and run.
"$root/usr/sbin/netpower-agent" --version >/dev/null || fail "netpower-agent --version"
"$root/usr/sbin/netpower-manager" --help >/dev/null || fail "netpower-manager --help"
if [[ "$(file "$root/usr/sbin/netpower-manager")" == *"not stripped"* ]]; then fail "netpower-manager is not stripped"; fi
# The shipped unit points at the packaged binary.
grep -qx 'ExecStart=/usr/sbin/netpower-manager --config /etc/netpower/manager.yaml' \
  "$root/lib/systemd/system/netpower-manager.service" || fail "manager unit ExecStart"
# net-snmp finds the MIBs in the place the package puts them.
if command -v snmptranslate >/dev/null; then
  dirs=$(net-snmp-config --default-mibdirs 2>/dev/null || echo /usr/share/snmp/mibs)
  case ":$dirs:" in *:/usr/share/snmp/mibs:*) ;; *) fail "net-snmp does not search /usr/share/snmp/mibs ($dirs)";; esac
fi

daemons="netpower-agent netpower-manager"
[ -z "$(deb netpower-host)" ] || daemons="$daemons netpower-host"
for pkg in $daemons; do
  info=$(dpkg-deb -I "$(deb $pkg)")
  grep -q "^ Package: $pkg$" <<<"$info" || fail "$pkg: Package"
  grep -q "^ Version: " <<<"$info" || fail "$pkg: Version"
  grep -Eq "^ Depends: .*adduser" <<<"$info" || fail "$pkg: Depends has no adduser"
  grep -Eq "^ Depends: .*libc6" <<<"$info" || fail "$pkg: Depends without shared libraries (dpkg-shlibdeps)"
  c=$scratch/control/$pkg
  for s in postinst prerm postrm; do
    [ -x "$c/$s" ] || fail "$pkg: no executable $s"
    sh -n "$c/$s" || fail "$pkg: $s does not parse"
  done
  grep -q 'getent passwd netpower' "$c/postinst" || fail "$pkg: postinst does not guard adduser"
  grep -q 'adduser --system' "$c/postinst" || fail "$pkg: postinst creates no system user"
  grep -q '@' "$c/postinst" && fail "$pkg: unreplaced @...@ in postinst"
  conf=/etc/netpower/${pkg#netpower-}.yaml
  if [ -f "$root$conf" ]; then
    grep -qx "$conf" "$c/conffiles" || fail "$pkg: $conf is not a conffile"
  fi
done
# (grep reads a variable: grep -q on a pipe would end dpkg-deb with SIGPIPE under pipefail.)
info=$(dpkg-deb -I "$(deb netpower-agent)")
grep -Eq "^ Recommends: .*snmpd" <<<"$info" || fail "agent: Recommends snmpd"
[ "$(dpkg-deb -f "$(deb netpower-mibs)" Architecture)" = all ] || fail "mibs: Architecture all"
contents=$(dpkg-deb -c "$(deb netpower-manager)")
grep -q ' ./usr/share/netpower/grafana/dashboards/netpower-dashboard.json$' <<<"$contents" ||
  fail "dpkg-deb -c: no dashboard"

# The postinst against a fake system: a second run (the user exists) must not fail, the first run
# creates user and directories. adduser, getent, install, chgrp and systemctl are stubs that log.
stubs=$scratch/stubs
mkdir -p "$stubs"
for tool in adduser addgroup install chgrp chmod systemctl; do
  printf '#!/bin/sh\necho "%s $*" >> "%s/calls"\n' "$tool" "$scratch" > "$stubs/$tool"
done
printf '#!/bin/sh\n[ -f "%s/user-exists" ]\n' "$scratch" > "$stubs/getent"
chmod +x "$stubs"/*
for pkg in $daemons; do
  rm -f "$scratch/calls" "$scratch/user-exists"
  PATH=$stubs:$PATH sh "$scratch/control/$pkg/postinst" configure || fail "$pkg: postinst failed"
  grep -q '^adduser --system' "$scratch/calls" || fail "$pkg: postinst did not add the user"
  grep -q '^install -d -o root -g netpower -m 0750 /etc/netpower /etc/netpower/secrets' "$scratch/calls" ||
    fail "$pkg: /etc/netpower/secrets"
  rm -f "$scratch/calls"
  touch "$scratch/user-exists"
  PATH=$stubs:$PATH sh "$scratch/control/$pkg/postinst" configure 0.1.0-1 || fail "$pkg: postinst (user exists) failed"
  ! grep -q '^add' "$scratch/calls" || fail "$pkg: postinst added an existing user"
done

# dpkg itself, on a private database (--root): unpacking registers the files and the conffiles
# (no maintainer script runs at unpack: the packages have no preinst).
db=$scratch/dpkg-root
mkdir -p "$db/var/lib/dpkg/updates" "$db/var/lib/dpkg/info" "$db/var/lib/dpkg/triggers"
touch "$db/var/lib/dpkg/status" "$db/var/lib/dpkg/available"
dpkg --root="$db" --log=/dev/null --force-not-root --unpack "$scratch/out"/*.deb >/dev/null ||
  fail "dpkg --root --unpack"
status=$(dpkg --root="$db" -s netpower-manager)
grep -q '^ /etc/netpower/manager.yaml ' <<<"$status" || fail "dpkg: manager.yaml is no registered conffile"
files=$(dpkg --root="$db" -L netpower-mibs)
grep -qx /usr/share/snmp/mibs/Sentry2-MIB.txt <<<"$files" || fail "dpkg -L netpower-mibs"
[ -x "$db/usr/sbin/netpower-agent" ] || fail "dpkg --root: no /usr/sbin/netpower-agent"

# netpower-host is packaged once its target exists (with its unit once that exists).
if [ -n "$(deb netpower-host)" ]; then
  expect_exec /usr/sbin/netpower-host
fi
echo "packages OK: $(cd "$scratch/out" && ls *.deb | tr '\n' ' ')"
