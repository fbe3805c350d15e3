namespace KvArchive.LocalVault.Store;

/// <summary>A certificate version: the DER certificate (its key and secret are versions of the managed key and secret).</summary>
public sealed record CertificateVersion : ObjectVersion
{
    /// <summary>DER bytes of the certificate.</summary>
    public required byte[] Cer { get; init; }

    /// <summary>Unpadded base64url SHA-1 thumbprint.</summary>
    public required string X5t { get; init; }

    public string Subject { get; init; } = "";
}
