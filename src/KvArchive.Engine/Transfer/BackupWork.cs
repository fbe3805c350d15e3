using KvArchive.Engine.Archive;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Transfer;

/// <summary>One object of a backup as the driving thread queued it.</summary>
/// <param name="Type">Its kind.</param>
/// <param name="Name">Its name as given.</param>
/// <param name="VaultUri">Its vault (null when none was named).</param>
/// <param name="Client">The vault's client; null when <paramref name="Error"/> says why there is none.</param>
/// <param name="Listed">The listing item it came from, when it came from a listing or a pipe.</param>
/// <param name="Target">What an error names as the failed item.</param>
/// <param name="Error">A failure known before any call (no vault named, no client); the object fails with it.</param>
/// <param name="Duplicate">Named before in this run: skipped.</param>
/// <param name="Check">The listing that tells whether it changed during its backup, or null to list its versions again.</param>
internal sealed record BackupWork(
    KvObjectType Type,
    string Name,
    Uri? VaultUri,
    IVaultClient? Client,
    KvObject? Listed,
    object Target,
    KvException? Error,
    bool Duplicate,
    ListingCheck? Check)
{
    /// <summary>Nothing to back up: the error of a listing (a name not found), reported in input order.</summary>
    public bool ReportOnly { get; init; }

    /// <summary>An incremental backup's entry to copy from the base archive instead of calling the vault.</summary>
    public ArchiveItem? CopyFrom { get; init; }

    /// <summary>The open base archive (with <see cref="CopyFrom"/> or <see cref="DeletedFrom"/>).</summary>
    public BackupBase? Base { get; init; }

    /// <summary>An entry of the base archive whose object the vault no longer lists: recorded as deleted.</summary>
    public ArchiveItem? DeletedFrom { get; init; }

    /// <summary>
    /// Backed up with one request, its description taken from the listing item (an incremental backup's changed
    /// object whose last update was over before the listing read it; a later change is in the blob and moves the
    /// updated time the next run compares).
    /// </summary>
    public bool FromListing { get; init; }
}
