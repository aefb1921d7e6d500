#!/usr/bin/env node
// A stand-in for oauth2-proxy, to try the nginx recipe on your own machine without an identity
// provider. FOR TRYING ONLY: anyone who can reach it signs in as any listed person, no password.
//
//   node examples/proxies/nginx/stand-in-auth.mjs --user alice@example.com=staff --user bob@example.com
//
// It listens on 127.0.0.1 only (default port 4180, --port to change) and answers what nginx asks:
//   GET  /oauth2/auth      202 with X-Auth-Request-Email (and X-Auth-Request-Groups, comma-separated)
//                          for a signed-in browser, 401 otherwise: the auth_request subrequest
//   GET  /oauth2/sign_in   a page with one button per person (status 401, as nginx shows it in
//                          place of a refused request)
//   POST /oauth2/sign_in   signs the browser in (a random session cookie) and goes back
//   GET  /oauth2/sign_out  signs it out
// Plain Node.js, no dependencies. Stop it with Ctrl-C.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

const COOKIE = 'mayros_stand_in_session';

function usage(problem) {
  process.stderr.write(`stand-in-auth: ${problem}\nusage: node stand-in-auth.mjs [--port 4180] --user EMAIL[=GROUP,GROUP] [--user ...]\n`);
  process.exit(2);
}

const people = new Map();
let port = 4180;
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const value = args[i + 1];
  if (args[i] === '--port' && value && /^\d+$/.test(value) && Number(value) < 65536) port = Number(args[++i]);
  else if (args[i] === '--user' && value && /^[^\s=,<>"&]+(=[^\s<>"&]*)?$/.test(value)) {
    const [email, groups = ''] = args[++i].split('=');
    people.set(email, groups.split(',').filter(Boolean));
  } else usage(`cannot read "${args[i]}"${value !== undefined ? ` "${value}"` : ''}`);
}
if (people.size === 0) usage('name at least one person with --user');

/** session id -> email; in memory, gone when the stand-in stops. */
const sessions = new Map();

function sessionOf(req) {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === COOKIE && sessions.has(rest.join('='))) return sessions.get(rest.join('='));
  }
  return undefined;
}

/** Only a path on this site: never an absolute URL or "//host" (an open redirect). */
function safePath(p) {
  return typeof p === 'string' && p.startsWith('/') && !p.startsWith('//') && !p.startsWith('/\\') && !/[\r\n]/.test(p) ? p : '/';
}

const escape = (s) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function signInPage(back) {
  const buttons = [...people]
    .map(([email, groups]) => `<button name="user" value="${escape(email)}">${escape(email)}${groups.length ? ` <small>(${escape(groups.join(', '))})</small>` : ''}</button>`)
    .join('\n');
  return `<!doctype html><meta charset="utf-8"><title>Sign in (stand-in)</title>
<style>body{font:16px system-ui;margin:3em auto;max-width:32em}button{display:block;margin:.5em 0;padding:.5em 1em;font:inherit}</style>
<h1>Sign in</h1><p>A stand-in for your identity provider, for trying the recipe. Choose who you are:</p>
<form method="post" action="/oauth2/sign_in"><input type="hidden" name="rd" value="${escape(back)}">
${buttons}
</form>`;
}

function check(req, res) {
  const email = sessionOf(req);
  if (!email) return res.writeHead(401, { 'content-length': 0, 'cache-control': 'no-store' }).end();
  const groups = people.get(email) ?? [];
  res.writeHead(202, { 'x-auth-request-email': email, ...(groups.length ? { 'x-auth-request-groups': groups.join(',') } : {}), 'content-length': 0, 'cache-control': 'no-store' });
  res.end();
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://stand-in');
  if (url.pathname === '/oauth2/auth') return check(req, res);
  if (url.pathname === '/oauth2/sign_in' && req.method === 'GET') {
    // nginx passes the page the browser asked for; come back to it after signing in.
    const back = safePath(req.headers['x-auth-request-redirect'] ?? url.searchParams.get('rd'));
    const page = signInPage(back);
    return res.writeHead(401, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(page), 'cache-control': 'no-store' }).end(page);
  }
  if (url.pathname === '/oauth2/sign_in' && req.method === 'POST') {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => {
      body += d;
      if (body.length > 4096) req.destroy();
    });
    req.on('end', () => {
      const form = new URLSearchParams(body);
      const email = form.get('user');
      if (!email || !people.has(email)) return res.writeHead(400, { 'content-type': 'text/plain' }).end('unknown person\n');
      const sid = randomBytes(24).toString('base64url');
      sessions.set(sid, email);
      res.writeHead(302, { location: safePath(form.get('rd')), 'set-cookie': `${COOKIE}=${sid}; Path=/; HttpOnly; SameSite=Lax`, 'content-length': 0 }).end();
    });
    return;
  }
  if (url.pathname === '/oauth2/sign_out') {
    return res.writeHead(302, { location: '/', 'set-cookie': `${COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax`, 'content-length': 0 }).end();
  }
  res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
});
// A request that asks for a WebSocket upgrade is still only a check.
server.on('upgrade', (req, socket) => {
  const email = sessionOf(req);
  const groups = email ? (people.get(email) ?? []) : [];
  const lines = email ? `X-Auth-Request-Email: ${email}\r\n${groups.length ? `X-Auth-Request-Groups: ${groups.join(',')}\r\n` : ''}` : '';
  socket.end(`HTTP/1.1 ${email ? '202 Accepted' : '401 Unauthorized'}\r\n${lines}Content-Length: 0\r\nConnection: close\r\n\r\n`);
});
server.on('clientError', (_err, socket) => socket.destroy());

server.listen({ host: '127.0.0.1', port }, () => {
  process.stdout.write(
    `stand-in sign-in listening on http://127.0.0.1:${server.address().port} for ${[...people.keys()].join(', ')}\n` +
      'FOR TRYING ONLY: anyone who reaches it can sign in as any of them. Use oauth2-proxy with your identity provider for real.\n',
  );
});
const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
