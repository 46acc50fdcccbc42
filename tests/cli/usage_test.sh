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
run expalin x.com
expect_rc 2 "mistyped command"
expect_err "did you mean 'netmap explain'" "command suggestion"
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
# replay's stdout carries the command's output and the report: its events need a file.
run replay --allow x.example --events - -- true
expect_rc 2 "replay --events -"
expect_err "--events needs a file" "replay --events - says why"
expect_one_line_error replay "replay --events -"
finish
