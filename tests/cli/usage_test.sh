#!/usr/bin/env bash
# The command runner: bare netmap, --version, --help, mistyped commands and options, exit codes.
. "$(dirname "$0")/lib.sh"
run
expect_rc 2 "bare netmap is a usage error"
expect_err '^usage: netmap' "short usage"
for c in discover replay export check sandbox-dns; do grep -q "netmap $c" "$T/err" || fail "usage lists $c"; done
run --version
expect_rc 0 "version"
expect_out '^netmap [0-9]+\.[0-9]+\.[0-9]+ \(git [0-9a-f]+|unknown\)' "version and revision"
run --help
expect_rc 0 "help"
expect_out 'explain' "help lists commands"
run explain --help
expect_rc 0 "command help"
expect_out '--policy' "command options"
cp "$T/out" "$T/explain-help"
run help explain
expect_rc 0 "netmap help explain"
cmp -s "$T/out" "$T/explain-help" || fail "'netmap help explain' differs from 'netmap explain --help'"
run help
expect_rc 0 "netmap help"
expect_out 'explain' "netmap help lists commands"
run help expalin
expect_rc 2 "netmap help with a mistyped command"
expect_err "did you mean 'netmap explain'" "help suggests the command"
run help explain check
expect_rc 2 "netmap help with two commands"
expect_err "^netmap: error: 'netmap help' takes one command name" "netmap help says it takes one command"
run expalin x.com
expect_rc 2 "mistyped command"
expect_err "did you mean 'netmap explain'" "command suggestion"
run explain
expect_rc 2 "explain without names"
expect_err "^netmap explain: error: missing NAME: at least one is required" "a missing positional is named by its kind"
expect_err "usage: netmap explain \[OPTIONS\] NAME…" "and shown in place"
run merge
expect_rc 2 "merge without files"
expect_err "^netmap merge: error: missing FILE" "merge names what is missing"
run explain --jsno x.com
expect_rc 2 "mistyped option"
expect_err "did you mean '--json'" "option suggestion"
expect_one_line_error explain "mistyped option"
run export --tagret codex
expect_rc 2 "mistyped required option"
expect_err "unknown option '--tagret'" "names the mistyped option, not the missing one"
expect_err "did you mean '--target'" "suggests the required option"
run explain --color sometimes x.com
expect_rc 2 "bad option value"
for c in sandbox-dns replay discover; do
  run $c --allow x.example --
  expect_rc 2 "$c with nothing after --"
  expect_err "'--' is followed by no command" "$c names the forgotten command"
  expect_one_line_error "$c" "dangling --"
done
# A mistyped flag is the only line printed: flags are checked before the policy is looked for, so
# the "no netmap.yaml" note (this directory has none) does not come first.
mkdir -p "$T/nopolicy"
cd "$T/nopolicy" || fail "cd"
for args in "proxy --listen [::1" "proxy --listen 127.0.0.1:99999" "proxy --allow-from nonsense" "proxy --rate-bytes x" \
            "proxy --upstream https://p.test:443" "sandbox-dns --listen x" "replay --upstream x -- true" \
            "sandbox-dns --log $T/none/x.jsonl" "check --inventory $T/none.json" \
            "replay --events $T/none/x.jsonl -- true" "discover --events $T/none/x.jsonl -- true" \
            "export --target codex -o $T/none/x.yaml" "export --target codex --inventory $T/none.json"; do
  read -r -a argv <<<"$args"
  run "${argv[@]}"
  expect_rc 2 "$args"
  expect_one_line_error "${argv[0]}" "$args"
  expect_no_err 'no netmap.yaml' "$args: the error comes alone"
done
# An output written after a long run is checked before the run: the command never starts.
for c in replay discover check sandbox-dns proxy; do
  case $c in
  proxy) run proxy -o "$T/none/inventory.json" --listen 127.0.0.1:0 ;;
  sandbox-dns) run sandbox-dns -o "$T/none/inventory.json" --listen 127.0.0.1:0 ;; # -- CMD needs root first
  *) run $c -o "$T/none/inventory.json" --allow x.example -- touch "$T/ran" ;;
  esac
  expect_rc 2 "$c -o into a missing directory"
  expect_one_line_error "$c" "$c -o into a missing directory"
  expect_err "cannot write $T/none/inventory.json" "$c names the output"
  [ ! -e "$T/ran" ] || fail "$c ran the command before finding its output unwritable"
done
run proxy --listen '[::1'
expect_err "^netmap proxy: error: --listen '\\[::1' is not ADDR, ADDR:PORT or \\[V6\\]:PORT" "names what was written"
cd - >/dev/null || fail "cd back"
# An argument of any length is quoted in one line of bounded length; the reason at its end stays.
long=$(head -c 30000 /dev/zero | tr '\0' 'a')
run explain --preset none "$long.example"
expect_rc 2 "a 30 KB name"
[ "$(head -n1 "$T/err" | wc -c)" -lt 600 ] || fail "a 30 KB name makes a line of $(head -n1 "$T/err" | wc -c) bytes"
expect_err "^netmap explain: error: 'aaaa.* …\([0-9]+ bytes left out\)… a+\.example' is not a host name: .*" "the middle goes, the reason stays"
# A parent proxy the proxy cannot chain to is pointed at where the policy names it.
printf 'presets: [none]\nproxy:\n  http: "http://parent.example:99999"\n' > "$T/parent.yaml"
run proxy --policy "$T/parent.yaml" --listen 127.0.0.1:0
expect_rc 2 "proxy with a bad parent proxy port"
expect_err "^netmap proxy: error: .*parent\.yaml:3:9: bad upstream proxy URL: bad proxy port '99999'" "names the policy line"
printf 'presets: [none]\nproxy:\n  https: "not a url"\n' > "$T/parent.yaml"
run export --target codex --policy "$T/parent.yaml"
expect_rc 2 "export of a policy whose proxy is no URL"
expect_err "parent\.yaml:3:10: 'proxy.https' 'not a url' is not a URL" "export refuses what it would write out"
# A hosts file for the proxy (NETMAP_PROXY_HOSTS) with a line that names no address.
printf '127.0.0.1 a.example\n::1 b.example\n\nnot-an-ip c.example\n' > "$T/hosts"
NETMAP_PROXY_HOSTS="$T/hosts" run proxy --allow a.example --listen 127.0.0.1:0
expect_rc 2 "proxy with a bad hosts line"
expect_err "^netmap proxy: error: .*hosts:4:1: 'not-an-ip' is not an IP address" "names the hosts line"
# replay's stdout carries the command's output and the report: its events need a file.
run replay --allow x.example --events - -- true
expect_rc 2 "replay --events -"
expect_err "--events needs a file" "replay --events - says why"
expect_one_line_error replay "replay --events -"
finish
