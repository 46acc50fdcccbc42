#!/usr/bin/env bash
# export and explain refuse what they cannot do, and say so: a full standard output (every
# command's data), bad upstream lists, '*' as a refusal, invalid A-labels; -o keeps a file's mode
# and writes through a symbolic link; explain --target agrees with the exported file on targets
# without a deny list.
. "$(dirname "$0")/lib.sh"

# Audit F7: a write to a full disk is an error, not a truncated config with status 0.
if [ -w /dev/full ]; then
  for args in "export -t json --preset claude-trusted" "export -t squid --preset claude-trusted" \
              "explain --preset none --allow a.example a.example" "presets claude-trusted"; do
    cmd=${args%% *}
    # shellcheck disable=SC2086
    "$NETMAP" $args >/dev/full 2>"$T/err"
    rc=$?
    [ "$rc" -eq 2 ] || fail "$args > /dev/full: exit $rc, expected 2"
    # export and explain name the failed write's errno; other commands may only know one failed.
    want="^netmap $cmd: error: cannot write standard output: "
    [ "$cmd" = presets ] || want="${want}No space left on device"
    grep -q "$want" "$T/err" || fail "$args > /dev/full: $(cat "$T/err")"
  done
else
  echo "note: no writable /dev/full; the full-disk checks are skipped" >&2
fi

# Audit N5: an empty element of --upstream.
run export -t dnsmasq --preset none --allow a.example --upstream '127.0.0.1,'
expect_rc 2 "--upstream with a trailing comma"
expect_one_line_error export "--upstream with a trailing comma"
expect_err 'has an empty element' "--upstream with a trailing comma"

# Audit F6: '*' as a refusal is an error at its place.
printf 'allow: [a.example.com]\ndeny: ["*"]\n' >"$T/denyall.yaml"
for cmd in "export -t srt" "explain a.example.com"; do
  # shellcheck disable=SC2086
  run $cmd --policy "$T/denyall.yaml"
  expect_rc 2 "$cmd with deny '*'"
  expect_err "denyall.yaml:2:8: '\\*' cannot be a deny rule" "$cmd with deny '*'"
done

# Audit N1: an invalid A-label is neither a rule nor a name.
run explain --preset none --allow xn--zz.example ok.example
expect_rc 2 "an invalid A-label as a rule"
expect_err 'not a valid A-label' "an invalid A-label as a rule"
run explain --preset none --allow a.example xn--zz.example
expect_rc 2 "an invalid A-label as a name"
run explain --preset none --allow xn--bcher-kva.example bücher.example
expect_rc 0 "a valid A-label"

# Audit N2: -o keeps the replaced file's mode and writes through a symbolic link.
echo old >"$T/mode.conf"
chmod 0640 "$T/mode.conf"
run export -t squid --preset none --allow a.example -o "$T/mode.conf"
expect_rc 0 "-o over a 0640 file"
[ "$(stat -c %a "$T/mode.conf")" = 640 ] || fail "-o changed the mode to $(stat -c %a "$T/mode.conf")"
echo old >"$T/target.conf"
ln -s target.conf "$T/link.conf"
run export -t squid --preset none --allow a.example -o "$T/link.conf"
expect_rc 0 "-o through a symbolic link"
[ -L "$T/link.conf" ] || fail "-o replaced the symbolic link with a file"
grep -q 'dstdomain a.example' "$T/target.conf" || fail "-o did not write the link's target"
ln -s missing.conf "$T/dangling.conf"
run export -t squid --preset none --allow a.example -o "$T/dangling.conf"
expect_rc 2 "-o through a dangling link"

# Audit F4: codex has no deny list; explain --target says the export admits the denied name.
printf 'allow: ["**.example.com"]\ndeny: [bad.example.com]\n' >"$T/deny.yaml"
run explain --policy "$T/deny.yaml" --target codex bad.example.com
expect_rc 1 "netmap blocks bad.example.com"
expect_out 'allowed \(the exported rule is wider there\)' "explain --target codex agrees with the export"
run export -t codex --policy "$T/deny.yaml"
expect_out 'not enforced: deny rule bad.example.com' "the export says the same"
finish
