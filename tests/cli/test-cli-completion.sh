#!/bin/bash
# test-cli-completion.sh: the bash completion of muster-cli, run the way bash runs it
#
# Copyright 2026 The Muster authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# usage: test-cli-completion.sh MUSTER_CLI COMPLETION_FILE. Uses the bash-completion package
# when it is installed (as a user's shell would), and plain bash otherwise.

cli=$1
completion=$2
status=0

export MUSTER_DATA_DIR=$(mktemp -d)
export MUSTER_GRAPH_HOST=http://127.0.0.1:9
trap 'rm -rf "$MUSTER_DATA_DIR"' EXIT

for file in /usr/share/bash-completion/bash_completion /etc/bash_completion; do
    if [ -r "$file" ]; then
        . "$file"
        echo "# with $file"
        break
    fi
done
. "$completion" || exit 1

"$cli" profile add alpha --default 2>/dev/null || exit 1
"$cli" profile add beta 2>/dev/null || exit 1
"$cli" target add people "sqlite:$MUSTER_DATA_DIR/people.db" 2>/dev/null || exit 1
"$cli" target add payroll "sqlite:$MUSTER_DATA_DIR/payroll.db" 2>/dev/null || exit 1
"$cli" --profile beta target add other "sqlite:$MUSTER_DATA_DIR/other.db" 2>/dev/null || exit 1

# expect "WORDS…" "EXPECTED COMPLETIONS": the last word is the one being completed.
expect ()
{
    local line=$1 expected=$2 got
    read -r -a COMP_WORDS <<< "$line"
    [[ $line == *" " ]] && COMP_WORDS+=("")
    COMP_WORDS[0]=$cli
    COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
    COMP_LINE=$line
    COMP_POINT=${#line}
    _muster_cli
    got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//')
    if [[ $got == "$expected" ]]; then
        echo "ok: '$line' → $got"
    else
        echo "FAIL: '$line' → '$got', expected '$expected'"
        status=1
    fi
}

expect "muster-cli pre" "preview"
expect "muster-cli pu" "push"
expect "muster-cli --profile beta hi" "history"
expect "muster-cli --pro" "--profile"
expect "muster-cli --profile " "alpha beta"
expect "muster-cli target " "add list remove roles"
expect "muster-cli target remove " "payroll people"
expect "muster-cli target remove pe" "people"
expect "muster-cli --profile beta target remove " "other"
expect "muster-cli target roles people " "add list remove"
expect "muster-cli profile remove b" "beta"
expect "muster-cli push --target pa" "payroll"
expect "muster-cli push --force" "--force-limit"
expect "muster-cli push --y" "--yes"
expect "muster-cli preview --only-" "--only-existing --only-new"
expect "muster-cli users --exclude-g" "--exclude-guests"
expect "muster-cli users --group-type m" "mail-security microsoft365"
expect "muster-cli history --format " "csv json table xlsx"
expect "muster-cli preview --format " "csv json pdf table xlsx"
expect "muster-cli users --format " "csv json pdf table xlsx"
expect "muster-cli users --paper " "a4 letter"
expect "muster-cli login --d" "--device-code"
expect "muster-cli rules " "export import show"
expect "muster-cli assign --type b" "billing-administrator"
expect "muster-cli assign --always " "exclude include rules"
expect "muster-cli target add people " "scim:https:// sqlite:"
exit $status
