namespace KvArchive.LocalVault.Store;

/// <summary>
/// A key's JSON Web Key parameters as unpadded base64url strings, private parts included. Only the public parts
/// ever leave LocalVault in clear; the private parts travel only inside encrypted backup blobs and state files.
/// </summary>
public sealed record KeyMaterial
{
    /// <summary>"RSA", "EC", "RSA-HSM" or "EC-HSM".</summary>
    public required string Kty { get; init; }

    public string? Crv { get; init; }

    public string? N { get; init; }

    public string? E { get; init; }

    public string? D { get; init; }

    public string? P { get; init; }

    public string? Q { get; init; }

    public string? DP { get; init; }

    public string? DQ { get; init; }

    public string? QI { get; init; }

    public string? X { get; init; }

    public string? Y { get; init; }

    /// <summary>RSA modulus size in bits (0 for EC).</summary>
    public int KeySize { get; init; }

    /// <summary>True for RSA and RSA-HSM.</summary>
    public bool IsRsa => Kty.StartsWith("RSA", StringComparison.Ordinal);
}
