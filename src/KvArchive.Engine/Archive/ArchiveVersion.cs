namespace KvArchive.Engine.Archive;

/// <summary>One version of an archived object, as the source vault listed it just before the backup.</summary>
public sealed class ArchiveVersion
{
    /// <summary>The version id (32 hex characters).</summary>
    public required string Version { get; init; }

    /// <summary>When the version was created.</summary>
    public DateTimeOffset? CreatedOn { get; init; }

    /// <summary>When the version was last updated; the point-in-time check compares it.</summary>
    public DateTimeOffset? UpdatedOn { get; init; }

    /// <summary>Whether the version is enabled.</summary>
    public bool? Enabled { get; init; }

    /// <summary>Not valid before this time.</summary>
    public DateTimeOffset? NotBefore { get; init; }

    /// <summary>Not valid after this time.</summary>
    public DateTimeOffset? ExpiresOn { get; init; }

    /// <inheritdoc />
    public override string ToString() => Version;
}
