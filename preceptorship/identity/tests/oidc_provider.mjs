// A real OpenID Connect provider (the npm package oidc-provider) for the single sign-on tests.
//
// Usage: node oidc_provider.mjs CONFIG.json
// CONFIG: {"client": {"client_id", "client_secret", "redirect_uris": [...],
//          "post_logout_redirect_uris": [...]}, "accounts": {"<sub>": {claims...}}}
// Listens on a free port of 127.0.0.1 and prints "ISSUER <url>" once it answers.
//
// It keeps the tests' clock, not the machine's: the tests pin the date, and the tokens it signs must
// be issued "now" as the product sees it. POST /__tests/clock with the tests' time in milliseconds
// since 1970 sets it; it ticks on from there.
//
// Its sign-in page has one field, "login" (an account's subject): a test posts it to
// /interaction/<uid>/login. Consent is given at once, as an organisation's own provider does for
// an application its administrators registered.

import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';

import Provider from 'oidc-provider';

const MachineDate = Date;
let clockOffset = 0;
class TestsDate extends MachineDate {
  constructor(...args) {
    if (args.length) super(...args);
    else super(MachineDate.now() + clockOffset);
  }

  static now() { return MachineDate.now() + clockOffset; }
}
globalThis.Date = TestsDate;

const config = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const accounts = config.accounts;

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function readForm(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => resolve(new URLSearchParams(body)));
    req.on('error', reject);
  });
}

function loginPage(res, uid, message) {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!DOCTYPE html><html lang="en"><head><title>Test provider: sign in</title></head><body>
<h1>Test provider: sign in</h1>${message ? `<p role="alert">${escape(message)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
<label for="login">Account</label><input id="login" name="login">
<button type="submit">Sign in</button></form></body></html>`);
}

async function interaction(provider, req, res) {
  const [, , uid, step] = new URL(req.url, 'http://x').pathname.split('/');
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new Error('interaction mismatch');
  if (details.prompt.name === 'login') {
    if (req.method === 'POST' && step === 'login') {
      const form = await readForm(req);
      const accountId = form.get('login') || '';
      if (!Object.hasOwn(accounts, accountId)) return loginPage(res, uid, 'No such account.');
      return provider.interactionFinished(req, res, { login: { accountId } }, { mergeWithLastSubmission: false });
    }
    return loginPage(res, uid, '');
  }
  // Consent: grant what the client asked for.
  const { missingOIDCScope = [], missingOIDCClaims = [] } = details.prompt.details;
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
  if (missingOIDCScope.length) grant.addOIDCScope(missingOIDCScope.join(' '));
  if (missingOIDCClaims.length) grant.addOIDCClaims(missingOIDCClaims);
  const grantId = await grant.save();
  return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const key = { ...privateKey.export({ format: 'jwk' }), kid: 'tests', alg: 'RS256', use: 'sig' };
  const provider = new Provider(issuer, {
    clients: [{
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_post',
      ...config.client,
    }],
    jwks: { keys: [key] },
    cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name', 'employee_number'],
    },
    async findAccount(ctx, sub) {
      if (!Object.hasOwn(accounts, sub)) return undefined;
      return { accountId: sub, async claims() { return { sub, ...accounts[sub] }; } };
    },
    interactions: { url: (ctx, found) => `/interaction/${found.uid}` },
    features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
  });
  const handle = provider.callback();
  server.on('request', (req, res) => {
    // A browser judges a cookie's expiry by the machine's clock, not the tests': cookies last for
    // the browser's session instead (a deletion, dated 1970, stays one).
    const writeHead = res.writeHead;
    res.writeHead = function writeHeadWithSessionCookies(...args) {
      const cookies = res.getHeader('set-cookie');
      if (cookies) {
        res.setHeader('set-cookie', [].concat(cookies).map((cookie) => (/expires=[^;]*1970/i.test(cookie)
          ? cookie : cookie.replace(/;\s*expires=[^;]*/gi, ''))));
      }
      return writeHead.apply(res, args);
    };
    if (req.method === 'POST' && req.url === '/__tests/clock') {
      readForm(req).then((form) => {
        clockOffset = Number(form.get('now')) - MachineDate.now();
        res.writeHead(204);
        res.end();
      });
    } else if (req.url.startsWith('/interaction/')) {
      interaction(provider, req, res).catch((error) => {
        res.writeHead(400, { 'content-type': 'text/plain' });
        res.end(`interaction failed: ${error.message} ${error.error_description || ""}`);
      });
    } else {
      handle(req, res);
    }
  });
  process.stdout.write(`ISSUER ${issuer}\n`);
});

// The test's fixture closes our standard input when it is done: stop with it.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
