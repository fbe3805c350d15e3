namespace KvArchive.LocalVault.Store;

/// <summary>A certificate version: the DER certificate (its key and secret are versions of the managed key and secret).</summary>
public sealed record CertificateVersion : ObjectVersion
{
    /// <summary>DER bytes of the certificate.</summary>
    public required byte[] Cer { get; init; }

    /// <summary>Unpadded base64url SHA-1 thumbprint.</summary>
    public required string X5t { get; init; }

    public string Subject { get; init; } = "";

    /// <summary>
    /// The version a create in progress will have, as the service shows it (disabled, with the policy and the pending
    /// reference, no cer, x5t, kid or sid). It has no key or secret version; completion replaces it.
    /// </summary>
    public bool IsPending { get; init; }

    /// <summary>The placeholder of a create in progress (see <see cref="IsPending"/>).</summary>
    public static CertificateVersion Placeholder(long now, int validityMonths, IReadOnlyDictionary<string, string>? tags) => new()
    {
        Version = ObjectNames.NewVersion(),
        Cer = [],
        X5t = "",
        IsPending = true,
        Enabled = false,
        Created = now,
        Updated = now,
        NotBefore = now - 600,
        Expires = DateTimeOffset.FromUnixTimeSeconds(now).AddMonths(validityMonths).ToUnixTimeSeconds(),
        Tags = tags,
    };
}
