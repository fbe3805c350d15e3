using KvArchive.LocalVault.Store;

namespace KvArchive.LocalVault.Crypto;

/// <summary>What a backup blob holds: every version of one object (and, for a certificate, of its key and secret).</summary>
public sealed class BackupPayload
{
    /// <summary>"secret", "key" or "certificate".</summary>
    public required string Kind { get; set; }

    public required string Name { get; set; }

    public List<SecretVersion>? Secrets { get; set; }

    public List<KeyVersion>? Keys { get; set; }

    public List<CertificateVersion>? Certificates { get; set; }

    public string? PolicyJson { get; set; }

    public PendingCertificateOperation? Pending { get; set; }

    public string? RotationPolicyJson { get; set; }

    /// <summary>The newest version id of a kind's versions in the blob ("" when there are none).</summary>
    public static string LatestVersion<TVersion>(IEnumerable<TVersion>? versions)
        where TVersion : ObjectVersion
        => versions?.MaxBy(v => v.Sequence)?.Version ?? "";

    /// <summary>The newest version id of the blob's own kind.</summary>
    public string LatestVersion() => Kind switch
    {
        "secret" => LatestVersion(Secrets),
        "key" => LatestVersion(Keys),
        _ => LatestVersion(Certificates),
    };
}
