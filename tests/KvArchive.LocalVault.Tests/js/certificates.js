// Exercises LocalVault's certificates API with the official Azure SDK for JavaScript (@azure/keyvault-certificates):
// the create poller and getCertificateOperation() while a create is in progress, cancel and delete of an operation,
// issuers, and a merge of a certificate an outside CA signed (the CSR is signed by the .NET test between two runs).
// Usage: node certificates.js <scenario> [vaultUri] [prefix]; see common.js for the environment and the output line.
"use strict";

const { CertificateClient } = require("@azure/keyvault-certificates");
const { vaultUri, prefix, credential, clientOptions, b64, seconds, failure, listAll, run } = require("./common");

const client = new CertificateClient(vaultUri, credential, clientOptions);
const poll = { intervalInMs: 100 };

function summarize(c) {
  const p = c.properties;
  return {
    name: c.name,
    id: c.id || p.id,
    version: p.version,
    enabled: p.enabled,
    hasCer: Boolean(c.cer && c.cer.length),
    cer: b64(c.cer),
    keyId: c.keyId || null,
    secretId: c.secretId || null,
    thumbprint: b64(p.x509Thumbprint),
    notBefore: seconds(p.notBefore),
    expiresOn: seconds(p.expiresOn),
    created: seconds(p.createdOn),
    policyIssuer: c.policy ? c.policy.issuerName : null,
    policySubject: c.policy ? c.policy.subject : null,
  };
}

function operation(op) {
  return {
    id: op.id,
    status: op.status,
    issuerName: op.issuerName,
    hasCsr: Boolean(op.csr && op.csr.length),
    csr: b64(op.csr),
    cancellationRequested: op.cancellationRequested,
    target: op.target || null,
    requestId: op.requestId,
  };
}

function issuer(i) {
  return {
    name: i.name,
    id: i.id,
    provider: i.provider,
    accountId: i.accountId || null,
    hasPassword: Boolean(i.password),
    enabled: i.enabled,
    created: seconds(i.createdOn),
    updated: seconds(i.updatedOn),
    admins: (i.administratorContacts || []).map((a) => `${a.firstName} ${a.lastName} <${a.email}> ${a.phone}`),
  };
}

const scenarios = {
  // A create that takes a while (vault certificateDelayMs): what a reader sees meanwhile, then both pollers.
  async operation() {
    const out = {};
    const name = `${prefix}-op`;
    const createPoller = await client.beginCreateCertificate(name, { issuerName: "Self", subject: "cn=MyCert" }, poll);
    out.createState = operation(createPoller.getOperationState().certificateOperation || {});
    const operationPoller = await client.getCertificateOperation(name, poll);
    out.operationState = operation(operationPoller.getOperationState().certificateOperation);
    out.pendingCertificate = summarize(await client.getCertificate(name));
    out.listed = (await listAll(client.listPropertiesOfCertificates())).map((p) => ({ name: p.name, enabled: p.enabled, version: p.version || null, id: p.id }));
    out.versions = (await listAll(client.listPropertiesOfCertificateVersions(name))).map((p) => ({ version: p.version, enabled: p.enabled }));
    out.fromOperationPoller = summarize(await operationPoller.pollUntilDone());
    out.fromCreatePoller = summarize(await createPoller.pollUntilDone());
    out.completedOperation = operation((await client.getCertificateOperation(name, poll)).getOperationState().certificateOperation);
    out.completed = summarize(await client.getCertificate(name));
    out.versionsAfter = (await listAll(client.listPropertiesOfCertificateVersions(name))).map((p) => ({ version: p.version, enabled: p.enabled }));
    return out;
  },

  // An Unknown issuer never completes by itself: cancel it, then delete the operation.
  async cancel() {
    const out = {};
    const name = `${prefix}-cancel`;
    await client.beginCreateCertificate(name, { issuerName: "Unknown", subject: "cn=Cancelled" }, poll);
    out.pendingCertificate = summarize(await client.getCertificate(name));
    out.inProgress = operation((await client.getCertificateOperation(name, poll)).getOperationState().certificateOperation);
    const poller = await client.getCertificateOperation(name, poll);
    await poller.cancelOperation();
    out.cancelled = operation(poller.getOperationState().certificateOperation);
    out.deleted = operation(await client.deleteCertificateOperation(name));
    out.operationAfterDelete = await failure(client.getCertificateOperation(name, poll));
    out.certificateAfterDelete = await failure(client.getCertificate(name));
    return out;
  },

  async issuers() {
    const out = {};
    const name = `${prefix}-issuer`;
    out.created = issuer(
      await client.createIssuer(name, "Test", {
        accountId: "keyvaultuser",
        password: "not-returned",
        administratorContacts: [{ firstName: "John", lastName: "Doe", email: "admin@example.com", phone: "4255555555" }],
      }),
    );
    out.got = issuer(await client.getIssuer(name));
    out.updated = issuer(await client.updateIssuer(name, { accountId: "keyvaultuser2" }));
    await client.createIssuer(`${prefix}-issuer2`, "Test");
    out.listed = (await listAll(client.listPropertiesOfIssuers())).map((p) => ({ name: p.name, provider: p.provider, id: p.id }));
    // A certificate naming the issuer waits for it (LocalVault issues no certificate for an outside provider).
    await client.beginCreateCertificate(`${prefix}-by-issuer`, { issuerName: name, subject: "cn=ByIssuer" }, poll);
    out.byIssuer = operation((await client.getCertificateOperation(`${prefix}-by-issuer`, poll)).getOperationState().certificateOperation);
    out.deleted = issuer(await client.deleteIssuer(name));
    out.getAfterDelete = await failure(client.getIssuer(name));
    out.updateMissing = await failure(client.updateIssuer(`${prefix}-never`, { accountId: "x" }));
    return out;
  },

  // Merge, first half: a create with the Unknown issuer, answering the CSR for the outside CA.
  async mergestart() {
    const name = `${prefix}-merge`;
    await client.beginCreateCertificate(name, { issuerName: "Unknown", subject: "CN=merged.example" }, poll);
    const op = (await client.getCertificateOperation(name, poll)).getOperationState().certificateOperation;
    return { operation: operation(op), pendingCertificate: summarize(await client.getCertificate(name)) };
  },

  // Merge, second half: SIGNED_CERTIFICATE and CA_CERTIFICATE (base64 DER) from the test.
  async mergefinish() {
    const name = `${prefix}-merge`;
    const signed = Buffer.from(process.env.SIGNED_CERTIFICATE, "base64");
    const ca = Buffer.from(process.env.CA_CERTIFICATE, "base64");
    const out = {};
    out.wrongKey = await failure(client.mergeCertificate(name, [ca]));
    out.merged = summarize(await client.mergeCertificate(name, [signed, ca]));
    out.got = summarize(await client.getCertificate(name));
    out.operation = operation((await client.getCertificateOperation(name, poll)).getOperationState().certificateOperation);
    out.mergeAgain = await failure(client.mergeCertificate(name, [signed, ca]));
    return out;
  },
};

run(scenarios);
