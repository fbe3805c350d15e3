using System.Globalization;
using System.Security.Cryptography;
using KvArchive.LocalVault.Crypto;
using KvArchive.LocalVault.Endpoints;
using KvArchive.LocalVault.Http;
using KvArchive.LocalVault.Store;

namespace KvArchive.LocalVault.Management;

/// <summary>
/// Creates objects server-side without budgets: secrets <c>{prefix}-s0000…</c>, keys <c>{prefix}-k0000…</c> and
/// certificates <c>{prefix}-c0000…</c>, each with N versions and varied attributes (every 7th disabled, content
/// types, tags, expiry dates, a mix of EC and RSA keys). Crypto runs before the vault lock is taken.
/// </summary>
public sealed class Seeder(VaultClock clock)
{
    public SeedResult Seed(Vault vault, SeedRequest request)
    {
        var now = clock.NowSeconds;
        var secretNames = Names(request.Prefix, "s", request.Secrets);
        var keyNames = Names(request.Prefix, "k", request.Keys);
        var certificateNames = Names(request.Prefix, "c", request.Certificates);

        var secrets = secretNames.Select((name, i) => (name, Versions(request, v => SecretVersion(request, name, i, v, now)))).ToList();
        var rsaPool = Enumerable.Range(0, Math.Min(4, (request.Keys + 3) / 4)).Select(_ => KeyFactory.CreateRsa(2048)).ToList();
        var keys = keyNames.Select((name, i) => (name, Versions(request, v => KeyVersion(request, i, v, now, i % 4 == 1 ? rsaPool[(i + v) % rsaPool.Count] : KeyFactory.CreateEc("P-256"))))).ToList();
        var policy = new CertificatePolicyModel { KeyType = "EC", Curve = "P-256", KeySize = 0, KeyUsage = ["digitalSignature"], Created = now, Updated = now };
        var certificates = certificateNames.Select((name, i) =>
        {
            var p = policy with { Subject = "CN=" + name };
            var versions = Enumerable.Range(0, request.Versions).Select(v =>
            {
                var issued = CertificateFactory.CreateSelfSigned(p, DateTimeOffset.FromUnixTimeSeconds(now - request.Versions + v + 1));
                var tags = i % 3 == 0 ? new Dictionary<string, string> { ["seed"] = request.Prefix } : null;
                var built = CertificateBuilder.Build(issued, p, now - request.Versions + v + 1, enabled: i % 7 != 3, tags);
                issued.Certificate.Dispose();
                return built;
            }).ToList();
            return (name, p.ToJson(), versions);
        }).ToList();

        var nowMs = VaultClock.MonotonicMs;
        lock (vault.Gate)
        {
            foreach (var name in secretNames.Concat(keyNames).Concat(certificateNames))
            {
                EnsureFree(vault, name, nowMs, now);
            }

            foreach (var (name, versions) in secrets)
            {
                var entry = vault.Resolve(vault.Secrets, name, nowMs, now) ?? Add(vault.Secrets, new SecretEntry { Name = name });
                entry.Versions.AddRange(versions.Select(v => v with { Sequence = vault.NextSequence() }));
            }

            foreach (var (name, versions) in keys)
            {
                var entry = vault.Resolve(vault.Keys, name, nowMs, now) ?? Add(vault.Keys, new KeyEntry { Name = name });
                entry.Versions.AddRange(versions.Select(v => v with { Sequence = vault.NextSequence() }));
            }

            foreach (var (name, policyJson, versions) in certificates)
            {
                var entry = vault.Resolve(vault.Certificates, name, nowMs, now) ?? Add(vault.Certificates, new CertificateEntry { Name = name });
                entry.PolicyJson = policyJson;
                var key = vault.Resolve(vault.Keys, name, nowMs, now) ?? Add(vault.Keys, new KeyEntry { Name = name, Managed = true });
                var secret = vault.Resolve(vault.Secrets, name, nowMs, now) ?? Add(vault.Secrets, new SecretEntry { Name = name, Managed = true });
                foreach (var (c, k, s) in versions)
                {
                    var sequence = vault.NextSequence();
                    entry.Versions.Add(c with { Sequence = sequence });
                    key.Versions.Add(k with { Sequence = sequence });
                    secret.Versions.Add(s with { Sequence = sequence });
                }
            }

            vault.MarkDirty();
        }

        return new SeedResult(secretNames.Count, keyNames.Count, certificateNames.Count, request.Versions, secretNames, keyNames, certificateNames);
    }

    private static TEntry Add<TEntry>(ObjectCollection<TEntry> collection, TEntry entry)
        where TEntry : ObjectEntry
    {
        collection.Add(entry);
        return entry;
    }

    private static void EnsureFree(Vault vault, string name, long nowMs, long now)
    {
        ObjectEntry?[] existing = [vault.Resolve(vault.Secrets, name, nowMs, now), vault.Resolve(vault.Keys, name, nowMs, now), vault.Resolve(vault.Certificates, name, nowMs, now)];
        foreach (var e in existing)
        {
            if (e is not null && !e.IsActive)
            {
                throw new VaultErrorException(409, "Conflict", $"Cannot seed '{name}': the name is soft-deleted or busy. Purge it or use another prefix.");
            }

            if (e is { Managed: true })
            {
                throw new VaultErrorException(409, "Conflict", $"Cannot seed '{name}': the name belongs to a certificate.");
            }
        }
    }

    private static List<string> Names(string prefix, string kind, int count)
        => Enumerable.Range(0, count).Select(i => $"{prefix}-{kind}{i.ToString("D4", CultureInfo.InvariantCulture)}").ToList();

    private static List<T> Versions<T>(SeedRequest request, Func<int, T> create)
        => Enumerable.Range(0, request.Versions).Select(create).ToList();

    private static SecretVersion SecretVersion(SeedRequest request, string name, int i, int v, long now)
    {
        var created = now - request.Versions + v + 1;
        var contentType = (i % 5) switch { 1 => "text/plain", 2 => "application/json", _ => null };
        var filler = Convert.ToHexString(RandomNumberGenerator.GetBytes((request.ValueBytes + 1) / 2)).ToLowerInvariant()[..request.ValueBytes];
        var value = contentType == "application/json" ? $"{{\"name\":\"{name}\",\"v\":{v}}}" : filler;
        return new SecretVersion
        {
            Version = ObjectNames.NewVersion(),
            Value = value,
            ContentType = contentType,
            Enabled = i % 7 != 3,
            Tags = i % 3 == 0 ? new Dictionary<string, string> { ["seed"] = request.Prefix, ["index"] = i.ToString(CultureInfo.InvariantCulture) } : null,
            NotBefore = i % 11 == 4 ? created - 86_400 : null,
            Expires = i % 11 == 4 ? created + (365 * 86_400) : null,
            Created = created,
            Updated = created,
        };
    }

    private static KeyVersion KeyVersion(SeedRequest request, int i, int v, long now, KeyMaterial material)
    {
        var created = now - request.Versions + v + 1;
        return new KeyVersion
        {
            Version = ObjectNames.NewVersion(),
            Material = material,
            KeyOps = material.IsRsa ? KeyFactory.RsaOperations : KeyFactory.EcOperations,
            Enabled = i % 7 != 3,
            Tags = i % 3 == 0 ? new Dictionary<string, string> { ["seed"] = "true" } : null,
            Expires = i % 11 == 4 ? created + (365 * 86_400) : null,
            Created = created,
            Updated = created,
        };
    }
}
