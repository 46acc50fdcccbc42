#!/usr/bin/env bash
# Install and package, never into the real system: `cmake --install` into a scratch prefix puts the
# binary, every page and the three completions where Debian's man, bash-completion, zsh and fish
# look (asked of those tools themselves, when installed); `man` renders the installed pages; CPack
# builds a .deb whose Depends names the package of every shared library the binary needs, which
# unpacks into a scratch root whose netmap runs.
. "$(dirname "$0")/lib.sh"
: "${NETMAP_BUILD_DIR:?NETMAP_BUILD_DIR must name the build tree (ctest sets it)}"
command -v cmake >/dev/null || skip "cmake is not installed"
unset DESTDIR
root="$T/root"
prefix="$root/usr"

# 1. cmake --install into the scratch prefix.
cmake --install "$NETMAP_BUILD_DIR" --prefix "$prefix" >"$T/install.log" 2>&1 ||
  { fail "cmake --install failed: $(tail -n 20 "$T/install.log")"; finish; }
grep -q "Installing: $prefix" "$T/install.log" || fail "cmake --install installed nothing under the prefix"
# Nothing escaped the prefix (an absolute DESTINATION would install into the real system).
grep -E "^-- (Installing|Up-to-date): " "$T/install.log" | grep -v ": $prefix/" &&
  fail "files installed outside the scratch prefix"

[ -x "$prefix/bin/netmap" ] || fail "no executable bin/netmap"
want_version=$("$NETMAP" --version)
got_version=$("$prefix/bin/netmap" --version 2>&1) || fail "installed netmap --version failed: $got_version"
[ "$got_version" = "$want_version" ] || fail "installed netmap says '$got_version', the build '$want_version'"
for page in "$NETMAP_SOURCE_DIR"/man/man1/*.1 "$NETMAP_SOURCE_DIR"/man/man5/*.5; do
  sec=${page##*.}
  cmp -s "$page" "$prefix/share/man/man$sec/$(basename "$page")" || fail "man page $(basename "$page") not installed in share/man/man$sec"
done
bash_dir=share/bash-completion/completions zsh_dir=share/zsh/vendor-completions fish_dir=share/fish/vendor_completions.d
cmp -s "$NETMAP_SOURCE_DIR/completions/netmap.bash" "$prefix/$bash_dir/netmap" || fail "bash completion not installed as $bash_dir/netmap"
cmp -s "$NETMAP_SOURCE_DIR/completions/_netmap" "$prefix/$zsh_dir/_netmap" || fail "zsh completion not installed as $zsh_dir/_netmap"
cmp -s "$NETMAP_SOURCE_DIR/completions/netmap.fish" "$prefix/$fish_dir/netmap.fish" || fail "fish completion not installed as $fish_dir/netmap.fish"
[ -f "$prefix/share/doc/netmap/README.md" ] || fail "README.md not installed in share/doc/netmap"

# 2. Those are the directories Debian's tools search (for a /usr install), asked of the tools.
if pkg-config --exists bash-completion 2>/dev/null; then
  d=$(pkg-config --variable=completionsdir bash-completion)
  [ "$d" = "/usr/$bash_dir" ] || fail "bash-completion loads completions from $d, netmap installs to /usr/$bash_dir"
else
  echo "note: bash-completion's pkg-config file is missing; its directory is not cross-checked" >&2
fi
if command -v zsh >/dev/null; then
  zsh_path=$(zsh -c 'print -l $fpath') # not piped into grep -q: pipefail and SIGPIPE
  grep -qx "/usr/$zsh_dir" <<<"$zsh_path" || fail "zsh's default fpath lacks /usr/$zsh_dir"
fi
if command -v fish >/dev/null; then
  fish_path=$(fish -c 'string join \n $fish_complete_path')
  grep -qx "/usr/$fish_dir" <<<"$fish_path" ||
    fail "fish's fish_complete_path lacks /usr/$fish_dir"
fi

# 3. man renders the installed pages from the scratch tree (and nothing but it: -M).
if command -v man >/dev/null && man -M "$prefix/share/man" -w netmap >/dev/null 2>&1; then
  for name in netmap netmap-discover netmap-check "5 netmap.yaml"; do
    # shellcheck disable=SC2086 # "5 netmap.yaml" is a section and a name
    out=$(MANWIDTH=80 man -M "$prefix/share/man" -P cat $name 2>"$T/man.err")
    [ "$(grep -c . <<<"$out")" -ge 20 ] || fail "man $name renders to $(grep -c . <<<"$out") lines: $(cat "$T/man.err")"
    grep -q "EXIT STATUS\|FORMAT\|DESCRIPTION" <<<"$out" || fail "man $name lacks its sections"
  done
else
  echo "note: man is not usable here; the installed pages were not rendered by it" >&2
fi

# 4. CPack builds a .deb (into the scratch dir); it unpacks into a root whose netmap runs.
if ! command -v cpack >/dev/null || ! command -v dpkg-deb >/dev/null; then
  echo "SKIP part: cpack or dpkg-deb is missing; the .deb is not checked" >&2
  finish
fi
(cd "$T" && cpack --config "$NETMAP_BUILD_DIR/CPackConfig.cmake" -G DEB -B "$T/pkg") >"$T/cpack.log" 2>&1 ||
  { fail "cpack -G DEB failed: $(tail -n 20 "$T/cpack.log")"; finish; }
deb=$(ls "$T"/pkg/*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || { fail "cpack made no .deb: $(tail -n 20 "$T/cpack.log")"; finish; }
info=$(dpkg-deb -I "$deb") || fail "dpkg-deb -I cannot read $deb"
grep -Eq "^ Package: netmap$" <<<"$info" || fail ".deb is not package netmap: $info"
grep -Eq "^ Version: [0-9]+\.[0-9]+\.[0-9]+" <<<"$info" || fail ".deb has no version"
grep -Eq "^ Architecture: $(dpkg --print-architecture)$" <<<"$info" || fail ".deb is not for $(dpkg --print-architecture)"
depends=$(sed -n 's/^ Depends: //p' <<<"$info")
[ -n "$depends" ] || fail ".deb declares no Depends"
contents=$(dpkg-deb -c "$deb")
for f in ./usr/bin/netmap ./usr/share/man/man1/netmap.1 ./usr/share/man/man5/netmap.yaml.5 \
  "./usr/$bash_dir/netmap" "./usr/$zsh_dir/_netmap" "./usr/$fish_dir/netmap.fish"; do
  grep -q " $f\( \|$\)" <<<"$contents" || fail ".deb lacks $f"
done
dpkg-deb -x "$deb" "$T/debroot" || fail "dpkg-deb -x failed"
got=$("$T/debroot/usr/bin/netmap" --version 2>&1) || fail "netmap from the .deb does not run: $got"
[ "$got" = "$want_version" ] || fail "netmap from the .deb says '$got', the build '$want_version'"

# Every shared library the binary needs comes from a package Depends names (checked against the
# packages that provide them here, so a new library dependency cannot ship undeclared).
if command -v objdump >/dev/null; then
  for lib in $(objdump -p "$T/debroot/usr/bin/netmap" | awk '/NEEDED/ {print $2}'); do
    path=$(ldconfig -p | awk -v l="$lib" '$1 == l {print $NF; exit}')
    [ -n "$path" ] || { fail "cannot find $lib (needed by netmap) on this system"; continue; }
    pkg=$(dpkg -S "$(realpath "$path")" 2>/dev/null | head -n 1 | cut -d: -f1)
    [ -n "$pkg" ] || pkg=$(dpkg -S "$path" 2>/dev/null | head -n 1 | cut -d: -f1)
    [ -n "$pkg" ] || { echo "note: no package owns $path; not checked" >&2; continue; }
    grep -qxF -- "$pkg" <<<"$(sed 's/, /\n/g; s/ *([^)]*)//g' <<<"$depends")" || fail ".deb Depends ($depends) lacks $pkg, which provides $lib"
  done
fi
finish
