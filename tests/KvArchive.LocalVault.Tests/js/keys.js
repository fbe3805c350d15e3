// Exercises LocalVault's keys API with the official Azure SDK for JavaScript (@azure/keyvault-keys).
// Usage: node keys.js <scenario> [vaultUri] [prefix]
//   VAULT_URI / LOCALVAULT_TOKEN come from the environment (or argv); NODE_EXTRA_CA_CERTS must name LocalVault's
//   certificate. Prints exactly one line of JSON on stdout: {"ok":true,...} or {"ok":false,"error":...}.
"use strict";

const dns = require("node:dns");
const crypto = require("node:crypto");
const { KeyClient } = require("@azure/keyvault-keys");

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
  console.error("usage: VAULT_URI=… LOCALVAULT_TOKEN=… node keys.js <scenario> [vaultUri] [prefix]");
  process.exit(2);
}

const scopesSeen = new Set();
const credential = {
  async getToken(scopes) {
    for (const s of [].concat(scopes)) scopesSeen.add(s);
    return { token, expiresOnTimestamp: Date.now() + 3600 * 1000 };
  },
};

const client = new KeyClient(vaultUri, credential, {
  retryOptions: { maxRetries: 3, retryDelayInMs: 50, maxRetryDelayInMs: 500 },
});

const poll = { intervalInMs: 100 };
const b64 = (bytes) => (bytes ? Buffer.from(bytes).toString("base64url") : null);
const seconds = (date) => (date ? Math.floor(date.getTime() / 1000) : null);

function summarize(k) {
  const key = k.key || {};
  const p = k.properties;
  return {
    name: k.name,
    id: k.id,
    version: p.version,
    kty: key.kty,
    crv: key.crv || null,
    nBytes: key.n ? key.n.length : null,
    n: b64(key.n),
    e: b64(key.e),
    xBytes: key.x ? key.x.length : null,
    yBytes: key.y ? key.y.length : null,
    x: b64(key.x),
    hasPrivate: Boolean(key.d || key.p || key.q || key.dp || key.dq || key.qi || key.k),
    keyOps: k.keyOperations || key.keyOps || [],
    enabled: p.enabled,
    notBefore: seconds(p.notBefore),
    expiresOn: seconds(p.expiresOn),
    created: seconds(p.createdOn),
    updated: seconds(p.updatedOn),
    recoveryLevel: p.recoveryLevel,
    recoverableDays: p.recoverableDays,
    tags: p.tags || {},
    managed: p.managed || false,
    exportable: p.exportable,
  };
}

function props(p) {
  return {
    name: p.name,
    id: p.id,
    version: p.version || null,
    enabled: p.enabled,
    created: seconds(p.createdOn),
    updated: seconds(p.updatedOn),
    tags: p.tags || {},
    managed: p.managed || false,
  };
}

function deleted(d) {
  return {
    name: d.name,
    id: d.id,
    recoveryId: d.properties.recoveryId,
    deletedOn: seconds(d.properties.deletedOn),
    scheduledPurgeDate: seconds(d.properties.scheduledPurgeDate),
    hasKey: Boolean(d.key && (d.key.n || d.key.x)),
  };
}

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

async function listPages(iter, maxPageSize) {
  const pages = [];
  for await (const page of iter.byPage({ maxPageSize })) pages.push(page.map(props));
  return pages;
}

const scenarios = {
  async create() {
    const out = {};
    for (const size of [2048, 3072, 4096]) {
      out[`rsa${size}`] = summarize(await client.createRsaKey(`${prefix}-rsa${size}`, { keySize: size }));
    }
    for (const curve of ["P-256", "P-384", "P-521"]) {
      out[curve] = summarize(await client.createEcKey(`${prefix}-ec-${curve}`, { curve }));
    }
    const nbf = new Date(Math.floor(Date.now() / 1000 - 60) * 1000);
    const exp = new Date(Math.floor(Date.now() / 1000 + 86400) * 1000);
    out.generic = summarize(
      await client.createKey(`${prefix}-generic`, "RSA", {
        keyOps: ["sign", "verify"],
        tags: { purpose: "test" },
        notBefore: nbf,
        expiresOn: exp,
        enabled: true,
      }),
    );
    out.genericExpected = { notBefore: seconds(nbf), expiresOn: seconds(exp) };
    out.secondVersion = summarize(await client.createRsaKey(`${prefix}-rsa2048`, { keySize: 2048 }));
    out.unsupportedSize = await failure(client.createRsaKey(`${prefix}-rsa1000`, { keySize: 1000 }));
    out.unsupportedCurve = await failure(client.createKey(`${prefix}-badcurve`, "EC", { curve: "P-999" }));
    out.badName = await failure(client.createRsaKey("bad_name", { keySize: 2048 }));
    return out;
  },

  async import() {
    const out = {};
    const rsa = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" });
    const toBytes = (s) => (s ? Buffer.from(s, "base64url") : undefined);
    const rsaJwk = {
      kty: "RSA",
      keyOps: ["encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey"],
      n: toBytes(rsa.n), e: toBytes(rsa.e), d: toBytes(rsa.d), p: toBytes(rsa.p), q: toBytes(rsa.q),
      dp: toBytes(rsa.dp), dq: toBytes(rsa.dq), qi: toBytes(rsa.qi),
    };
    out.rsaImported = summarize(await client.importKey(`${prefix}-imp-rsa`, rsaJwk, { tags: { from: "jwk" } }));
    out.rsaExpectedN = rsa.n;
    const ec = crypto.generateKeyPairSync("ec", { namedCurve: "P-384" }).privateKey.export({ format: "jwk" });
    const ecJwk = { kty: "EC", crv: "P-384", keyOps: ["sign", "verify"], x: toBytes(ec.x), y: toBytes(ec.y), d: toBytes(ec.d) };
    out.ecImported = summarize(await client.importKey(`${prefix}-imp-ec`, ecJwk));
    out.ecExpectedX = ec.x;
    out.reimport = summarize(await client.importKey(`${prefix}-imp-rsa`, rsaJwk));
    out.versions = (await listAll(client.listPropertiesOfKeyVersions(`${prefix}-imp-rsa`))).map(props);
    out.got = summarize(await client.getKey(`${prefix}-imp-rsa`));
    out.missingModulus = await failure(client.importKey(`${prefix}-imp-bad`, { kty: "RSA", e: toBytes(rsa.e) }));
    return out;
  },

  async getupdate() {
    const out = {};
    const first = await client.createEcKey(`${prefix}-gu`, { curve: "P-256" });
    const second = await client.createEcKey(`${prefix}-gu`, { curve: "P-256" });
    out.first = summarize(first);
    out.second = summarize(second);
    out.latest = summarize(await client.getKey(`${prefix}-gu`));
    out.byVersion = summarize(await client.getKey(`${prefix}-gu`, { version: first.properties.version }));
    const exp = new Date(Math.floor(Date.now() / 1000 + 7200) * 1000);
    out.updated = summarize(
      await client.updateKeyProperties(`${prefix}-gu`, first.properties.version, {
        enabled: false,
        tags: { stage: "updated" },
        expiresOn: exp,
        keyOps: ["sign"],
      }),
    );
    out.expectedExpiresOn = seconds(exp);
    out.afterUpdate = summarize(await client.getKey(`${prefix}-gu`, { version: first.properties.version }));
    out.latestAfterUpdate = summarize(await client.getKey(`${prefix}-gu`));
    out.updateLatest = summarize(await client.updateKeyProperties(`${prefix}-gu`, { tags: { latest: "yes" } }));
    out.missing = await failure(client.getKey(`${prefix}-missing`));
    out.missingVersion = await failure(client.getKey(`${prefix}-gu`, { version: "0123456789abcdef0123456789abcdef" }));
    out.scopes = [...scopesSeen];
    return out;
  },

  async list() {
    const count = Number(process.env.KEY_COUNT || 30);
    for (let i = 0; i < count; i++) {
      await client.createEcKey(`${prefix}-l${String(i).padStart(2, "0")}`, { curve: "P-256" });
    }
    for (let i = 0; i < 2; i++) await client.createEcKey(`${prefix}-l00`, { curve: "P-256" });
    const out = {};
    out.pages7 = await listPages(client.listPropertiesOfKeys(), 7);
    out.pagesDefault = await listPages(client.listPropertiesOfKeys(), undefined);
    out.all = (await listAll(client.listPropertiesOfKeys())).map(props);
    out.versions = (await listAll(client.listPropertiesOfKeyVersions(`${prefix}-l00`))).map(props);
    out.versionPages = await listPages(client.listPropertiesOfKeyVersions(`${prefix}-l00`), 2);
    out.noVersions = (await listAll(client.listPropertiesOfKeyVersions(`${prefix}-none`))).map(props);
    return out;
  },

  async delete() {
    const out = {};
    const created = await client.createEcKey(`${prefix}-del`, { curve: "P-256" });
    await client.createEcKey(`${prefix}-keep`, { curve: "P-256" });
    out.created = summarize(created);
    const started = Date.now();
    const poller = await client.beginDeleteKey(`${prefix}-del`, poll);
    out.deleted = deleted(await poller.pollUntilDone());
    out.deleteMs = Date.now() - started;
    out.getDeleted = deleted(await client.getDeletedKey(`${prefix}-del`));
    out.deletedList = (await listAll(client.listDeletedKeys())).map(deleted);
    out.getAfterDelete = await failure(client.getKey(`${prefix}-del`));
    out.createOverDeleted = await failure(client.createEcKey(`${prefix}-del`, { curve: "P-256" }));
    out.listAfterDelete = (await listAll(client.listPropertiesOfKeys())).map(props);
    const recover = await client.beginRecoverDeletedKey(`${prefix}-del`, poll);
    out.recovered = summarize(await recover.pollUntilDone());
    out.getAfterRecover = summarize(await client.getKey(`${prefix}-del`));
    out.deletedListAfterRecover = (await listAll(client.listDeletedKeys())).map(deleted);
    await (await client.beginDeleteKey(`${prefix}-del`, poll)).pollUntilDone();
    await client.purgeDeletedKey(`${prefix}-del`);
    out.getDeletedAfterPurge = await failure(client.getDeletedKey(`${prefix}-del`));
    out.deleteMissing = await failure(client.beginDeleteKey(`${prefix}-never`, poll));
    out.purgeMissing = await failure(client.purgeDeletedKey(`${prefix}-never`));
    out.recoverMissing = await failure(client.beginRecoverDeletedKey(`${prefix}-never`, poll));
    return out;
  },

  async backup() {
    const out = {};
    const name = `${prefix}-bk`;
    await client.createRsaKey(name, { keySize: 2048, tags: { v: "1" } });
    await new Promise((r) => setTimeout(r, 1100));
    await client.createEcKey(name, { curve: "P-384", tags: { v: "2" } });
    out.before = (await listAll(client.listPropertiesOfKeyVersions(name))).map(props);
    out.latestBefore = summarize(await client.getKey(name));
    const blob = await client.backupKey(name);
    out.blobLength = blob.length;
    out.blobTagLength = blob[0];
    out.blobTag = Buffer.from(blob.subarray(1, 1 + blob[0])).toString("latin1");
    await (await client.beginDeleteKey(name, poll)).pollUntilDone();
    out.restoreWhileDeleted = await failure(client.restoreKeyBackup(blob));
    await client.purgeDeletedKey(name);
    out.restored = summarize(await client.restoreKeyBackup(blob));
    out.after = (await listAll(client.listPropertiesOfKeyVersions(name))).map(props);
    out.latestAfter = summarize(await client.getKey(name));
    out.restoreOverExisting = await failure(client.restoreKeyBackup(blob));
    const corrupt = Buffer.from(blob);
    corrupt[corrupt.length - 3] ^= 0x55;
    out.restoreCorrupt = await failure(client.restoreKeyBackup(corrupt));
    out.restoreGarbage = await failure(client.restoreKeyBackup(Buffer.from("not a backup at all")));
    out.backupMissing = await failure(client.backupKey(`${prefix}-never`));
    return out;
  },
};

(async () => {
  const run = scenarios[scenario];
  if (!run) {
    console.log(JSON.stringify({ ok: false, error: `unknown scenario ${scenario}` }));
    process.exit(2);
  }
  try {
    const result = await run();
    console.log(JSON.stringify({ ok: true, scenario, ...result }));
  } catch (e) {
    console.log(JSON.stringify({ ok: false, scenario, error: String(e && e.stack ? e.stack : e), statusCode: e.statusCode ?? null, code: e.code ?? null }));
    process.exit(1);
  }
})();
