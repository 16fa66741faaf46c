# bash completion for twinctl (installed as
# $datadir/bash-completion/completions/twinctl).
# The commands and their options are read from `twinctl --help` and
# `twinctl COMMAND --help`, so that new ones complete without an edit here.
# Plain bash (compgen): works with or without the bash-completion package.

_twinctl_commands()
{
    "$1" --help 2>/dev/null | awk '
        /^Commands:/ { on = 1; next }
        on && /^$/ { exit }
        on && /^  [a-z]/ { print $1 }'
}

_twinctl_options()
{
    "$1" "$2" --help 2>/dev/null | grep -oE '^ +(-[a-zA-Z], )?--?[a-zA-Z][a-zA-Z0-9-]*' |
        tr ',' '\n' | tr -d ' '
}

_twinctl()
{
    local cur prev cmd word i
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
    COMPREPLY=()
    cmd=
    for ((i = 1; i < COMP_CWORD; i++)); do
        word=${COMP_WORDS[i]}
        case $word in
            -*) ;;
            *) cmd=$word; break ;;
        esac
    done

    if [ -z "$cmd" ]; then
        if [[ $cur == -* ]]; then
            mapfile -t COMPREPLY < <(compgen -W '--help --version' -- "$cur")
        else
            mapfile -t COMPREPLY < <(compgen -W "$(_twinctl_commands "${COMP_WORDS[0]}") help" \
                -- "$cur")
        fi
        return 0
    fi

    case $prev in
        -d|--db|-o|--output|--svg)
            mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return 0 ;;
        --models)
            mapfile -t COMPREPLY < <(compgen -d -- "$cur"); return 0 ;;
        --direction)
            mapfile -t COMPREPLY < <(compgen -W 'out in both' -- "$cur"); return 0 ;;
        --rule)
            mapfile -t COMPREPLY < <(compgen -W 'attenuate weakest' -- "$cur"); return 0 ;;
        --max-dtdl-version)
            mapfile -t COMPREPLY < <(compgen -W '2 3 4' -- "$cur"); return 0 ;;
        --top|--depth|--attenuation|--root-health|--reorder-window|--health|--follow|\
        --tolerance-offset|--tolerance-skew)
            return 0 ;;  # a value the user types
        --broker)  # watch: HOST:PORT, a local broker offered
            mapfile -t COMPREPLY < <(compgen -W '127.0.0.1:1883 localhost:1883' -- "$cur")
            return 0 ;;
        --group|--count|--seconds)
            return 0 ;;  # watch: a value the user types
        --postgres|--table|--source|--influx|--batch)
            return 0 ;;  # forward: a conninfo, a table, a name, a URL, a number
    esac

    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$(_twinctl_options "${COMP_WORDS[0]}" "$cmd")" \
            -- "$cur")
    else
        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
    fi
    return 0
}

complete -o filenames -F _twinctl twinctl
