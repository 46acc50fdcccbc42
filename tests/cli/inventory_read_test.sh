#!/usr/bin/env bash
# Reading inventories and events (check --inventory, merge) as docs/inventory-format.md says
# (audit findings 10, 12, 13): names normalized and folded; a missing "domains" is empty; an
# offset converted to UTC; dates that do not exist, bad addresses, seen_via and verdict values and
# duplicate keys refused with one line naming the entry and field; events of a newer version
# refused with a hint to upgrade; merge -o onto an input still accumulates, onto the policy not.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1
HEAD='{"schema":"netmap.inventory","version":1,'
POL=(--policy /dev/null)

# 1. One host spelled two ways is one domain: counts add (inventory and events).
echo "$HEAD"'"domains":[{"name":"A.Example.","count":1},{"name":"a.example","count":2}]}' > case.json
printf '{"v":1,"time":"2026-11-28T10:00:01Z","via":"dns","name":"A.Example."}\n{"v":1,"time":"2026-11-28T10:00:02Z","via":"dns","name":"a.example"}\n' > case.jsonl
run check "${POL[@]}" --allow a.example --inventory case.json
expect_rc 0 "check of a name spelled twice"
expect_out "1 domains? contacted" "one domain, not two"
for f in case.json case.jsonl; do
  run merge "${POL[@]}" --allow a.example "$f"
  expect_rc 0 "merge $f"
  [ "$(grep -c '"name"' "$T/out")" -eq 1 ] || fail "$f: the two spellings were not folded"
  expect_out '"name": "a.example"' "$f: the normalized name"
done
python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["domains"][0]; assert d["count"]==2, d' "$T/out" || fail "events counts"

# 2. What the doc promises.
echo "$HEAD"'"unnamed":[{"address":"192.0.2.1","port":22,"transport":"tcp","count":1}]}' > nodomains.json
run merge "${POL[@]}" nodomains.json
expect_rc 0 "a missing domains list is empty"
echo "$HEAD"'"domains":[{"name":"a.example","count":1,"first_seen":"2026-11-28T12:00:00.000000+02:00"}]}' > tz.json
run merge "${POL[@]}" tz.json
expect_rc 0 "an offset is accepted"
expect_out '"first_seen": "2026-11-28T10:00:00.000000Z"' "and converted to UTC"

bad() { # bad FILE-BODY MESSAGE-REGEX DESCRIPTION
  echo "$HEAD$1}" > bad.json
  run merge "${POL[@]}" bad.json
  expect_rc 2 "$3"
  expect_one_line_error merge "$3"
  expect_err "$2" "$3"
}
bad '"domains":[{"name":"a.example","first_seen":"2026-02-30T10:00:00Z"}]' \
  "error: bad\.json: not a netmap inventory: domain 'a\.example': 'first_seen' is not a valid time: '2026-02-30T10:00:00Z': day 30 does not exist in 2026-02" "30 February"
bad '"domains":[],"unnamed":[{"address":"not-an-ip","port":1,"count":0}]' "'unnamed' entry 1: 'address' is 'not-an-ip', not an IPv4 or IPv6 address" "a bad unnamed address"
bad '"domains":[{"name":"a.example","addresses":["999.1.1.1"]}]' "domain 'a\.example': 'addresses' holds '999\.1\.1\.1'" "a bad domain address"
bad '"domains":[{"name":"a.example","seen_via":["carrier-pigeon"]}]' "'seen_via' holds 'carrier-pigeon', not one of dns" "an unknown seen_via"
bad '"domains":[{"name":"a.example","verdict":"perhaps"}]' "'verdict' is 'perhaps', not one of allowed" "an unknown verdict"
bad '"domains":[{"name":"a.example"}],"domains":[{"name":"b.example"}]' "the key 'domains' appears twice in one object" "a duplicate key"

# 3. Events of a newer version, like an inventory of a newer version.
printf '{"v":2,"time":"2026-11-28T10:00:01.000000Z","via":"dns","name":"a.example"}\n' > ev_v2.jsonl
run check "${POL[@]}" --inventory ev_v2.jsonl
expect_rc 2 "events v2"
expect_one_line_error check "events v2"
expect_err "ev_v2\.jsonl:1:1: event version 2 is newer than this netmap understands \(1\)" "events v2 named at its line"
expect_err "hint: upgrade netmap" "events v2 hint"

# 4. merge -o onto an input accumulates (every input is read first); onto the policy it is refused.
echo "$HEAD"'"domains":[{"name":"a.example","count":1}]}' > acc.json
echo "$HEAD"'"domains":[{"name":"a.example","count":2}]}' > more.json
run merge "${POL[@]}" acc.json more.json -o acc.json
expect_rc 0 "merge a b -o a"
python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["domains"][0]["count"]==3' acc.json || fail "accumulation"
printf 'allow: [a.example]\n' > pol.yaml
run merge --policy pol.yaml acc.json -o pol.yaml
expect_rc 2 "merge -o onto the policy"
expect_err "--output pol\.yaml is the file read as --policy" "the clash is named"
grep -q allow pol.yaml || fail "the policy was replaced"

finish
