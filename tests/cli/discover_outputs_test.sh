#!/usr/bin/env bash
# netmap discover's outputs and their guards (audit findings 4, 9, 14, 16): an output may not be
# an input or the other output; one document at most on stdout; live-only options refused with -r
# as --duration is; `-r -` once; --duration 0 says what is wanted; --help's exit-status line; the
# events rebuild the inventory -o writes (DNS answers included); a file's started/finished are its
# first and last packet.
. "$(dirname "$0")/lib.sh"

GEN="${NETMAP_BUILD_DIR:-}/tests/gen/netmap-gen"
[ -x "$GEN" ] || skip "the capture generator netmap-gen is not built ($GEN)"
mkdir -p "$T/fx" && "$GEN" fixtures "$T/fx" >/dev/null || { echo "netmap-gen fixtures failed" >&2; exit 1; }
cd "$T/fx" || exit 1
POL=(--policy /dev/null)

# 1. -r X -o X would replace a capture that cannot be made again; nothing is written.
cp eth_dns_udp.pcap same.pcap
run discover "${POL[@]}" -r same.pcap -o same.pcap
expect_rc 2 "-o onto the capture read"
expect_one_line_error discover "-o onto the capture read"
expect_err "error: --output same\.pcap is the file read as -r" "names both flags"
cmp -s same.pcap eth_dns_udp.pcap || fail "the capture was replaced"
ln -s same.pcap link.pcap
run discover "${POL[@]}" -r link.pcap --events ./same.pcap
expect_rc 2 "--events onto the capture, through a link and another spelling"
run discover "${POL[@]}" -r eth_dns_udp.pcap -o both.json --events both.json
expect_rc 2 "-o and --events on one file"
expect_err "--events both\.json is the file also written by --output" "the clash is named"
[ ! -e both.json ] || fail "a refused run wrote a file"
printf 'allow: [www.example.com]\n' > pol.yaml
run discover --policy pol.yaml -r eth_dns_udp.pcap -o pol.yaml
expect_rc 2 "-o onto the policy"
grep -q 'allow' pol.yaml || fail "the policy was replaced"

# 2. One document at most on stdout; with -o - the table goes to stderr.
run discover "${POL[@]}" -r eth_dns_udp.pcap --json -o -
expect_rc 2 "--json with -o -"
expect_one_line_error discover "--json with -o -"
run discover "${POL[@]}" -r eth_dns_udp.pcap -o - --events -
expect_rc 2 "-o - with --events -"
run discover "${POL[@]}" -r eth_dns_udp.pcap -o -
expect_rc 0 "-o -"
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/out" || fail "-o - is not JSON alone on stdout"
expect_err "^www\.example\.com " "the table goes to stderr"

# 3. Live-only options with -r are refused like --duration; -r - once; --duration 0.
for opt in "--duration 1" "--buffer 5" "--no-kernel-filter"; do
  # shellcheck disable=SC2086
  run discover "${POL[@]}" -r eth_dns_udp.pcap $opt
  expect_rc 2 "$opt with -r"
  expect_one_line_error discover "$opt with -r"
  expect_err "applies to live capture, not to -r files" "$opt: says why"
done
run discover "${POL[@]}" -r - -r - < eth_dns_udp.pcap
expect_rc 2 "-r - twice"
expect_err "error: -r - \(standard input\) is given twice" "-r - twice: says so"
for bad in 0 -1 nan inf abc; do
  # Bounded: a netmap that took the value would capture (for ever, with inf).
  timeout 10 "$NETMAP" discover "${POL[@]}" -i lo --duration "$bad" >"$T/out" 2>"$T/err"
  rc=$?
  expect_rc 2 "--duration $bad"
  expect_one_line_error discover "--duration $bad"
  expect_no_err "179769" "--duration $bad: no 309-digit range"
done
run discover "${POL[@]}" -i lo --duration 0
expect_err "must be greater than 0" "--duration 0 says what is wanted"

# 4. --help's exit status is each command's own.
run discover --help
expect_out "^Exit status: the command's own with --; otherwise 0 ok, 2 usage or runtime error\.$" "discover --help exit line"
expect_no_out "1 findings" "discover never exits 1 for findings"
run presets --help
expect_out "^Exit status: 0 ok, 2 usage or runtime error" "presets --help exit line"
expect_no_out "1 findings" "presets never exits 1"
run check --help
expect_out "^Exit status: 0 clean, 1 findings" "check keeps its own line"

# 5. The events rebuild the inventory -o writes: names, counts, ports and the DNS answers'
#    addresses (audit finding 9).
FILES=(eth_dns_udp.pcap qinq_tls.pcap sll_http.pcap sll2_quic_v1.pcap eth_dns_tcp_split.pcap eth_bare_ip.pcapng)
run discover "${POL[@]}" -r "${FILES[@]}" -o inv.json --events ev.jsonl
expect_rc 0 "discover -o --events"
run merge --keep-verdicts ev.jsonl -o from-events.json
expect_rc 0 "merge of the events"
python3 - inv.json from-events.json ev.jsonl <<'PY' || fail "the events do not rebuild the inventory"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
key = lambda inv: {d["name"]: (d["count"], d["ports"], d["addresses"], d["seen_via"]) for d in inv["domains"]}
assert key(a) == key(b), (key(a), key(b))
assert a["unnamed"] == b["unnamed"]
assert any(d["addresses"] and d["seen_via"] == ["dns"] for d in a["domains"]), "no answered address to compare"
events = [json.loads(l) for l in open(sys.argv[3])]
dns = [e for e in events if e["via"] == "dns" and "qtype" in e and "rcode" in e]
assert dns and all("answers" in e for e in dns if e.get("address")), dns
# A file's span is its first and last packet.
assert a["started"] <= min(e["time"] for e in events) and a["finished"] >= max(e["time"] for e in events)
PY

# 6. A file that names nothing still has its span.
run discover "${POL[@]}" -r eth_broken.pcap --json
expect_rc 0 "a capture with no names"
expect_out '"started": "' "started present"
expect_out '"finished": "' "finished present"

# 7. Outputs that are not plain files are written in place: /dev/null stays the device (a rename
#    over it, as root, once put a plain file there), a FIFO's reader gets the events, /dev/full is
#    an error, and /dev/stdout behind `>>` is appended to.
run discover "${POL[@]}" -r eth_dns_udp.pcap -o /dev/null --events /dev/null
expect_rc 0 "-o /dev/null --events /dev/null"
[ -c /dev/null ] || fail "/dev/null is no longer a device"
if [ -c /dev/full ]; then
  run discover "${POL[@]}" -r eth_dns_udp.pcap -o /dev/full
  expect_rc 2 "-o /dev/full"
  expect_err "^netmap discover: error: cannot write /dev/full: No space left on device$" "a full device is named"
  [ -c /dev/full ] || fail "/dev/full is no longer a device"
fi
mkfifo events.fifo
timeout 20 cat events.fifo > from-fifo.jsonl &  # bounded: a writer that never opens it must not hang the test
run discover "${POL[@]}" -r eth_dns_udp.pcap --events events.fifo
wait
expect_rc 0 "--events into a FIFO"
[ -p events.fifo ] || fail "the FIFO was replaced"
grep -q '"name":"www.example.com"' from-fifo.jsonl || fail "the FIFO's reader got no events"
echo "kept" > appended.json
"$NETMAP" discover "${POL[@]}" -r eth_dns_udp.pcap -o /dev/stdout >> appended.json 2>/dev/null || fail "-o /dev/stdout"
head -n1 appended.json | grep -qx kept || fail "-o /dev/stdout truncated the file behind >>"
grep -q '"schema": "netmap.inventory"' appended.json || fail "-o /dev/stdout wrote no inventory"

finish
