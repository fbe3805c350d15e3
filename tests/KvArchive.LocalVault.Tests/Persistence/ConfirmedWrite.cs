namespace KvArchive.LocalVault.Tests.Persistence;

/// <summary>A write LocalVault answered with success: it must be there after any crash.</summary>
/// <param name="Kind">"restore", "set" or "delete".</param>
/// <param name="Name">The secret name.</param>
/// <param name="Version">The version id the answer named (null for a delete).</param>
/// <param name="Value">The value that version must have (null for a delete).</param>
public sealed record ConfirmedWrite(string Kind, string Name, string? Version, string? Value);
