#!/usr/bin/env bash
# netmap discover -r: the generator's fixtures → golden inventory JSON; -o written atomically;
# --events as JSON Lines; bad input (missing, not a capture, corrupt) → one-line error, exit 2,
# and no half-written output file; a capture cut short is read to its last whole packet, with a
# warning and the count in the statistics, and `check` says the inventory may lack names.
. "$(dirname "$0")/lib.sh"

GEN="${NETMAP_BUILD_DIR:-}/tests/gen/netmap-gen"
[ -x "$GEN" ] || skip "the capture generator netmap-gen is not built ($GEN)"
mkdir -p "$T/fx" && "$GEN" fixtures "$T/fx" >/dev/null || { echo "netmap-gen fixtures failed" >&2; exit 1; }
cd "$T/fx" || exit 1
FILES=(eth_dns_udp.pcap qinq_tls.pcap sll_http.pcap sll2_quic_v1.pcap raw_quic_v2.pcap
       null_tls_split_segments.pcap loop_tls_split_records.pcap eth_dns_tcp_split.pcap eth_ip_ext.pcap
       eth_broken.pcap eth_bare_ip.pcapng)
POL=(--preset codex-common --allow '**.example.com' --allow 'public.example.com')

# 1. The inventory of every fixture, against the golden file (relative paths keep it stable).
run discover -r "${FILES[@]}" "${POL[@]}" --json
expect_rc 0 "discover -r fixtures --json"
golden discover/fixtures.json "$T/out"
for name in www.example.com edge7.cdn.example.net api.github.com split-segments.example.org \
            split-records.example.org cloudflare-quic.com www.google.com pypi.org registry.npmjs.org \
            tcp-dns.example.com ipv6-ext.example.com ah.example.com public.example.com; do
  expect_out "\"name\": \"$name\"" "domain $name found"
done
expect_out '"address": "203.0.113.7"' "bare-IP destination reported as unnamed"

# 2. The table (not a TTY): verdicts, the unnamed section and the statistics.
run discover -r "${FILES[@]}" "${POL[@]}"
expect_rc 0 "discover -r fixtures (table)"
expect_out '^api\.github\.com +sni +443 +1 +covered by \*\*\.github\.com \(preset codex-common\)' "verdict with its rule"
expect_out '^cloudflare-quic\.com .*needs allowlisting' "unlisted names need allowlisting"
expect_out 'a domain allowlist cannot admit them' "the unnamed section says why it matters"
expect_out '^Undecodable: .*truncated-ip 1' "undecodable packets by reason"
expect_out '^Names that may have been lost: 0' "names possibly lost"
expect_no_out $'\033' "no colour when stdout is not a terminal"
[ ! -s "$T/err" ] || fail "nothing on stderr for a clean run"

# 3. -o writes the same inventory atomically; --events writes one JSON object per contact.
run discover -r "${FILES[@]}" "${POL[@]}" --json -o "$T/inv.json" --events "$T/ev.jsonl"
expect_rc 0 "discover -o --events"
cmp -s "$T/out" "$T/inv.json" || fail "-o differs from --json output"
ls "$T" | grep -q '\.tmp\.' && fail "a temporary file was left behind"
python3 - "$T/ev.jsonl" <<'PY' || fail "--events is not JSON Lines of discover events"
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) >= 20, len(lines)
events = [json.loads(l) for l in lines]
assert all(e["producer"] == "discover" and e["v"] == 1 for e in events)
assert any(e.get("name") == "api.github.com" and e["via"] == "sni" and e.get("verdict") == "allowed" for e in events)
assert any(e.get("address") == "203.0.113.7" and "name" not in e for e in events)
PY
# Events fold into the same domains (netmap merge reads them).
run merge "$T/ev.jsonl" --json
[ "$rc" -eq 0 ] && { grep -q '"api.github.com"' "$T/out" || fail "merge of the events lost names"; }

# 4. Several files and stdin ('-').
run discover -r - "${POL[@]}" --json < qinq_tls.pcap
expect_rc 0 "discover -r - (stdin)"
expect_out '"name": "api.github.com"' "stdin capture decoded"
expect_out '"pcap:<stdin>"' "stdin named in sources"

# 5. Bad input: one line naming the file, exit 2, and an existing -o file left untouched.
echo previous > "$T/keep.json"
run discover -r "$T/missing.pcap" "${POL[@]}" -o "$T/keep.json"
expect_rc 2 "missing file"
expect_one_line_error discover "missing file"
expect_err "missing\.pcap: cannot read capture" "missing file named"
printf 'this is not a capture\n' > "$T/junk.pcap"
run discover -r "$T/junk.pcap" "${POL[@]}" -o "$T/keep.json"
expect_rc 2 "not a capture"
expect_one_line_error discover "not a capture"
expect_err "junk\.pcap: cannot read capture" "junk file named"
# A corrupt record length (over libpcap's 256 KiB maximum) inside the file, through the mapped
# reader and through libpcap (--filter).
cp eth_dns_udp.pcap "$T/corrupt.pcap"
printf '\x00\x00\x10\x00' | dd of="$T/corrupt.pcap" bs=1 seek=32 conv=notrunc status=none
for filter in "" "ip or not ip"; do
  run discover -r qinq_tls.pcap "$T/corrupt.pcap" "${POL[@]}" -o "$T/keep.json" --events "$T/bad-ev.jsonl" \
    ${filter:+--filter "$filter"}
  expect_rc 2 "corrupt capture ($filter)"
  expect_one_line_error discover "corrupt capture ($filter)"
  expect_err "corrupt\.pcap: cannot read capture: invalid packet capture length" "corrupt file named ($filter)"
  [ "$(cat "$T/keep.json")" = previous ] || fail "a failed run replaced the -o file"
  [ ! -e "$T/bad-ev.jsonl" ] || fail "a failed run left an events file"
  ls "$T" | grep -q '\.tmp\.' && fail "a failed run left a temporary file"
done

# A capture whose writer was killed: everything before the cut counts, and the cut is reported.
size=$(stat -c %s qinq_tls.pcap)
head -c $((size - 20)) qinq_tls.pcap > "$T/cut.pcap"
for filter in "" "ip or not ip"; do
  run discover -r eth_dns_udp.pcap "$T/cut.pcap" "${POL[@]}" -o "$T/cut.json" --events "$T/cut-ev.jsonl" \
    ${filter:+--filter "$filter"}
  expect_rc 0 "cut-short capture ($filter)"
  expect_err "^netmap discover: warning: .*cut\.pcap: the capture ends partway through a packet.*truncated dump file" \
    "cut-short capture named ($filter)"
  expect_out "^www\.example\.com " "the whole capture's names still found ($filter)"
  expect_out "^Names that may have been lost: 1 \(.*1 capture cut short\)" "the cut counted as a lost name ($filter)"
  grep -q '"cut_short_captures": 1' "$T/cut.json" || fail "cut_short_captures missing from the inventory ($filter)"
  [ -s "$T/cut-ev.jsonl" ] || fail "no events file for a cut-short capture ($filter)"
done
run check --inventory "$T/cut.json" "${POL[@]}"
expect_out "warning: capture may have lost names: .*1 capture file cut short" "check warns of a cut-short capture"

# 6. Usage errors.
run discover "${POL[@]}"
expect_rc 2 "no source"
expect_one_line_error discover "no source"
run discover -r qinq_tls.pcap "${POL[@]}" -- true
expect_rc 2 "-r with a command"
run discover -r qinq_tls.pcap "${POL[@]}" --filter 'tcp port nosuchport'
expect_rc 2 "bad BPF filter"
expect_err "bad --filter expression" "filter error says so"
run discover -r qinq_tls.pcap "${POL[@]}" --filter 'udp' --json
expect_rc 0 "--filter on files"
expect_no_out '"name": "api.github.com"' "--filter udp hides the TLS flow"

finish
