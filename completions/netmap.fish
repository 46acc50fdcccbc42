# fish completion for netmap(1). Installed as /usr/share/fish/vendor_completions.d/netmap.fish.
# The options mirror `netmap <command> --help`; tests/cli/completions_test.sh fails when they drift
# apart. Preset names come from the netmap being completed, so they are never stale.

# True once the command line has a "--" after the subcommand: the rest is the command netmap runs.
function __netmap_after_dashdash
    set -l tokens (commandline -opc)
    contains -- -- $tokens[3..-1]
end

# Completes the command after "--" as a command line of its own.
function __netmap_complete_command
    set -l tokens (commandline -opc)
    set -l i (contains -i -- -- $tokens)
    set -l cmd
    if test $i -lt (count $tokens)
        set cmd $tokens[(math $i + 1)..-1]
    end
    complete -C (string join ' ' -- (string escape -- $cmd) (commandline -ct))
end

# The built-in preset names, from `netmap presets --json`.
function __netmap_presets
    set -l prog (commandline -opc)[1]
    $prog presets --json 2>/dev/null | string replace -rf '^\s*"name": "([^"]*)".*' '$1'
end

# True when completing options or values of subcommand $argv[1] (before any "--").
function __netmap_in
    __fish_seen_subcommand_from $argv[1]; and not __netmap_after_dashdash
end

set -l subcommands discover replay export check sandbox-dns explain proxy merge presets
set -l targets codex copilot claude srt harden-runner squid dnsmasq unbound json

complete -c netmap -f
complete -c netmap -n __fish_use_subcommand -s h -l help -d 'Print help and exit'
complete -c netmap -n __fish_use_subcommand -l version -d 'Print the version and git revision'
complete -c netmap -n __fish_use_subcommand -a discover -d "Capture a build's traffic and list every domain it contacts"
complete -c netmap -n __fish_use_subcommand -a replay -d 'Run a command fenced like the sandbox and report what broke'
complete -c netmap -n __fish_use_subcommand -a export -d "Write the sandbox's allowlist configuration"
complete -c netmap -n __fish_use_subcommand -a check -d 'CI: fail when the build contacts a domain the policy lacks'
complete -c netmap -n __fish_use_subcommand -a sandbox-dns -d 'Serve the restrictive resolver alone or around a command'
complete -c netmap -n __fish_use_subcommand -a explain -d 'Say which rule allows or blocks a name'
complete -c netmap -n __fish_use_subcommand -a proxy -d 'Serve the allowlisting CONNECT proxy alone'
complete -c netmap -n __fish_use_subcommand -a merge -d 'Combine inventories into one'
complete -c netmap -n __fish_use_subcommand -a presets -d 'List the built-in allowlists, or print one'

# After "--": the command to run, then its own arguments.
complete -c netmap -n __netmap_after_dashdash -x -a '(__netmap_complete_command)'

# Options every subcommand has, and the policy and output groups most share.
for c in $subcommands
    complete -c netmap -n "__netmap_in $c" -s h -l help -d 'Print help and exit'
end
for c in discover replay export check sandbox-dns explain proxy merge
    complete -c netmap -n "__netmap_in $c" -l policy -r -F -d 'Policy file instead of the nearest netmap.yaml'
    complete -c netmap -n "__netmap_in $c" -l preset -x -a '(__netmap_presets)' -d "Built-in allowlist instead of the file's presets"
    complete -c netmap -n "__netmap_in $c" -l allow -x -d 'Add an allow rule: x, *.x, **.x'
end
for c in discover replay check sandbox-dns explain proxy presets
    complete -c netmap -n "__netmap_in $c" -l json -d 'Write machine-readable JSON to stdout'
    complete -c netmap -n "__netmap_in $c" -l color -x -a 'auto always never' -d 'Colour: auto, always, never'
end
for c in discover replay export check sandbox-dns proxy merge
    complete -c netmap -n "__netmap_in $c" -s o -l output -r -F -d 'Write the result to FILE, atomically'
end

# discover
complete -c netmap -n '__netmap_in discover' -s r -l read -r -F -d "Read pcap/pcapng capture files ('-' = stdin)"
complete -c netmap -n '__netmap_in discover' -s i -l interface -x -a 'any (string replace -r ".*/" "" /sys/class/net/*)' -d 'Capture live on this interface'
complete -c netmap -n '__netmap_in discover' -l duration -x -d 'Live: stop after this many seconds'
complete -c netmap -n '__netmap_in discover' -l filter -x -d 'BPF expression, see pcap-filter(7)'
complete -c netmap -n '__netmap_in discover' -l events -r -F -d 'Write each contact as JSON Lines to FILE'
complete -c netmap -n '__netmap_in discover' -l buffer -x -d 'Live: kernel capture buffer in MiB (1-1024)'
complete -c netmap -n '__netmap_in discover' -l no-kernel-filter -d 'Live: copy every packet to netmap'

# replay
complete -c netmap -n '__netmap_in replay' -l dns-mode -x -a 'nxdomain resolve' -d 'What names the policy lacks resolve to'
complete -c netmap -n '__netmap_in replay' -l junit -r -F -d 'JUnit XML reports the command writes (globs)'
complete -c netmap -n '__netmap_in replay' -l events -r -F -d 'Write every attempt as JSON Lines to FILE'
complete -c netmap -n '__netmap_in replay' -l upstream -x -d 'DNS upstream ADDR[:PORT] for allowed names'
complete -c netmap -n '__netmap_in replay' -l resolve -x -d "Connect the proxy's upstream for NAME=ADDR"
complete -c netmap -n '__netmap_in replay' -l proxy-port -x -d "The proxy's port on 127.0.0.1 inside the fence"
complete -c netmap -n '__netmap_in replay' -l sni-mismatch -x -a 'block report' -d 'A tunnel whose TLS name differs from its CONNECT host'

# export
complete -c netmap -n '__netmap_in export' -s t -l target -x -a "$targets" -d 'The sandbox to write configuration for'
complete -c netmap -n '__netmap_in export' -s i -l inventory -r -F -d 'Inventory or events file to add uncovered domains from'
complete -c netmap -n '__netmap_in export' -l upstream -x -d 'dnsmasq/unbound: forward allowed names to ADDR[#PORT]'

# check
complete -c netmap -n '__netmap_in check' -s i -l inventory -r -F -d 'Inventory or events file to check'
complete -c netmap -n '__netmap_in check' -s t -l target -x -a "$targets" -d 'Also report rules this sandbox cannot express'
complete -c netmap -n '__netmap_in check' -s f -l format -x -a 'text json github junit' -d 'Report format'
complete -c netmap -n '__netmap_in check' -l fail-on -x -a 'error warning notice' -d 'Exit 1 for findings at least this severe'
complete -c netmap -n '__netmap_in check' -l stale -d 'Also report allow rules no contacted domain needed'

# sandbox-dns
complete -c netmap -n '__netmap_in sandbox-dns' -l listen -x -d 'Serve UDP and TCP on ADDR[:PORT]'
complete -c netmap -n '__netmap_in sandbox-dns' -l upstream -x -d 'Forward allowed names to ADDR[:PORT]'
complete -c netmap -n '__netmap_in sandbox-dns' -l cname-policy -x -a 'report strict' -d 'Alias targets outside the policy'
complete -c netmap -n '__netmap_in sandbox-dns' -l block-rcode -x -a 'nxdomain refused' -d 'Answer for blocked names'
complete -c netmap -n '__netmap_in sandbox-dns' -l allow-from -x -d 'Also serve clients in CIDR'
complete -c netmap -n '__netmap_in sandbox-dns' -l rate-limit -x -d 'Queries per second per client (0: unlimited)'
complete -c netmap -n '__netmap_in sandbox-dns' -l threads -x -d 'Worker threads (1-64)'
complete -c netmap -n '__netmap_in sandbox-dns' -l timeout -x -d 'Upstream timeout per attempt in ms (10-60000)'
complete -c netmap -n '__netmap_in sandbox-dns' -l log -r -F -d "Write every query as an event (JSON Lines), '-' for stdout"

# explain
complete -c netmap -n '__netmap_in explain' -l target -x -a "netmap $targets" -d "Also decide under this sandbox's semantics"

# proxy
complete -c netmap -n '__netmap_in proxy' -l listen -x -d 'Address to listen on, ADDR:PORT'
complete -c netmap -n '__netmap_in proxy' -l methods -x -a 'CONNECT GET HEAD POST PUT PATCH DELETE OPTIONS' -d 'Allowed HTTP methods'
complete -c netmap -n '__netmap_in proxy' -l upstream -x -d 'Parent proxy http://[user:pass@]host:port'
complete -c netmap -n '__netmap_in proxy' -l no-proxy -x -d 'Hosts that bypass the parent proxy'
complete -c netmap -n '__netmap_in proxy' -l no-upstream -d 'Connect directly even when the environment names a proxy'
complete -c netmap -n '__netmap_in proxy' -l refuse-local -d 'Refuse allowed names that resolve to this machine'
complete -c netmap -n '__netmap_in proxy' -l rate-requests -x -d 'Requests per second per destination host'
complete -c netmap -n '__netmap_in proxy' -l rate-bytes -x -d 'Bytes per second per destination host (500k, 2M)'
complete -c netmap -n '__netmap_in proxy' -l buffer -x -d 'Relay buffer per direction per connection (4k-64M)'
complete -c netmap -n '__netmap_in proxy' -l idle-timeout -x -d 'Close connections idle this many seconds'
complete -c netmap -n '__netmap_in proxy' -l connect-timeout -x -d 'Give up connecting upstream after this many seconds'
complete -c netmap -n '__netmap_in proxy' -l max-connections -x -d 'Refuse clients beyond this many open connections'
complete -c netmap -n '__netmap_in proxy' -l allow-from -x -d 'Also accept clients from this network'
complete -c netmap -n '__netmap_in proxy' -l sni-mismatch -x -a 'report block' -d 'A tunnel whose TLS name differs from its CONNECT host'
complete -c netmap -n '__netmap_in proxy' -l threads -x -d 'Event-loop threads (1-64)'
complete -c netmap -n '__netmap_in proxy' -l resolve -x -d 'Connect NAME to ADDR instead of resolving it (NAME=ADDR)'
complete -c netmap -n '__netmap_in proxy' -l log -r -F -d 'Write every request as an event, JSON Lines'

# merge: inventories and event logs as arguments
complete -c netmap -n '__netmap_in merge' -l keep-verdicts -d 'Keep the recorded verdicts; apply no policy'
complete -c netmap -n '__netmap_in merge' -F

# presets: a preset name as argument
complete -c netmap -n '__netmap_in presets' -x -a '(__netmap_presets)'
