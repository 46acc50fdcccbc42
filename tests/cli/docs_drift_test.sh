#!/usr/bin/env bash
# Help and man pages cannot disagree: every subcommand `netmap --help` lists has a page that netmap(1)
# points to; every option its `--help` prints is documented in the page's OPTIONS section, and
# every option the page documents still exists; every page renders with `groff -man -ww` silently.
# Also the first-five-minutes behaviour of the runner for every subcommand: bare `netmap` names the
# main commands, and a mistyped option of any subcommand gets "did you mean".
. "$(dirname "$0")/lib.sh"
MAN="$NETMAP_SOURCE_DIR/man"
command -v groff >/dev/null || skip "groff is not installed (apt-get install groff)"

# The subcommands in `netmap --help` (CLI11: an indented name per line under "Subcommands:").
mapfile -t commands < <("$NETMAP" --help | awk '/^Subcommands:/ {s = 1; next} s && /^$/ {s = 0} s && /^  [a-z]/ {print $1}')
[ "${#commands[@]}" -ge 9 ] || fail "netmap --help lists ${#commands[@]} subcommands, expected at least 9"

# help_options CMD: every short and long option in the option column of `netmap CMD --help`.
help_options() {
  "$NETMAP" "$1" --help | awk '/^Options:/ {s = 1; next} s && /^$/ {s = 0} s && /^  -/ {print $1}' | tr ',' '\n' | grep -E '^-'
}

# plain PAGE: the page source with \- as -, font escapes and \& removed (what a reader searches).
plain() { sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\f(..//g' -e 's/\\&//g' "$1"; }

# section PAGE NAME: the plain text of one .SH section (up to the next .SH).
section() { plain "$1" | awk -v want=".SH $2" '/^\.SH/ {s = ($0 == want || $0 == want "\"" ) ; next} s'; }

# (Never `producer | grep -q`: grep may exit first, and pipefail then reports the SIGPIPE.)
# has_word TEXT OPTION: OPTION occurs in TEXT as a whole option (--rate is not --rate-limit).
has_word() { grep -Eq -- "(^|[^A-Za-z0-9-])$2([^A-Za-z0-9-]|$)" <<<"$1"; }

# 1. netmap(1) names every subcommand and points to its page; every subcommand has its page.
top="$MAN/man1/netmap.1"
[ -f "$top" ] || fail "man/man1/netmap.1 is missing"
top_commands=$(section "$top" COMMANDS)
for c in "${commands[@]}"; do
  page="$MAN/man1/netmap-$c.1"
  if [ ! -f "$page" ]; then fail "netmap $c has no man page man/man1/netmap-$c.1"; continue; fi
  grep -Eq "^\.B $c$" <<<"$top_commands" || fail "netmap.1 COMMANDS lacks '.B $c'"
  grep -Eq "^\.BR netmap-$c \(1\)" <<<"$top_commands" || fail "netmap.1 COMMANDS does not point to netmap-$c(1)"
  # The page is about this command: its .TH and NAME say so.
  grep -Eqi "^\.TH \"?NETMAP\\\\-${c//-/\\\\-}\"? 1 " <<<"$(head -n 1 "$page")" || fail "netmap-$c.1: .TH is not 'NETMAP\\-${c^^} 1'"
  grep -Eq "^netmap-$c - " <<<"$(section "$page" NAME)" || fail "netmap-$c.1: NAME is not 'netmap\\-$c \\- …'"
  for s in SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" "SEE ALSO"; do
    grep -Eq "^\.SH \"?$s\"?$" "$page" || fail "netmap-$c.1 has no $s section"
  done
done
# …and no page documents a subcommand that no longer exists.
for page in "$MAN"/man1/netmap-*.1; do
  c=$(basename "$page" .1); c=${c#netmap-}
  grep -qx -- "$c" <<<"$(printf '%s\n' "${commands[@]}")" || fail "man/man1/netmap-$c.1 documents a command netmap --help does not list"
done

# 2. Every option of every subcommand is in its page's OPTIONS section, and vice versa.
for c in "${commands[@]}"; do
  page="$MAN/man1/netmap-$c.1"
  [ -f "$page" ] || continue
  mapfile -t opts < <(help_options "$c")
  [ "${#opts[@]}" -ge 2 ] || fail "netmap $c --help: found only ${#opts[@]} options (parser out of step with CLI11?)"
  options_text=$(section "$page" OPTIONS)
  for o in "${opts[@]}"; do
    has_word "$options_text" "$o" || fail "netmap-$c.1: OPTIONS does not document $o (from 'netmap $c --help')"
  done
  # Options the page lists as items (.TP headings) must still exist.
  documented=$(awk '/^\.TP/ {getline; print}' <<<"$options_text" | grep -Eo -- '(^|[ ,"])--?[A-Za-z0-9][A-Za-z0-9-]*' | sed 's/^[ ,"]//' | sort -u)
  for o in $documented; do
    grep -qx -- "$o" <<<"$(printf '%s\n' "${opts[@]}")" || fail "netmap-$c.1 documents $o, which 'netmap $c --help' does not list"
  done
done
# Every positional argument (its metavar: CMD, NAME, FILE) is in the SYNOPSIS; a command run after
# "--" is shown after "--" there.
for c in "${commands[@]}"; do
  page="$MAN/man1/netmap-$c.1"
  [ -f "$page" ] || continue
  synopsis=$(section "$page" SYNOPSIS)
  while read -r name metavar; do
    [ -n "$metavar" ] || continue
    has_word "$synopsis" "$metavar" || fail "netmap-$c.1: SYNOPSIS lacks $metavar (positional '$name' of 'netmap $c --help')"
    if [ "$name" = command ]; then
      grep -Eq -- "(^|[ \"])--([ \"]|$)" <<<"$synopsis" || fail "netmap-$c.1: SYNOPSIS does not show '-- $metavar'"
    fi
  done < <("$NETMAP" "$c" --help | awk '/^Positionals:/ {s = 1; next} s && /^$/ {s = 0} s && /^  [a-z]/ {print $1, $2}')
done
# netmap(1) documents the runner's own options.
top_options=$(section "$top" OPTIONS)
for o in --help --version; do has_word "$top_options" "$o" || fail "netmap.1 OPTIONS lacks $o"; done

# 3. Every page renders without a single groff warning (-ww enables them all).
for page in "$MAN"/man1/*.1 "$MAN"/man5/*.5; do
  warnings=$(groff -man -ww -Tutf8 -z "$page" 2>&1)
  [ -z "$warnings" ] || fail "$(basename "$page"): groff -man -ww warns: $warnings"
  # And renders to something: a page that lost its body would also be silent.
  [ "$(groff -man -Tutf8 "$page" 2>/dev/null | grep -c .)" -ge 15 ] || fail "$(basename "$page") renders to almost nothing"
done

# 4. The runner around the docs: bare netmap names the five main commands (each one real), and a
#    mistyped long option of every subcommand is answered with its correct spelling.
run
expect_rc 2 "bare netmap"
for c in discover replay export check sandbox-dns; do
  grep -Eq "^  netmap $c " "$T/err" || fail "bare 'netmap' usage does not list 'netmap $c'"
  grep -qx -- "$c" <<<"$(printf '%s\n' "${commands[@]}")" || fail "usage names $c, which netmap --help lacks"
done
run --version
expect_rc 0 "--version"
expect_out '^netmap [0-9]+\.[0-9]+\.[0-9]+ \(git ([0-9a-f]{7,}(-dirty)?|unknown)\)$' "--version prints version and git revision"
for c in "${commands[@]}"; do
  # The longest option is the least likely to have a near neighbour; drop its last letter.
  o=$(help_options "$c" | grep -E '^--' | grep -vx -- --help | awk '{print length, $0}' | sort -rn | head -n 1 | cut -d' ' -f2)
  [ -n "$o" ] || continue
  # Required options are given (CLI11 reports a missing one before an unknown one).
  required=$("$NETMAP" "$c" --help | awk '/^Options:/ {s = 1; next} s && /^  -.* REQUIRED/ {print $1}' | sed 's/.*,//; s/$/ x/')
  # shellcheck disable=SC2086 # "--opt x" pairs, split on purpose
  run "$c" $required "${o%?}x" dummy
  expect_rc 2 "netmap $c ${o%?}x (mistyped)"
  expect_err "did you mean '$o'" "netmap $c ${o%?}x suggests $o"
done
run dicsover
expect_rc 2 "mistyped command"
expect_err "did you mean 'netmap discover'" "mistyped command suggestion"
finish
