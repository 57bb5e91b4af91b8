// SPDX-License-Identifier: Apache-2.0
// ioredis 5 and connect-redis 7 (the session store of Express applications) against a server on
// $SESSIONKV_PORT, the way Node.js applications use them. test_ioredis.py starts the server (sessionkv, or
// redis-server in differential mode) and runs this file with `node --test`.
'use strict';

const assert = require('node:assert/strict');
const { test, before, after, beforeEach } = require('node:test');
const Redis = require('ioredis');
const session = require('express-session');
const RedisStore = require('connect-redis').default;

const PORT = Number(process.env.SESSIONKV_PORT);
const connect = (options = {}) =>
  new Redis({ host: '127.0.0.1', port: PORT, maxRetriesPerRequest: 1, ...options });

let r;
before(async () => {
  r = connect({ connectionName: 'node-suite' });  // ready check (INFO) and CLIENT SETNAME on connect
  await r.ping();
});
after(() => r.disconnect());
beforeEach(() => r.flushall());

test('the connection handshake names the client and INFO answers the ready check', async () => {
  const list = await r.client('LIST');
  assert.match(list, /name=node-suite/);
  const info = await r.info('server');
  assert.match(info, /redis_version:7\./);
  assert.match(info, /\r\n/);
});

test('strings are binary-safe Buffers', async () => {
  const value = Buffer.from([0xac, 0xed, 0x00, 0x05, 0x74, 0x00, 0x03, 0xff, 0x0d, 0x0a]);
  assert.equal(await r.set(Buffer.from('k\x00bin'), value), 'OK');
  assert.deepEqual(await r.getBuffer(Buffer.from('k\x00bin')), value);
  assert.equal(await r.set('ttl', 'v', 'PX', 60000, 'NX'), 'OK');
  assert.equal(await r.set('ttl', 'v', 'PX', 60000, 'NX'), null);
  const pttl = await r.pttl('ttl');
  assert.ok(pttl > 59000 && pttl <= 60000, `pttl ${pttl}`);
  assert.equal(await r.incrby('n', 5), 5);
  assert.equal(await r.get('missing'), null);
});

test('hashes come back as objects, with Spring-style numeric strings', async () => {
  await r.hset('spring:session:sessions:1', {
    creationTime: '1702402961162', maxInactiveInterval: '1800', 'sessionAttr:user': 'alice',
  });
  assert.deepEqual(await r.hgetall('spring:session:sessions:1'), {
    creationTime: '1702402961162', maxInactiveInterval: '1800', 'sessionAttr:user': 'alice',
  });
  assert.deepEqual(await r.hgetall('none'), {});
  assert.equal(await r.hincrby('spring:session:sessions:1', 'maxInactiveInterval', 60), 1860);
});

test('a pipeline answers every command in order, errors in place', async () => {
  const results = await r.pipeline().set('a', '1').incr('a').hset('a', 'f', 'v').get('a').exec();
  assert.deepEqual(results.map(([err, v]) => (err ? err.message.split(' ')[0] : v)),
    ['OK', 2, 'WRONGTYPE', '2']);
});

test('MULTI/EXEC and WATCH', async () => {
  assert.deepEqual(await r.multi().set('x', 'a').append('x', 'b').get('x').exec(),
    [[null, 'OK'], [null, 2], [null, 'ab']]);
  const other = connect();
  try {
    await r.watch('x');
    await other.set('x', 'changed');
    assert.equal(await r.multi().set('x', 'mine').exec(), null);  // aborted: x changed under WATCH
    assert.equal(await r.get('x'), 'changed');
  } finally {
    other.disconnect();
  }
});

test('scanStream visits every key exactly as SCAN promises', async () => {
  const keys = Array.from({ length: 500 }, (_, i) => `sess:${i}`);
  await r.mset(...keys.flatMap((k) => [k, 'v']));
  await r.set('other', 'v');
  const seen = new Set();
  for await (const batch of r.scanStream({ match: 'sess:*', count: 50 })) batch.forEach((k) => seen.add(k));
  assert.equal(seen.size, 500);
  assert.ok(!seen.has('other'));
});

test('pub/sub and keyspace notifications reach a subscriber', async () => {
  await r.config('SET', 'notify-keyspace-events', 'KEA');
  const sub = connect();
  try {
    const got = [];
    const done = new Promise((resolve) => {
      sub.on('pmessage', (pattern, channel, message) => {
        got.push([pattern, channel, message]);
        if (got.length === 4) resolve();
      });
    });
    await sub.psubscribe('__keyevent@0__:*');
    await r.set('ev', 'v', 'PX', 50);
    await r.del('nothing');  // no event for a missing key
    await r.hset('evh', 'f', 'v');
    await done;
    assert.deepEqual(got, [
      ['__keyevent@0__:*', '__keyevent@0__:set', 'ev'],
      ['__keyevent@0__:*', '__keyevent@0__:expire', 'ev'],  // SET ... PX announces the TTL too
      ['__keyevent@0__:*', '__keyevent@0__:hset', 'evh'],
      ['__keyevent@0__:*', '__keyevent@0__:expired', 'ev'],
    ]);
    const subscriber = connect();
    const message = new Promise((resolve) => subscriber.on('message', (c, m) => resolve([c, m])));
    await subscriber.subscribe('chan');
    assert.equal(await r.publish('chan', 'hello'), 1);
    assert.deepEqual(await message, ['chan', 'hello']);
    subscriber.disconnect();
  } finally {
    sub.disconnect();
    await r.config('SET', 'notify-keyspace-events', '');
  }
});

test('BLPOP waits for a push from another connection', async () => {
  const blocked = connect();
  try {
    const popped = blocked.blpop('queue', 5);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await r.rpush('queue', 'job');
    assert.deepEqual(await popped, ['queue', 'job']);
    assert.equal(await blocked.blpop('queue', 0.05), null);
  } finally {
    blocked.disconnect();
  }
});

test('error replies keep their Redis text', async () => {
  await assert.rejects(r.call('NOSUCHCOMMAND'), /^ReplyError: ERR unknown command 'NOSUCHCOMMAND'/);
  await assert.rejects(r.rename('missing', 'x'), { message: 'ERR no such key' });
  await assert.rejects(r.call('GET'), { message: "ERR wrong number of arguments for 'get' command" });
});

// connect-redis is to Express what Spring Session is to Spring: the store behind req.session.
test('connect-redis stores, reads, touches, lists and destroys Express sessions', async () => {
  const store = new RedisStore({ client: r, prefix: 'sess:', ttl: 600 });
  const call = (method, ...args) =>
    new Promise((resolve, reject) => store[method](...args, (err, v) => (err ? reject(err) : resolve(v))));
  const cookie = new session.Cookie({ maxAge: 120000 });
  const data = { cookie: cookie.toJSON(), user: { id: 42, name: 'alice' }, cart: ['a', 'b'] };

  await call('set', 'sid1', data);
  await call('set', 'sid2', { cookie: cookie.toJSON(), user: null });
  const loaded = await call('get', 'sid1');
  assert.deepEqual(loaded.user, { id: 42, name: 'alice' });
  assert.deepEqual(loaded.cart, ['a', 'b']);
  const ttl = await r.ttl('sess:sid1');
  assert.ok(ttl > 110 && ttl <= 120, `ttl ${ttl}`);  // the cookie's maxAge, not the store default

  await r.expire('sess:sid1', 30);
  await call('touch', 'sid1', data);
  assert.ok((await r.ttl('sess:sid1')) > 110);

  assert.equal(await call('length'), 2);
  assert.deepEqual((await call('ids')).sort(), ['sid1', 'sid2']);
  assert.equal((await call('all')).length, 2);

  await call('destroy', 'sid1');
  assert.equal(await call('get', 'sid1'), undefined);
  await call('clear');
  assert.equal(await call('length'), 0);
});
