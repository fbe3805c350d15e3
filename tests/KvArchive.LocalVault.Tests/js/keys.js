// Exercises LocalVault's keys API with the official Azure SDK for JavaScript (@azure/keyvault-keys).
// Usage: node keys.js <scenario> [vaultUri] [prefix]
//   VAULT_URI / LOCALVAULT_TOKEN come from the environment (or argv); NODE_EXTRA_CA_CERTS must name LocalVault's
//   certificate. Prints exactly one line of JSON on stdout: {"ok":true,...} or {"ok":false,"error":...}.
"use strict";

const crypto = require("node:crypto");
const { KeyClient, CryptographyClient } = require("@azure/keyvault-keys");
const { vaultUri, prefix, credential, credentialFor, clientOptions, scopesSeen, b64, seconds, failure, listAll, run } = require("./common");

const client = new KeyClient(vaultUri, credential, clientOptions);

const poll = { intervalInMs: 100 };

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

  // The CryptographyClient against keys the vault created (results checked with node's own crypto and the public
  // key) and against a key node generated and imported (so what the vault encrypts is decrypted here).
  async crypto() {
    const out = {};
    const data = Buffer.from("LocalVault signs this");
    const hashOf = (alg) => ({ 256: "sha256", "256K": "sha256", 384: "sha384", 512: "sha512" })[alg.slice(2)];
    const digestOf = (alg) => crypto.createHash(hashOf(alg)).update(data).digest();
    const publicKeyOf = (key) =>
      key.kty.startsWith("RSA")
        ? crypto.createPublicKey({ key: { kty: "RSA", n: b64(key.n), e: b64(key.e) }, format: "jwk" })
        : crypto.createPublicKey({ key: { kty: "EC", crv: key.crv === "P-256K" ? "secp256k1" : key.crv, x: b64(key.x), y: b64(key.y) }, format: "jwk" });
    const flip = (bytes) => {
      const copy = Buffer.from(bytes);
      copy[copy.length - 1] ^= 1;
      return copy;
    };

    const rsaKey = await client.createRsaKey(`${prefix}-rsa`, { keySize: 2048 });
    const rsaPublic = publicKeyOf(rsaKey.key);
    const rsa = new CryptographyClient(rsaKey, credential, clientOptions);
    out.rsaKeyId = rsaKey.id;
    out.signatures = {};
    for (const alg of ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"]) {
      const digest = digestOf(alg);
      const signed = await rsa.sign(alg, digest);
      const pss = alg.startsWith("PS");
      const options = { key: rsaPublic, padding: pss ? crypto.constants.RSA_PKCS1_PSS_PADDING : crypto.constants.RSA_PKCS1_PADDING };
      if (pss) options.saltLength = digest.length;
      out.signatures[alg] = {
        keyID: signed.keyID,
        length: signed.result.length,
        verifiedLocally: crypto.verify(hashOf(alg), data, options, Buffer.from(signed.result)),
        verifiedByVault: (await rsa.verify(alg, digest, signed.result)).result,
        tamperedByVault: (await rsa.verify(alg, digest, flip(signed.result))).result,
        // The SDK verifies RS* data locally; its local PS* check is not a PSS check, so it is not asserted.
        verifyData: pss ? null : (await rsa.verifyData(alg, data, signed.result)).result,
      };
    }

    for (const curve of ["P-256", "P-384", "P-521", "P-256K"]) {
      const alg = { "P-256": "ES256", "P-384": "ES384", "P-521": "ES512", "P-256K": "ES256K" }[curve];
      const ecKey = await client.createEcKey(`${prefix}-ec-${curve}`, { curve });
      const ec = new CryptographyClient(ecKey, credential, clientOptions);
      const digest = digestOf(alg);
      const signed = await ec.sign(alg, digest);
      const ecPublic = publicKeyOf(ecKey.key);
      const nodeSigned = crypto.sign(hashOf(alg), data, { key: crypto.generateKeyPairSync("ec", { namedCurve: curve === "P-256K" ? "secp256k1" : curve }).privateKey, dsaEncoding: "ieee-p1363" });
      out.signatures[alg] = {
        keyID: signed.keyID,
        length: signed.result.length,
        verifiedLocally: crypto.verify(hashOf(alg), data, { key: ecPublic, dsaEncoding: "ieee-p1363" }, Buffer.from(signed.result)),
        verifiedByVault: (await ec.verify(alg, digest, signed.result)).result,
        tamperedByVault: (await ec.verify(alg, digest, flip(signed.result))).result,
        verifyData: (await ec.verifyData(alg, data, signed.result)).result,
        otherKeysSignatureByVault: (await ec.verify(alg, digest, nodeSigned)).result,
      };
    }

    // Encryption with the vault's key: node encrypts with the public key, the vault decrypts; the SDK's own
    // encrypt/wrap (local for RSA1_5 and RSA-OAEP, remote for RSA-OAEP-256) round-trips through the vault.
    out.encryption = {};
    const paddings = {
      RSA1_5: { padding: crypto.constants.RSA_PKCS1_PADDING },
      "RSA-OAEP": { padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha1" },
      "RSA-OAEP-256": { padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" },
    };
    const imported = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
    const jwk = imported.privateKey.export({ format: "jwk" });
    const toBytes = (s) => Buffer.from(s, "base64url");
    const importedKey = await client.importKey(`${prefix}-imported`, {
      kty: "RSA",
      keyOps: ["encrypt", "decrypt", "wrapKey", "unwrapKey", "sign", "verify"],
      n: toBytes(jwk.n), e: toBytes(jwk.e), d: toBytes(jwk.d), p: toBytes(jwk.p), q: toBytes(jwk.q),
      dp: toBytes(jwk.dp), dq: toBytes(jwk.dq), qi: toBytes(jwk.qi),
    });
    // Without keys/get (LIMITED_TOKEN) the SDK cannot encrypt locally: the vault does, with every algorithm.
    const importedClient = new CryptographyClient(importedKey.id, credentialFor(process.env.LIMITED_TOKEN), clientOptions);
    for (const alg of ["RSA1_5", "RSA-OAEP", "RSA-OAEP-256"]) {
      const plaintext = Buffer.from(`a secret for ${alg}`);
      const encryptedHere = crypto.publicEncrypt({ key: rsaPublic, ...paddings[alg] }, plaintext);
      const decryptedByVault = Buffer.from((await rsa.decrypt({ algorithm: alg, ciphertext: encryptedHere })).result);
      const encrypted = await rsa.encrypt({ algorithm: alg, plaintext });
      const roundTrip = Buffer.from((await rsa.decrypt({ algorithm: alg, ciphertext: encrypted.result })).result);
      const wrapped = await rsa.wrapKey(alg, plaintext);
      const unwrapped = Buffer.from((await rsa.unwrapKey(alg, wrapped.result)).result);
      const entry = {
        decryptedByVault: decryptedByVault.equals(plaintext),
        roundTrip: roundTrip.equals(plaintext),
        wrapRoundTrip: unwrapped.equals(plaintext),
        keyID: encrypted.keyID,
      };
      if (alg !== "RSA1_5") {
        // node 20 refuses PKCS#1 v1.5 private decryption (CVE-2023-46809); OAEP is checked here.
        const byVault = await importedClient.encrypt({ algorithm: alg, plaintext });
        entry.vaultCiphertextDecryptedHere = crypto.privateDecrypt({ key: imported.privateKey, ...paddings[alg] }, Buffer.from(byVault.result)).equals(plaintext);
      }
      out.encryption[alg] = entry;
    }

    // The service's refusals through the SDK. With keys/get the SDK checks key_ops itself; an identity without it
    // makes the SDK fall back to the vault, whose answers these are.
    const limited = credentialFor(process.env.LIMITED_TOKEN);
    const verifyOnly = await client.createRsaKey(`${prefix}-verify-only`, { keySize: 2048, keyOps: ["verify"] });
    out.signOutsideKeyOps = await failure(new CryptographyClient(verifyOnly.id, limited, clientOptions).sign("RS256", digestOf("RS256")));
    const ecForEncrypt = await client.createEcKey(`${prefix}-ec-enc`, { curve: "P-256", keyOps: ["sign", "verify", "encrypt"] });
    out.encryptWithEc = await failure(new CryptographyClient(ecForEncrypt.id, limited, clientOptions).encrypt({ algorithm: "RSA-OAEP-256", plaintext: Buffer.from("x") }));
    out.wrongCurve = await failure(new CryptographyClient(`${vaultUri.replace(/\/$/, "")}/keys/${prefix}-ec-P-256`, limited, clientOptions).sign("ES384", digestOf("ES384")));
    return out;
  },
};

run(scenarios);
