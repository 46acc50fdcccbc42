#!/usr/bin/env bash
# netmap discover -r against its peers on the same generated capture, in one run:
#   tcpdump -r F -w /dev/null          the floor: reading the file, decoding nothing
#   ndpiReader -i F                    nDPI (Debian libndpi-bin), names from its CSV server_name_sni
#   tshark -Y … -T fields …            on a smaller file (tshark needs ~14 min on 10M), scaled
# Wall time and peak RSS from /usr/bin/time -v; recall against the generator's ground truth.
# Usage: bench/discover-peers.sh [BUILD_DIR]   (env: PACKETS=10000000 TSHARK_PACKETS=1000000 SEED=7)
#   BASELINE=/path/to/older/netmap also runs that binary on the big file ("netmap_base"), in the
#   same run, for before/after comparisons of a change.
# The captures live under /tmp (several GB); they are never committed. Not part of `make test`.
set -euo pipefail
BUILD=${1:-$(cd "$(dirname "$0")/.." && pwd)/build}
NETMAP=${NETMAP:-$BUILD/tools/netmap/netmap}
GEN=${GEN:-$BUILD/tests/gen/netmap-gen}
PACKETS=${PACKETS:-10000000}
TSHARK_PACKETS=${TSHARK_PACKETS:-1000000}
SEED=${SEED:-7}
W=${WORK:-/tmp/netmap-bench}
mkdir -p "$W"
for tool in "$NETMAP" "$GEN" /usr/bin/time tcpdump ndpiReader tshark python3; do
  command -v "$tool" >/dev/null || { echo "missing: $tool (scripts/packages/test-capture.txt)" >&2; exit 2; }
done

F=$W/bulk-$PACKETS-$SEED.pcap
FS=$W/bulk-$TSHARK_PACKETS-$SEED.pcap
for n in "$PACKETS" "$TSHARK_PACKETS"; do
  f=$W/bulk-$n-$SEED.pcap
  [ -s "$f" ] && [ -s "$f.truth.json" ] || "$GEN" bulk --packets "$n" --seed "$SEED" -o "$f" --truth "$f.truth.json"
done
echo "capture: $F ($(du -hL "$F" | cut -f1), $PACKETS packets); tshark on $FS ($TSHARK_PACKETS packets)"
# Every tool reads from the page cache: warm it once so the first tool is not charged the disk.
cat "$F" "$FS" >/dev/null

# measure NAME CMD…: runs CMD under /usr/bin/time -v; records seconds and peak RSS (KiB).
measure() {
  local name=$1; shift
  /usr/bin/time -v "$@" >"$W/$name.out" 2>"$W/$name.time" || { echo "$name failed:" >&2; tail -5 "$W/$name.time" >&2; exit 1; }
  python3 - "$W/$name.time" "$name" >>"$W/results.tsv" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", t)
secs = int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1))
cpu = sum(float(re.search(rf"{k} time \(seconds\): ([\d.]+)", t).group(1)) for k in ("User", "System"))
print(f"{sys.argv[2]}\t{secs:.2f}\t{rss}\t{cpu:.2f}")
PY
}
: >"$W/results.tsv"
measure netmap "$NETMAP" discover -r "$F" --json -o "$W/inv.json" --preset codex-common
[ -z "${BASELINE:-}" ] || measure netmap_base "$BASELINE" discover -r "$F" --json -o "$W/inv-base.json" --preset codex-common
measure tcpdump tcpdump -r "$F" -w /dev/null
measure ndpi ndpiReader -i "$F" -q -C "$W/ndpi.csv"
measure tshark tshark -r "$FS" -Y 'dns || tls.handshake.type==1 || http.request' -T fields \
  -e dns.qry.name -e tls.handshake.extensions_server_name -e http.host
measure netmap_small "$NETMAP" discover -r "$FS" --json -o "$W/inv-small.json" --preset codex-common

python3 - "$W" "$F" "$FS" "$PACKETS" "$TSHARK_PACKETS" <<'PY'
import csv, json, sys
w, f, fs, n, ns = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
res = {}
for line in open(f"{w}/results.tsv"):
    name, secs, rss, cpu = line.split("\t")
    res[name] = (float(secs), int(rss), float(cpu))
truth = {d["name"] for d in json.load(open(f + ".truth.json"))["domains"]}
truth_s = {d["name"] for d in json.load(open(fs + ".truth.json"))["domains"]}
found = {
    "netmap": {d["name"] for d in json.load(open(f"{w}/inv.json"))["domains"]},
    "netmap_small": {d["name"] for d in json.load(open(f"{w}/inv-small.json"))["domains"]},
    "netmap_base": {d["name"] for d in json.load(open(f"{w}/inv-base.json"))["domains"]} if "netmap_base" in res else set(),
    "tcpdump": set(),
}
with open(f"{w}/ndpi.csv", newline="") as fh:
    rows = csv.reader(fh)
    header = next(rows)
    col = header.index("server_name_sni")
    found["ndpi"] = {r[col].lower().rstrip(".") for r in rows if len(r) > col and r[col]}
found["tshark"] = set()
for line in open(f"{w}/tshark.out"):
    for field in line.rstrip("\n").split("\t"):
        for name in field.split(","):
            name = name.strip().lower().rstrip(".")
            if name:
                found["tshark"].add(name.split(":")[0] if name.count(":") == 1 else name)
scale = {"tshark": n / ns, "netmap_small": 1.0}
# The machine is shared: wall time includes waiting for a core, so rates are given for both wall
# and CPU (user + system) time; ratios are to tcpdump's rate on the big file.
base, base_cpu = res["tcpdump"][0], res["tcpdump"][2]
print(f"\n{'tool':<14}{'packets':>10}{'wall s':>9}{'cpu s':>8}{'peak RSS':>11}{'recall':>9}  rate vs tcpdump (wall / cpu)")
for name in ["tcpdump", "netmap", "netmap_base", "ndpi", "tshark", "netmap_small"]:
    if name not in res:
        continue
    secs, rss, cpu = res[name]
    pk = ns if name in ("tshark", "netmap_small") else n
    t = truth_s if name in ("tshark", "netmap_small") else truth
    recall = "-" if name == "tcpdump" else f"{100 * len(found[name] & t) / len(t):.2f}%"
    ratio = (pk / secs) / (n / base)
    ratio_cpu = (pk / max(cpu, 0.01)) / (n / max(base_cpu, 0.01))
    note = f"  (x{n/ns:.0f}: {secs * n / ns:.0f} s projected for {n})" if name == "tshark" else ""
    print(f"{name:<14}{pk:>10}{secs:>9.2f}{cpu:>8.2f}{rss / 1024:>9.1f}Mi{recall:>9}  {ratio:.2f}x / {ratio_cpu:.2f}x{note}")
missing = sorted(truth - found["netmap"])
print(f"\nnetmap: {len(found['netmap'] & truth)}/{len(truth)} ground-truth domains; missing {len(missing)}: {missing[:10]}")
st = json.load(open(f"{w}/inv.json"))["stats"]
print("netmap stats:", {k: v for k, v in st.items() if v})
PY
