using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Transfer;

/// <summary>A backup taken: what is known of the object then, and whether a listing can tell a later change.</summary>
/// <param name="Versions">The versions listed just before it, or null when none were listed (the listing item is the record).</param>
/// <param name="Current">The current version as recorded: the newest of <paramref name="Versions"/>, else the listing item.</param>
/// <param name="Blob">The service's backup.</param>
/// <param name="TakenOn">When it was taken (the session's clock).</param>
/// <param name="AnsweredAt">When the backup answered (a timestamp of the session's clock).</param>
/// <param name="Unambiguous">True when a listing can tell a later change from the recorded state.</param>
internal sealed record TakenBackup(List<KvObject>? Versions, KvObject? Current, byte[] Blob, DateTimeOffset TakenOn, long AnsweredAt, bool Unambiguous);
