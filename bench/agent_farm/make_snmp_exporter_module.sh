#!/usr/bin/env bash
# Builds snmp_exporter's module "netpower" (snmp.yml) for poll_bench: prometheus-snmp-generator
# (Debian package prometheus-snmp-exporter 0.21) walks the Sentry2-MIB chain group and the
# NETPOWER-MIB from our MIBs; the UPS-MIB (RFC 1628) is not available as a MIB file here (Debian
# ships it only in the non-free snmp-mibs-downloader), so its walk and one metric per recorded
# object (gauges, strings as DisplayString labels) are added from the recording. Same subtrees,
# same max-repetitions (25), same timeout/retries as the poller.
#   make_snmp_exporter_module.sh <out-dir>      -> <out-dir>/snmp.yml
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${1:?usage: $0 <out-dir>}"
mkdir -p "$out"
if ! command -v prometheus-snmp-generator > /dev/null; then
  echo "installing prometheus-snmp-exporter (apt-get; not in scripts/install-deps.sh)" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus-snmp-exporter >&2
fi
cat > "$out/generator.yml" <<'YAML'
modules:
  netpower:
    walk:
      - 1.3.6.1.4.1.1718.2.1
      - 1.3.6.1.4.1.32473.1.1
    version: 2
    auth:
      community: public
    max_repetitions: 25
    retries: 1
    timeout: 2s
YAML
(cd "$out" && MIBDIRS="$root/mibs:$root/third_party/mibs" \
  prometheus-snmp-generator generate > generator.log 2>&1) || { cat "$out/generator.log" >&2; exit 1; }
python3 - "$out/snmp.yml" "$here/recorded_walk.txt" <<'PY'
import sys
snmp_yml, recording = sys.argv[1], sys.argv[2]
objects = {}
for line in open(recording):
    if line.startswith('#') or not line.strip():
        continue
    oid, kind = line.split()[:2]
    if not oid.startswith('1.3.6.1.2.1.33.1.'):
        continue
    arcs = oid.split('.')
    obj = '.'.join(arcs[:-1])
    objects.setdefault(obj, (kind, arcs[-1] == '0'))
lines = []
for obj, (kind, scalar) in objects.items():
    name = 'upsMib_' + obj[len('1.3.6.1.2.1.33.1.'):].replace('.', '_')
    lines += [f'  - name: {name}', f'    oid: {obj}',
              '    type: ' + ('DisplayString' if kind == 'STRING' else 'gauge'),
              f'    help: UPS-MIB object {obj} (added by make_snmp_exporter_module.sh)']
    if not scalar:
        lines += ['    indexes:', '    - labelname: upsIndex', '      type: gauge']
text = open(snmp_yml).read()
# The generated module: insert the UPS-MIB walk and metrics.
assert '\n  walk:\n' in text and '\n  metrics:\n' in text, 'unexpected snmp.yml layout'
text = text.replace('\n  walk:\n', '\n  walk:\n  - 1.3.6.1.2.1.33.1\n', 1)
text = text.replace('\n  metrics:\n', '\n  metrics:\n' + '\n'.join(lines) + '\n', 1)
open(snmp_yml, 'w').write(text)
PY
echo "$out/snmp.yml"
