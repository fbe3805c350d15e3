using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Transfer;

/// <summary>How many objects of one kind ended a run with one status (a row of a summary). Read-only.</summary>
/// <param name="Status">The status (Saved, Restored, Failed, …).</param>
/// <param name="Type">Secret, Key or Certificate.</param>
/// <param name="Count">How many.</param>
public sealed record TransferCount(string Status, KvObjectType Type, int Count);
