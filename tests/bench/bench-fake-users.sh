#!/bin/bash
# bench-fake-users.sh: how fast the fake tenant serves /v1.0/users?$top=999 for 100,000 users,
# pulled page by page with curl over loopback, the way a Graph client follows @odata.nextLink.
#
# Copyright 2026 The Muster authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: bench-fake-users.sh [PATH-TO-muster-fake-tenant]
# (default: $MUSTER_BUILD_DIR/src/fake/muster-fake-tenant). Prints users/s for the fake and, as
# the peer measured in the same run, for the same loop reading the same pages from files with
# curl (the cost of the client loop itself), and their ratio. Needs bash, curl, awk, sed.

set -euo pipefail

FAKE=${1:-${MUSTER_BUILD_DIR:-.}/src/fake/muster-fake-tenant}
USERS=100000
TARGET=50000
CLIENT_ID=14d82eec-204b-4c2f-b7e8-296a70dab67e
REDIRECT=http://localhost:8400

WORK=$(mktemp -d)
FAKE_PID=
cleanup () {
  if [ -n "$FAKE_PID" ]; then kill "$FAKE_PID" 2>/dev/null || true; wait "$FAKE_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

now_ns () { date +%s%N; }

"$FAKE" --dataset generated --users "$USERS" --groups 2000 > "$WORK/fake.log" 2>&1 &
FAKE_PID=$!
BASE=
for _ in $(seq 1 600); do
  BASE=$(sed -n 's/^listening on \(http[^ ]*\).*/\1/p' "$WORK/fake.log")
  [ -n "$BASE" ] && break
  kill -0 "$FAKE_PID" 2>/dev/null || { cat "$WORK/fake.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$BASE" ] || { echo "the fake tenant did not start" >&2; exit 1; }

# A token through the real authorization-code flow: the consent page answers Accept by itself
# (auto-consent), PKCE with the plain method (RFC 7636 §4.2) so no hashing tool is needed here.
VERIFIER=bench-verifier-0123456789abcdefghijklmnopqrstuvwxyz
curl -sf -X POST "$BASE/_fake/identity/auto-consent" -H 'Content-Type: application/json' \
     -d '{"mode":"accept"}' > /dev/null
LOCATION=$(curl -s -o /dev/null -w '%{redirect_url}' -G "$BASE/organizations/oauth2/v2.0/authorize" \
  --data-urlencode "client_id=$CLIENT_ID" --data-urlencode response_type=code \
  --data-urlencode "redirect_uri=$REDIRECT" --data-urlencode "scope=User.Read.All offline_access" \
  --data-urlencode state=bench --data-urlencode "code_challenge=$VERIFIER" \
  --data-urlencode code_challenge_method=plain)
CODE=$(printf '%s' "$LOCATION" | sed -n 's/.*[?&]code=\([^&]*\).*/\1/p')
[ -n "$CODE" ] || { echo "no authorization code in '$LOCATION'" >&2; exit 1; }
TOKEN=$(curl -sf -X POST "$BASE/organizations/oauth2/v2.0/token" \
  --data-urlencode "client_id=$CLIENT_ID" --data-urlencode grant_type=authorization_code \
  --data-urlencode "code=$CODE" --data-urlencode "redirect_uri=$REDIRECT" \
  --data-urlencode "code_verifier=$VERIFIER" --data-urlencode "scope=User.Read.All" \
  | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
[ -n "$TOKEN" ] || { echo "no access token" >&2; exit 1; }

# One page: fetch @1 into page file @2; prints "users nextLink" (nextLink stands before value).
page_summary () {
  awk '{ n = gsub(/"userPrincipalName":/, "&"); u = "";
         if (match($0, /"@odata.nextLink":"[^"]*"/)) u = substr($0, RSTART + 19, RLENGTH - 20);
         print n, u }' "$1"
}

# Warm-up request (first-touch costs), then the measured pull.
curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" "$BASE/v1.0/users?\$top=1"

URL="$BASE/v1.0/users?\$top=999"
PAGES=0
TOTAL=0
START=$(now_ns)
while [ -n "$URL" ]; do
  PAGES=$((PAGES + 1))
  curl -sf -H "Authorization: Bearer $TOKEN" -o "$WORK/page-$PAGES.json" "$URL"
  read -r COUNT URL < <(page_summary "$WORK/page-$PAGES.json")
  TOTAL=$((TOTAL + COUNT))
done
FAKE_NS=$(( $(now_ns) - START ))

# The peer: the same client loop over the same bytes, read by curl from files.
START=$(now_ns)
for i in $(seq 1 "$PAGES"); do
  curl -sf -o "$WORK/copy.json" "file://$WORK/page-$i.json"
  read -r COUNT _ < <(page_summary "$WORK/copy.json")
done
PEER_NS=$(( $(now_ns) - START ))

RATE=$(( TOTAL * 1000000000 / FAKE_NS ))
PEER_RATE=$(( TOTAL * 1000000000 / PEER_NS ))
echo "fake tenant: $TOTAL users in $PAGES pages, $(( FAKE_NS / 1000000 )) ms: $RATE users/s"
echo "peer (same curl loop over files): $(( PEER_NS / 1000000 )) ms: $PEER_RATE users/s"
awk -v a="$FAKE_NS" -v b="$PEER_NS" 'BEGIN { printf "ratio fake/peer time: %.2f\n", a / b }'
if [ "$RATE" -ge "$TARGET" ]; then echo "target $TARGET users/s: met"; else echo "target $TARGET users/s: NOT met"; fi

[ "$TOTAL" -eq "$USERS" ] || { echo "expected $USERS users, got $TOTAL" >&2; exit 1; }
