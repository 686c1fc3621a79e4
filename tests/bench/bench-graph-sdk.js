// bench-graph-sdk.js: the official Microsoft Graph JS SDK pulling every page of a collection
// with its PageIterator, for bench-directory-fetch (the peer measured in the same run).
//
// Copyright 2026 The Muster authors
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Usage: node bench-graph-sdk.js SDK_DIR BASE_URL PATH, the token in $MUSTER_BENCH_TOKEN (never on
// a command line). Prints "OBJECTS MILLISECONDS".

'use strict';

const [sdkDir, base, path] = process.argv.slice(2);
const { Client, PageIterator } = require(sdkDir + '/node_modules/@microsoft/microsoft-graph-client');

async function main () {
  const token = process.env.MUSTER_BENCH_TOKEN;
  const client = Client.init({
    authProvider: (done) => done(null, token),
    baseUrl: base + '/',
    defaultVersion: 'v1.0',
    // the SDK's auth handler attaches tokens only to https URLs; the fake here is plain http on
    // loopback, so the same header goes with every request through the client's fetch options
    fetchOptions: { headers: { Authorization: 'Bearer ' + token } },
  });
  const start = performance.now();
  let objects = 0;
  const first = await client.api(path).get();
  const iterator = new PageIterator(client, first, () => { objects++; return true; });
  await iterator.iterate();
  console.log(`${objects} ${Math.round(performance.now() - start)}`);
}

main().catch((error) => { console.error(error); process.exit(1); });
