#!/usr/bin/env bash
# Shell completions cannot drift from the commands: each completion file is loaded in its real
# shell (bash with bash-completion, zsh with compinit driven through a pseudo-terminal, fish with
# `complete -C`), and for every subcommand `netmap --help` lists, every option its `--help` prints
# must be offered, and so must the values behind them: presets (`netmap presets --json`), targets,
# the {a,b} choices of enumerated options, interfaces for discover -i, files for FILE/PATH options,
# and a command after `--`. A shell that is not installed is skipped with the reason; the test
# skips as a whole only when none is.
. "$(dirname "$0")/lib.sh"
COMP="$NETMAP_SOURCE_DIR/completions"
BASH_COMPLETION=${BASH_COMPLETION:-/usr/share/bash-completion/bash_completion}
bin_dir=$(mktemp -d "$T/bin.XXXX")
ln -s "$(realpath "$NETMAP")" "$bin_dir/netmap" # the completions run `netmap presets`, found on PATH
export PATH="$bin_dir:$PATH"

mapfile -t commands < <(netmap --help | awk '/^Subcommands:/ {s = 1; next} s && /^$/ {s = 0} s && /^  [a-z]/ {print $1}')
[ "${#commands[@]}" -ge 9 ] || fail "netmap --help lists ${#commands[@]} subcommands, expected at least 9"
# option_lines CMD: the option column and metavar of each option line of `netmap CMD --help`.
option_lines() { netmap "$1" --help | awk '/^Options:/ {s = 1; next} s && /^$/ {s = 0} s && /^  -/ {print $1, $2}'; }
help_options() { option_lines "$1" | cut -d' ' -f1 | tr ',' '\n' | grep -E '^-'; }
mapfile -t presets < <(netmap presets --json | sed -n 's/^ *"name": "\([^"]*\)".*/\1/p')
[ "${#presets[@]}" -ge 3 ] || fail "netmap presets --json names ${#presets[@]} presets"
targets=(codex copilot claude srt harden-runner squid dnsmasq unbound json)
mapfile -t interfaces < <(ls /sys/class/net)

# The queries: a command line whose last word is being completed ("" when it ends in a space), and
# the words that must (or, with !, must not) be among the candidates.
declare -a q_line q_want
want() { q_line+=("$1"); shift; q_want+=("$*"); }
want "netmap " "${commands[@]}"
want "netmap -" --help --version
want "netmap ex" explain export
for c in "${commands[@]}"; do
  mapfile -t opts < <(help_options "$c")
  want "netmap $c -" "${opts[@]}"
  mapfile -t long_opts < <(printf '%s\n' "${opts[@]}" | grep -E '^--')
  want "netmap $c --" "${long_opts[@]}"
  while read -r names metavar; do
    vals=()
    case "$metavar" in
    *:\{*\}*) choices=${metavar#*\{}; choices=${choices%%\}*}; IFS=, read -ra vals <<<"$choices" ;;
    FILE* | PATH*) vals=(zz-capture.pcap netmap.yaml) ;;
    esac
    case "${names##*,}" in
    --preset) vals=("${presets[@]}") ;;
    --target) vals=("${targets[@]}") ;;
    --interface) vals=(any "${interfaces[@]}") ;;
    esac
    [ "${#vals[@]}" -eq 0 ] && continue
    for form in ${names//,/ }; do want "netmap $c $form " "${vals[@]}"; done
  done < <(option_lines "$c")
  # Subcommands that run a command after --: its name is completed, netmap's options no longer are.
  if grep -Eq '^  command CMD' <<<"$(netmap "$c" --help)"; then
    want "netmap $c -- bas" bash
    want "netmap $c -- ls --pol" '!--policy'
  fi
done
want "netmap merge " zz-capture.pcap netmap.yaml
want "netmap presets " "${presets[@]}"
want "netmap explain --target " netmap "${targets[@]}"

# check SHELL RESULTS: every wanted word is a candidate of its query (results: "### LINE" blocks).
check() {
  local shell=$1 results=$2 i got w missing
  for i in "${!q_line[@]}"; do
    got=$(awk -v h="### ${q_line[$i]}" '$0 == h {s = 1; next} /^### end$/ {s = 0} s' "$results")
    missing=()
    for w in ${q_want[$i]}; do
      if [ "${w:0:1}" = '!' ]; then
        grep -qxF -- "${w:1}" <<<"$got" && missing+=("(offered but must not be) ${w:1}")
      else
        grep -qxF -- "$w" <<<"$got" || missing+=("$w")
      fi
    done
    [ "${#missing[@]}" -eq 0 ] || fail "$shell: '${q_line[$i]}<TAB>' does not offer: ${missing[*]} (got: $(tr '\n' ' ' <<<"$got"))"
  done
}

# The completions run in a scratch directory whose files the FILE options must offer.
work="$T/work"
mkdir -p "$work"
touch "$work/zz-capture.pcap" "$work/netmap.yaml"
printf '%s\n' "${q_line[@]}" >"$T/queries"
tested=0

# bash: bash-completion loaded, the function called as readline would (COMP_WORDS, COMP_CWORD,
# COMP_LINE, COMP_POINT), COMPREPLY read back.
if ! command -v bash >/dev/null || [ ! -r "$BASH_COMPLETION" ]; then
  echo "SKIP bash: bash-completion is not installed ($BASH_COMPLETION)" >&2
else
  (cd "$work" && bash --norc --noprofile -c '
    . "$1" && . "$2" || exit 3
    compopt() { builtin compopt "$@" 2>/dev/null; return 0; } # needs a live readline otherwise
    fn=$(complete -p netmap 2>/dev/null | sed -nE "s/.* -F ([^ ]+) .*/\1/p")
    [ -n "$fn" ] || { echo "netmap.bash registers no completion function for netmap" >&2; exit 3; }
    while IFS= read -r line; do
      read -ra COMP_WORDS <<<"$line"
      [ "${line: -1}" = " " ] && COMP_WORDS+=("")
      COMP_CWORD=$((${#COMP_WORDS[@]} - 1)) COMP_LINE=$line COMP_POINT=${#line} COMPREPLY=()
      "$fn" netmap "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
      echo "### $line"
      [ "${#COMPREPLY[@]}" -gt 0 ] && printf "%s\n" "${COMPREPLY[@]%% }"
      echo "### end"
    done <"$3"' _ "$BASH_COMPLETION" "$COMP/netmap.bash" "$T/queries" >"$T/bash.out" 2>"$T/bash.err") ||
    fail "bash: loading or running netmap.bash failed: $(cat "$T/bash.err")"
  [ -s "$T/bash.err" ] && fail "bash: the completion wrote to stderr: $(head -c 2000 "$T/bash.err")"
  check bash "$T/bash.out"
  tested=$((tested + 1))
fi

# zsh: an interactive `zsh -f` on a pseudo-terminal (zsh/zpty) with compinit and _netmap on fpath;
# TAB is bound to a widget that runs the real complete-word, and compadd is wrapped to append the
# words it is asked to offer (after zsh's own matching against the line, -O) to a file.
if ! command -v zsh >/dev/null; then
  echo "SKIP zsh: zsh is not installed" >&2
else
  cat >"$T/zshrc" <<EOF
PS1='> '; unsetopt beep autolist listambiguous; zstyle ':completion:*' menu no
fpath=(${COMP@Q} \$fpath)
autoload -Uz compinit && compinit -u -d ${T@Q}/zcompdump
ZCAP_OUT=${T@Q}/zsh.out
compadd() {
  # Calls that only collect into arrays (-O/-A/-D) offer nothing yet: pass them through.
  if [[ \${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "\$@"; return; fi
  local -a zcap_hits
  builtin compadd -O zcap_hits "\$@"
  (( \$#zcap_hits )) && print -rl -- "\${zcap_hits[@]}" >>\$ZCAP_OUT
  builtin compadd "\$@"
}
zcap-complete() { print -r -- "### \$BUFFER" >>\$ZCAP_OUT; zle complete-word; print -r -- "### end" >>\$ZCAP_OUT; BUFFER=; }
zle -N zcap-complete
bindkey '^I' zcap-complete
cd ${work@Q}
print READY >>\$ZCAP_OUT
EOF
  cat >"$T/driver.zsh" <<'EOF'
zmodload zsh/zpty || exit 3
dir=$1 out=$1/zsh.out
: >$out
# wait_for LINE COUNT: drain the terminal until the file holds COUNT lines equal to LINE.
wait_for() {
  local i chunk; local -a lines
  for (( i = 0; i < 400; i++ )); do
    while zpty -r -t z chunk 2>/dev/null; do :; done
    lines=("${(@f)$(<$out)}")
    lines=(${(M)lines:#$1}) # $1 unquoted is still literal: no GLOB_SUBST
    (( $#lines >= $2 )) && return 0
    sleep 0.05
  done
  return 1
}
zpty z zsh -f -i || exit 3
zpty -w z "source ${(q)dir}/zshrc"
wait_for READY 1 || { print -u2 "zsh did not start"; exit 3; }
n=0
for q in "${(@f)$(<$dir/queries)}"; do
  zpty -w -n z "$q"$'\t'
  wait_for "### end" $((++n)) || { print -u2 "zsh: no completion finished for: $q"; exit 3; }
done
zpty -d z
EOF
  zsh -f "$T/driver.zsh" "$T" 2>"$T/zsh.err" || fail "zsh: driving the completion failed: $(cat "$T/zsh.err")"
  check zsh "$T/zsh.out"
  tested=$((tested + 1))
fi

# fish: the completion file sourced into `fish --no-config`, then `complete -C LINE` per query.
if ! command -v fish >/dev/null; then
  echo "SKIP fish: fish is not installed" >&2
else
  (cd "$work" && fish --no-config -c '
    source $argv[1]; or exit 3
    for q in (cat $argv[2])
      echo "### $q"
      complete -C "$q" | string replace -r "\t.*" ""
      echo "### end"
    end' "$COMP/netmap.fish" "$T/queries" >"$T/fish.out" 2>"$T/fish.err") ||
    fail "fish: loading or running netmap.fish failed: $(cat "$T/fish.err")"
  [ -s "$T/fish.err" ] && fail "fish: the completion wrote to stderr: $(head -c 2000 "$T/fish.err")"
  check fish "$T/fish.out"
  tested=$((tested + 1))
fi

# COMPLETIONS_TEST_KEEP=DIR keeps the queries and each shell's candidates for a look.
[ -n "${COMPLETIONS_TEST_KEEP:-}" ] && mkdir -p "$COMPLETIONS_TEST_KEEP" && cp "$T"/queries "$T"/*.out "$COMPLETIONS_TEST_KEEP"/
[ "$tested" -gt 0 ] || skip "none of bash-completion, zsh, fish is installed"
finish
