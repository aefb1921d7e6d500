/**
 * Figure 8's load client, in its own process. One command (over IPC):
 *   rounds: holds `bystanders` sessions (other users) and the admin's session open throughout;
 *           then, round by round, alternating the two paths: a victim connects (hello-ok) and is
 *           removed from gateway.auth.trustedProxy.allowUsers, either (a) by writing the config
 *           without them to a temp file in the same directory and renaming it over the config file
 *           (as editors do), timed from just before the rename to the victim's close event, or
 *           (b) by the admin's `config.patch` (after `config.get` for the base hash), timed from
 *           sending the patch to the victim's close event. The close must be 1008
 *           trusted_proxy_user_not_allowed. Then the full list is put back the same way and the
 *           round ends once a new connection as the victim gets hello-ok. Fails when a bystander or
 *           the admin is closed, so a revocation that closes the wrong people is never a result.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import WebSocket from 'ws';
import { proxyHeaders } from '../lib/fixtures.js';
import { serve } from '../lib/worker.js';

const CONNECT = JSON.stringify({ type: 'req', id: 'c', method: 'connect', params: { protocol: 1, client: { name: 'mayros-bench', version: '1' } } });
const REASON = 'trusted_proxy_user_not_allowed';

/** Bounds on every wait (ms). */
const CONNECT_TIMEOUT_MS = 5000;
const REQUEST_TIMEOUT_MS = 10_000;
const CLOSE_TIMEOUT_MS = 10_000;
const RESTORE_POLL_MS = 20;
const RESTORE_TIMEOUT_MS = 5000;

/**
 * A connected session (hello-ok), with request/response and its close as a promise:
 * `closed` resolves with `{ code, reason, at }`, `at` being performance.now() at the close event.
 * @param {string} url
 * @param {Record<string, string>} headers
 * @param {string} localAddress
 */
function connect(url, headers, localAddress) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, localAddress, perMessageDeflate: false });
    const pending = new Map();
    let next = 0;
    let settled = false;
    /** @type {(v: { code: number, reason: string, at: number }) => void} */
    let onClosed = () => {};
    const client = {
      ws,
      /** @type {Promise<{ code: number, reason: string, at: number }>} */
      closed: new Promise((r) => (onClosed = r)),
      /** @returns {Promise<any>} the answer frame */
      request(method, params) {
        const id = `r${next++}`;
        return new Promise((res, rej) => {
          const timer = setTimeout(() => (pending.delete(id), rej(new Error(`${method}: no answer within ${REQUEST_TIMEOUT_MS} ms`))), REQUEST_TIMEOUT_MS);
          pending.set(id, (f) => (clearTimeout(timer), res(f)));
          ws.send(JSON.stringify({ type: 'req', id, method, params }));
        });
      },
      isOpen: () => ws.readyState === WebSocket.OPEN,
    };
    const timer = setTimeout(() => fail(new Error(`no hello-ok within ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS);
    const fail = (/** @type {Error} */ err) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.terminate();
      reject(err);
    };
    ws.on('open', () => ws.send(CONNECT));
    ws.on('message', (data) => {
      const f = JSON.parse(data.toString());
      if (f.type === 'event') return;
      if (f.id === 'c') {
        if (!f.ok) return fail(new Error(`connect refused: ${JSON.stringify(f.error)}`));
        settled = true;
        clearTimeout(timer);
        return resolve(client);
      }
      const p = pending.get(f.id);
      pending.delete(f.id);
      p?.(f);
    });
    ws.on('error', (err) => fail(err));
    ws.on('close', (code, reason) => {
      const at = performance.now();
      fail(new Error(`closed before hello-ok: ${code} ${reason.toString()}`));
      for (const p of pending.values()) p({ ok: false, error: { message: `connection closed ${code}` } });
      pending.clear();
      onClosed({ code, reason: reason.toString(), at });
    });
  });
}

/**
 * Resolves with `promise`'s value, or rejects after `ms` naming `what`.
 * @template T
 * @param {Promise<T>} promise
 * @param {number} ms
 * @param {string} what
 * @returns {Promise<T>}
 */
function within(promise, ms, what) {
  let timer;
  const late = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Closes a session cleanly and waits (bounded) for the close. */
async function hangUp(c) {
  if (c.isOpen()) c.ws.close(1000);
  await within(c.closed, CLOSE_TIMEOUT_MS, 'closing a session').catch(() => c.ws.terminate());
}

/**
 * The config with `allowUsers` set, written atomically: a temp file in the same directory, renamed
 * over the config. Returns performance.now() taken just before the rename.
 * @param {string} file
 * @param {any} config
 * @param {string[]} allowUsers
 */
function writeConfig(file, config, allowUsers) {
  const next = structuredClone(config);
  next.gateway.auth.trustedProxy.allowUsers = allowUsers;
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  writeFileSync(tmp, JSON.stringify(next, null, 2));
  const t0 = performance.now();
  renameSync(tmp, file);
  return t0;
}

/**
 * The admin's `config.get` then `config.patch` setting `allowUsers`. Returns performance.now()
 * taken just before the patch was sent, and the patch's answer (its reload summary).
 * @param {any} admin
 * @param {string[]} allowUsers
 */
async function patchAllowUsers(admin, allowUsers) {
  const got = await admin.request('config.get', {});
  if (!got.ok) throw new Error(`config.get refused: ${JSON.stringify(got.error)}`);
  const t0 = performance.now();
  const answer = await admin.request('config.patch', { baseHash: got.payload.hash, patch: { gateway: { auth: { trustedProxy: { allowUsers } } } } });
  if (!answer.ok) throw new Error(`config.patch refused: ${JSON.stringify(answer.error)}`);
  return { t0, reload: answer.payload.reload };
}

/**
 * Polls (bounded) until a new connection as `user` gets hello-ok, then hangs it up. Returns the ms waited.
 * @param {() => Promise<any>} open
 * @param {string} user
 */
async function waitAdmitted(open, user) {
  const t0 = performance.now();
  let last;
  for (let i = 0; performance.now() - t0 < RESTORE_TIMEOUT_MS && i < RESTORE_TIMEOUT_MS / RESTORE_POLL_MS; i++) {
    try {
      const c = await open();
      await hangUp(c);
      return performance.now() - t0;
    } catch (err) {
      last = err;
      await sleep(RESTORE_POLL_MS);
    }
  }
  throw new Error(`${user} was not admitted again within ${RESTORE_TIMEOUT_MS} ms after the restore (${last instanceof Error ? last.message : last})`);
}

serve({
  async rounds(o) {
    const { url, configPath, config, users, admin: adminUser, victims, bystanders: bystanderUsers, localAddresses } = o;
    const as = (user, i) => () => connect(url, proxyHeaders(user), localAddresses[i % localAddresses.length]);

    const admin = await as(adminUser, 1)();
    const bystanders = [];
    /** @type {{ user: string, code: number, reason: string }[]} */
    const wrongClosed = [];
    try {
      for (let i = 0; i < bystanderUsers.length; i++) {
        const b = await as(bystanderUsers[i], 2 + i)();
        b.closed.then(({ code, reason }) => wrongClosed.push({ user: bystanderUsers[i], code, reason }));
        bystanders.push(b);
      }
      admin.closed.then(({ code, reason }) => wrongClosed.push({ user: adminUser, code, reason }));

      /** @type {{ file: number[], console: number[], restoreMs: number[], sessionsClosed: number[] }} */
      const out = { file: [], console: [], restoreMs: [], sessionsClosed: [] };
      for (let r = 0; r < 2 * o.rounds; r++) {
        const path = r % 2 === 0 ? 'file' : 'console';
        const victimUser = victims[r % victims.length];
        const victim = await as(victimUser, 0)();
        const without = users.filter((u) => u !== victimUser);
        let t0;
        let patched;
        if (path === 'file') t0 = writeConfig(configPath, config, without);
        else ({ t0, reload: patched } = await patchAllowUsers(admin, without));
        const closed = await within(victim.closed, CLOSE_TIMEOUT_MS, `round ${r} (${path}): ${victimUser}'s session to close`);
        if (closed.code !== 1008 || closed.reason !== REASON) throw new Error(`round ${r} (${path}): ${victimUser}'s session closed ${closed.code} "${closed.reason}", expected 1008 ${REASON}`);
        out[path].push(closed.at - t0);
        if (patched) {
          if (patched.status !== 'applied' || !(patched.sessionsClosed >= 1)) throw new Error(`round ${r} (console): config.patch answered reload ${JSON.stringify(patched)}, expected applied with sessionsClosed >= 1`);
          out.sessionsClosed.push(patched.sessionsClosed);
        }
        if (wrongClosed.length) break;

        // Put the full list back the same way, and start the next round only once it is in force.
        if (path === 'file') writeConfig(configPath, config, users);
        else {
          const { reload } = await patchAllowUsers(admin, users);
          if (reload.status !== 'applied') throw new Error(`round ${r} (console): restoring allowUsers answered reload ${JSON.stringify(reload)}`);
        }
        out.restoreMs.push(await waitAdmitted(as(victimUser, 0), victimUser));
      }
      // Give a wrong close a moment to arrive before the count.
      await sleep(50);
      const open = bystanders.filter((b) => b.isOpen()).length + (admin.isOpen() ? 1 : 0);
      if (wrongClosed.length || open !== bystanders.length + 1) {
        throw new Error(`a revocation closed sessions it should not have: ${JSON.stringify(wrongClosed.slice(0, 5))} (${open} of ${bystanders.length + 1} bystander and admin sessions open)`);
      }
      return { ...out, bystanders: bystanders.length, bystandersOpen: open - 1 };
    } finally {
      await Promise.all([admin, ...bystanders].map(hangUp));
    }
  },
});
