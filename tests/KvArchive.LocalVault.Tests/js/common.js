// What every LocalVault scenario script shares: *.localhost resolution, the fixed-token credential, the environment,
// failure capture and the one-line JSON result.
"use strict";

const dns = require("node:dns");

// *.localhost names do not resolve here (RFC 6761 reserves them for loopback): map them ourselves.
const originalLookup = dns.lookup;
dns.lookup = function lookup(hostname, options, callback) {
  if (typeof options === "function") {
    callback = options;
    options = {};
  }
  if (typeof options === "number") {
    options = { family: options };
  }
  if (/(^|\.)localhost$/i.test(hostname)) {
    return options && options.all
      ? process.nextTick(callback, null, [{ address: "127.0.0.1", family: 4 }])
      : process.nextTick(callback, null, "127.0.0.1", 4);
  }
  return originalLookup.call(this, hostname, options, callback);
};

const scenario = process.argv[2];
const vaultUri = process.argv[3] || process.env.VAULT_URI;
const prefix = process.argv[4] || process.env.KEY_PREFIX || "js";
const token = process.env.LOCALVAULT_TOKEN;
if (!scenario || !vaultUri || !token) {
  console.error("usage: VAULT_URI=… LOCALVAULT_TOKEN=… node <script>.js <scenario> [vaultUri] [prefix]");
  process.exit(2);
}

const scopesSeen = new Set();

/** A credential that answers a fixed LocalVault token. */
function credentialFor(fixed) {
  return {
    async getToken(scopes) {
      for (const s of [].concat(scopes)) scopesSeen.add(s);
      return { token: fixed, expiresOnTimestamp: Date.now() + 3600 * 1000 };
    },
  };
}

const credential = credentialFor(token);

const clientOptions = { retryOptions: { maxRetries: 3, retryDelayInMs: 50, maxRetryDelayInMs: 500 } };
const b64 = (bytes) => (bytes ? Buffer.from(bytes).toString("base64url") : null);
const seconds = (date) => (date ? Math.floor(date.getTime() / 1000) : null);

async function failure(promise) {
  try {
    await promise;
    return { threw: false };
  } catch (e) {
    return { threw: true, statusCode: e.statusCode ?? null, code: e.code ?? null, message: e.message ?? null };
  }
}

async function listAll(iter) {
  const out = [];
  for await (const item of iter) out.push(item);
  return out;
}

/** Runs the named scenario and prints {"ok":true,...} or {"ok":false,"error":...} as the last line. */
function run(scenarios) {
  (async () => {
    const body = scenarios[scenario];
    if (!body) {
      console.log(JSON.stringify({ ok: false, error: `unknown scenario ${scenario}` }));
      process.exit(2);
    }
    try {
      const result = await body();
      console.log(JSON.stringify({ ok: true, scenario, ...result }));
    } catch (e) {
      console.log(JSON.stringify({ ok: false, scenario, error: String(e && e.stack ? e.stack : e), statusCode: e.statusCode ?? null, code: e.code ?? null }));
      process.exit(1);
    }
  })();
}

module.exports = { vaultUri, prefix, credential, credentialFor, clientOptions, scopesSeen, b64, seconds, failure, listAll, run };
