# muster-cli.bash: bash completion for muster-cli
#
# Copyright 2026 The Muster authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Commands and their options come from muster-cli's own --help, so they never fall behind the
# program; profile and target names from `muster-cli --json profile list` / `target list`.
# Works with or without the bash-completion package.

# The muster-cli being completed, with the --profile already typed (target names are per profile).
_muster_cli_run ()
{
    local program=${COMP_WORDS[0]} i profile=
    [[ $program == "~/"* ]] && program=$HOME/${program#\~/}
    for (( i = 1; i < COMP_CWORD; i++ )); do
        if [[ ${COMP_WORDS[i]} == --profile ]]; then
            profile=${COMP_WORDS[i+1]}
        elif [[ ${COMP_WORDS[i]} == --profile=* ]]; then
            profile=${COMP_WORDS[i]#--profile=}
        fi
    done
    if [[ -n $profile ]]; then
        "$program" --profile "$profile" "$@" 2>/dev/null
    else
        "$program" "$@" 2>/dev/null
    fi
}

# Names from a JSON list: `"name" : "people",` (names have no quotes or spaces).
_muster_cli_names ()
{
    _muster_cli_run --json "$1" list | sed -n 's/^ *"name" *: *"\([^"]*\)".*/\1/p'
}

_muster_cli_commands ()
{
    _muster_cli_run --help | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\).*/\1/p'
}

_muster_cli_options ()
{
    {
        _muster_cli_run "$1" --help | grep -o -- '--[a-z][a-z-]*'
        printf '%s\n' --profile --json --help
    } | sort -u
}

_muster_cli ()
{
    local cur=${COMP_WORDS[COMP_CWORD]}
    local prev=${COMP_WORDS[COMP_CWORD-1]}
    local command= sub= i word
    local -a args=()

    COMPREPLY=()

    # The command is the first word that is neither an option nor the value of --profile.
    for (( i = 1; i < COMP_CWORD; i++ )); do
        word=${COMP_WORDS[i]}
        if [[ $word == --profile ]]; then
            (( i++ ))
        elif [[ $word != -* ]]; then
            if [[ -z $command ]]; then
                command=$word
            else
                args+=("$word")
            fi
        fi
    done
    sub=${args[0]}

    case $prev in
        --profile)
            COMPREPLY=($(compgen -W "$(_muster_cli_names profile)" -- "$cur"))
            return ;;
        --target)
            COMPREPLY=($(compgen -W "$(_muster_cli_names target) sqlite: scim:https://" -- "$cur"))
            [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *: ]] && compopt -o nospace 2>/dev/null
            return ;;
        --format)
            if [[ $command == preview || $command == users ]]; then
                COMPREPLY=($(compgen -W "table csv json xlsx pdf" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "table csv json xlsx" -- "$cur"))
            fi
            return ;;
        --paper)
            COMPREPLY=($(compgen -W "a4 letter" -- "$cur"))
            return ;;
        --group-type)
            COMPREPLY=($(compgen -W "security mail-security distribution microsoft365" -- "$cur"))
            return ;;
        --email-method)
            COMPREPLY=($(compgen -W "upn mail mail-or-upn" -- "$cur"))
            return ;;
        --every)
            COMPREPLY=($(compgen -W "hourly daily weekly" -- "$cur"))
            return ;;
        --cloud)
            COMPREPLY=($(compgen -W "global usgov dod china" -- "$cur"))
            return ;;
        --auth)
            COMPREPLY=($(compgen -W "browser device-code secret certificate" -- "$cur"))
            return ;;
        --type)
            COMPREPLY=($(compgen -W "user administrator billing-administrator" -- "$cur"))
            return ;;
        --always)
            COMPREPLY=($(compgen -W "include exclude rules" -- "$cur"))
            return ;;
        --save|--compare|--preview)
            compopt -o filenames 2>/dev/null
            COMPREPLY=($(compgen -f -X '!*.muster-preview' -- "$cur") $(compgen -d -- "$cur"))
            return ;;
        --output|--deny-file|--certificate|--key)
            compopt -o filenames 2>/dev/null
            COMPREPLY=($(compgen -f -- "$cur"))
            return ;;
        --group|--search|--run|--snapshot|--since|--tenant|--client-id|--columns|--user|--roles)
            return ;;
    esac

    if [[ $cur == -* ]]; then
        if [[ -z $command ]]; then
            COMPREPLY=($(compgen -W "--profile --json --help --version" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$(_muster_cli_options "$command")" -- "$cur"))
        fi
        return
    fi

    if [[ -z $command ]]; then
        COMPREPLY=($(compgen -W "$(_muster_cli_commands)" -- "$cur"))
        return
    fi

    case $command in
        profile)
            if [[ ${#args[@]} -eq 0 ]]; then
                COMPREPLY=($(compgen -W "add list remove" -- "$cur"))
            elif [[ $sub == remove && ${#args[@]} -eq 1 ]]; then
                COMPREPLY=($(compgen -W "$(_muster_cli_names profile)" -- "$cur"))
            fi ;;
        target)
            if [[ ${#args[@]} -eq 0 ]]; then
                COMPREPLY=($(compgen -W "add list remove roles" -- "$cur"))
            elif [[ ($sub == remove || $sub == roles) && ${#args[@]} -eq 1 ]]; then
                COMPREPLY=($(compgen -W "$(_muster_cli_names target)" -- "$cur"))
            elif [[ $sub == add && ${#args[@]} -eq 2 ]]; then
                COMPREPLY=($(compgen -W "sqlite: scim:https://" -- "$cur"))
                compopt -o nospace 2>/dev/null
            elif [[ $sub == roles && ${#args[@]} -eq 2 ]]; then
                COMPREPLY=($(compgen -W "add remove list" -- "$cur"))
            fi ;;
        schedule)
            if [[ ${#args[@]} -eq 0 ]]; then
                COMPREPLY=($(compgen -W "enable disable status" -- "$cur"))
            fi ;;
        rules)
            if [[ ${#args[@]} -eq 0 ]]; then
                COMPREPLY=($(compgen -W "show export import" -- "$cur"))
            elif [[ $sub == import && ${#args[@]} -eq 1 ]]; then
                compopt -o filenames 2>/dev/null
                COMPREPLY=($(compgen -f -- "$cur"))
            fi ;;
    esac
}

complete -F _muster_cli muster-cli
