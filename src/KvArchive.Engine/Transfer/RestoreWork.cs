using KvArchive.Engine.Archive;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Transfer;

/// <summary>One archive entry of a restore as the driving thread queued it.</summary>
/// <param name="Item">The entry; null when the entry asked for is not in the archive (<paramref name="Error"/> says so).</param>
/// <param name="Type">Its kind.</param>
/// <param name="Name">Its name.</param>
/// <param name="ArchivePath">The archive's full path.</param>
/// <param name="Reader">The open archive; null when it could not be opened.</param>
/// <param name="Client">The target vault's client; null when <paramref name="Error"/> says why there is none.</param>
/// <param name="TargetVaultUri">The vault it is restored into.</param>
/// <param name="Error">A failure known before any call; the entry fails with it.</param>
internal sealed record RestoreWork(ArchiveItem? Item, KvObjectType Type, string Name, string ArchivePath, IArchiveSource? Reader, IVaultClient? Client, Uri? TargetVaultUri, KvException? Error)
{
    /// <summary>Plan from listings of the target when it holds at most this many names of the type; 0: read the name alone.</summary>
    public int ListingLimit { get; init; }

    /// <summary>Its archive's failure was reported already: the entry is counted as failed without repeating the error.</summary>
    public bool ErrorReported { get; init; }

    /// <summary>What the name was in the target when last planned (one worker at a time).</summary>
    public KvNameState? State { get; set; }

    /// <summary>How messages and confirmations name the entry in its target.</summary>
    public string Describe(string plan) => $"{Type.Word()} '{Name}' in {TargetVaultUri} ({plan})";
}
