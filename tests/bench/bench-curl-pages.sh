#!/bin/bash
# bench-curl-pages.sh: curl pulling every page of a Graph collection, following @odata.nextLink,
# for bench-directory-fetch (the peer measured in the same run).
#
# Copyright 2026 The Muster authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: bench-curl-pages.sh URL < token (the token comes on standard input, never on a command
# line; curl reads the header from a pipe). Prints "OBJECTS PAGES MILLISECONDS".

set -euo pipefail

URL=$1
read -r TOKEN
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

PAGES=0
TOTAL=0
START=$(date +%s%N)
while [ -n "$URL" ]; do
  PAGES=$((PAGES + 1))
  printf 'Authorization: Bearer %s\n' "$TOKEN" | curl -sf -H @- -o "$WORK/page.json" "$URL"
  # the same summary a client needs: how many objects, and the next link
  read -r COUNT URL < <(awk '{ n = gsub(/"userPrincipalName":/, "&"); u = "";
                               if (match($0, /"@odata.nextLink":"[^"]*"/)) u = substr($0, RSTART + 19, RLENGTH - 20);
                               print n, u }' "$WORK/page.json")
  TOTAL=$((TOTAL + COUNT))
done
echo "$TOTAL $PAGES $(( ($(date +%s%N) - START) / 1000000 ))"
