using System.Security;

namespace KvArchive.Engine.Vault;

/// <summary>A secret version with its value. The value is a <see cref="SecureString"/>; ToString never shows it.</summary>
public sealed class KvSecretValue
{
    /// <summary>The version's properties.</summary>
    public required KvObject Properties { get; init; }

    /// <summary>The value, read-only.</summary>
    public required SecureString Value { get; init; }

    /// <inheritdoc />
    public override string ToString() => Properties.Id.ToString();
}
