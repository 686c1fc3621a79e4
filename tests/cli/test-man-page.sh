#!/bin/sh
# test-man-page.sh: muster-cli(1) renders without a warning and covers every command and option
#
# Copyright 2026 The Muster authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# usage: test-man-page.sh MUSTER_CLI PAGE — exit 77 (skipped) with neither man nor groff.

cli=$1
page=$2
status=0

if command -v man >/dev/null 2>&1; then
    warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
elif command -v groff >/dev/null 2>&1; then
    warnings=$(groff -man -ww -z "$page" 2>&1)
else
    echo "neither man nor groff is installed"
    exit 77
fi
if [ -n "$warnings" ]; then
    echo "$page has warnings:"
    echo "$warnings"
    status=1
fi

# Every command `muster-cli --help` lists has its section, and every option a command's --help
# names is in the page (with its hyphens escaped, as roff needs them).
commands=$("$cli" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\).*/\1/p')
if [ -z "$commands" ]; then
    echo "muster-cli --help lists no commands"
    exit 1
fi
for command in $commands; do
    if ! grep -q "^\.SS \"\{0,1\}$command\b" "$page"; then
        echo "no section for the command $command"
        status=1
    fi
    for option in $("$cli" "$command" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
        escaped=$(printf '%s' "$option" | sed 's/-/\\\\-/g')
        if ! grep -q -- "$escaped" "$page"; then
            echo "$command: the option $option is not in the page"
            status=1
        fi
    done
done
exit $status
