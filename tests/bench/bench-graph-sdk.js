// bench-graph-sdk.js: the official Microsoft Graph JS SDK pulling every page of a collection
// with its PageIterator, for bench-directory-fetch (the peer measured in the same run).
//
// Copyright 2026 The Muster authors
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Usage: node bench-graph-sdk.js SDK_DIR BASE_URL PATH, the token in $MUSTER_BENCH_TOKEN (never on
// a command line). Prints "OBJECTS MILLISECONDS".
//        node bench-graph-sdk.js SDK_DIR BASE_URL --full USERS_PATH: a full snapshot the plain
// way: every page of USERS_PATH, of /groups, then each group's /members one request after
// another, and /subscribedSkus. Prints "USERS GROUPS MEMBERSHIPS MILLISECONDS".

'use strict';

const [sdkDir, base, path, usersPath] = process.argv.slice(2);
const { Client, HTTPMessageHandler, PageIterator } = require(sdkDir + '/node_modules/@microsoft/microsoft-graph-client');

// The SDK's AuthenticationHandler sends tokens only to https Graph hosts (and customHosts must be
// https too): for any other URL it deletes the Authorization header, fetch options included. The
// fake here is plain http on loopback, so the chain is the SDK's own HTTPMessageHandler behind a
// one-line bearer middleware (the SDK's documented custom middleware chain); the PageIterator,
// request building and response parsing are the SDK's as usual.
class BearerMiddleware {
  constructor (token) { this.token = token; }
  setNext (next) { this.next = next; }
  async execute (context) {
    const value = 'Bearer ' + this.token;
    if (context.options.headers === undefined) context.options.headers = {};
    if (typeof context.options.headers.set === 'function') context.options.headers.set('Authorization', value);
    else context.options.headers.Authorization = value;
    return this.next.execute(context);
  }
}

async function main () {
  const middleware = new BearerMiddleware(process.env.MUSTER_BENCH_TOKEN);
  middleware.setNext(new HTTPMessageHandler());
  const client = Client.initWithMiddleware({ middleware, baseUrl: base + '/', defaultVersion: 'v1.0' });
  // Likewise the SDK takes a path as a full URL only when it starts with https://, so the
  // fake's http @odata.nextLink goes to it as the same path relative to the base URL.
  const api = client.api.bind(client);
  const prefix = base + '/v1.0';
  client.api = (p) => api(p.startsWith(prefix) ? p.slice(prefix.length) : p);
  // every page of a collection through the SDK's PageIterator; the number of objects seen
  const collect = async (p, each) => {
    let objects = 0;
    const first = await client.api(p).get();
    const iterator = new PageIterator(client, first, (o) => { objects++; if (each) each(o); return true; });
    await iterator.iterate();
    return objects;
  };
  const start = performance.now();
  if (path !== '--full') {
    const objects = await collect(path);
    console.log(`${objects} ${Math.round(performance.now() - start)}`);
    return;
  }
  const users = await collect(usersPath);
  const groups = [];
  await collect('/groups?$select=id,displayName,description,mail,mailEnabled,securityEnabled,groupTypes&$top=999',
    (g) => groups.push(g.id));
  let memberships = 0;
  for (const id of groups) memberships += await collect(`/groups/${id}/members?$select=id&$top=999`);
  await client.api('/subscribedSkus').get();
  console.log(`${users} ${groups.length} ${memberships} ${Math.round(performance.now() - start)}`);
}

main().catch((error) => { console.error(error); process.exit(1); });
