# bash completion for netmap(1)                                     -*- shell-script -*-
# Installed as /usr/share/bash-completion/completions/netmap; needs bash-completion.
# The option lists mirror `netmap <command> --help`; tests/cli/completions_test.sh fails when they
# drift apart. Preset names come from the netmap being completed, so they are never stale.
# shellcheck disable=SC2207 # COMPREPLY=($(compgen ...)): candidates never contain spaces

# _netmap_presets PROGRAM: the built-in preset names, from `PROGRAM presets --json`.
_netmap_presets()
{
    "$1" presets --json 2>/dev/null | sed -n 's/^ *"name": "\([^"]*\)".*/\1/p'
}

_netmap()
{
    local cur prev words cword split
    _init_completion -s || return

    local commands="discover replay export check sandbox-dns explain proxy merge presets"
    local policy="--policy --preset --allow" output="--json --color"
    local -A opts=(
        [discover]="-h --help -r --read -i --interface --duration --filter -o --output --events
                    --buffer --no-kernel-filter $policy $output"
        [replay]="-h --help --dns-mode --junit -o --output --events --upstream --resolve
                  --proxy-port --sni-mismatch $policy $output"
        [export]="-h --help -t --target -i --inventory -o --output --upstream $policy"
        [check]="-h --help -i --inventory -t --target -f --format --fail-on --stale -o --output
                 $policy $output"
        [sandbox-dns]="-h --help --listen --upstream --cname-policy --block-rcode --allow-from
                       --rate-limit --threads --timeout --log -o --output $policy $output"
        [explain]="-h --help --target $policy $output"
        [proxy]="-h --help --listen --methods --upstream --no-proxy --no-upstream --refuse-local --rate-requests
                 --rate-bytes --buffer --idle-timeout --connect-timeout --max-connections --allow-from
                 --sni-mismatch --threads --resolve --log -o --output $policy $output"
        [merge]="-h --help -o --output --keep-verdicts $policy"
        [presets]="-h --help $output"
    )

    # The subcommand is the first word after netmap that is not an option (top-level options
    # take no values).
    local i cmd=
    for ((i = 1; i < cword; i++)); do
        if [[ ${words[i]} != -* ]]; then
            cmd=${words[i]}
            break
        fi
    done
    if [[ -z $cmd ]]; then
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W '-h --help --version' -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$commands" -- "$cur"))
        fi
        return
    fi
    [[ -n ${opts[$cmd]+set} ]] || return

    # Everything after "--" is the command netmap runs: complete it as its own command line.
    local j
    for ((j = i + 1; j < cword; j++)); do
        if [[ ${words[j]} == -- ]]; then
            _command_offset $((j + 1))
            return
        fi
    done

    case $prev in
        --preset)
            COMPREPLY=($(compgen -W "$(_netmap_presets "${words[0]}")" -- "$cur"))
            return ;;
        -t | --target)
            local targets="codex copilot claude srt harden-runner squid dnsmasq unbound json"
            [[ $cmd == explain ]] && targets="netmap $targets"
            COMPREPLY=($(compgen -W "$targets" -- "$cur"))
            return ;;
        -i | --interface | --inventory)
            if [[ $cmd == discover ]]; then
                COMPREPLY=($(compgen -W "any $(command ls /sys/class/net 2>/dev/null)" -- "$cur"))
            else
                _filedir
            fi
            return ;;
        -r | --read | -o | --output | --events | --policy | --junit | --log)
            _filedir
            return ;;
        --color)
            COMPREPLY=($(compgen -W 'auto always never' -- "$cur"))
            return ;;
        --dns-mode)
            COMPREPLY=($(compgen -W 'nxdomain resolve' -- "$cur"))
            return ;;
        --sni-mismatch)
            COMPREPLY=($(compgen -W 'block report' -- "$cur"))
            return ;;
        -f | --format)
            COMPREPLY=($(compgen -W 'text json github junit' -- "$cur"))
            return ;;
        --fail-on)
            COMPREPLY=($(compgen -W 'error warning notice' -- "$cur"))
            return ;;
        --cname-policy)
            COMPREPLY=($(compgen -W 'report strict' -- "$cur"))
            return ;;
        --block-rcode)
            COMPREPLY=($(compgen -W 'nxdomain refused' -- "$cur"))
            return ;;
        --methods)
            COMPREPLY=($(compgen -W 'CONNECT GET HEAD POST PUT PATCH DELETE OPTIONS' -- "$cur"))
            return ;;
        --filter | --duration | --buffer | --upstream | --resolve | --proxy-port | --listen | \
            --allow | --allow-from | --rate-limit | --threads | --timeout | --no-proxy | \
            --rate-requests | --rate-bytes | --idle-timeout | --connect-timeout | --max-connections)
            return ;; # a free-form value: nothing sensible to offer
    esac
    $split && return

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "${opts[$cmd]}" -- "$cur"))
        return
    fi
    case $cmd in
        merge) _filedir ;;
        presets) COMPREPLY=($(compgen -W "$(_netmap_presets "${words[0]}")" -- "$cur")) ;;
        discover | replay | check | sandbox-dns) COMPREPLY=($(compgen -W '--' -- "$cur")) ;;
    esac
} &&
    complete -F _netmap netmap

# ex: filetype=sh
