using KvArchive.Engine.Vault;

namespace KvArchive.Commands;

/// <summary>One object a cmdlet acts on, resolved from -Name, -InputObject or -Id.</summary>
/// <param name="Client">The client of the object's vault.</param>
/// <param name="Type">Its kind.</param>
/// <param name="Name">Its name.</param>
/// <param name="Version">A version, when the input named one.</param>
/// <param name="Removed">True/false when the input says whether it is soft-deleted; null when unknown.</param>
/// <param name="Target">What error records name as the failed item.</param>
internal sealed record ObjectTarget(IVaultClient Client, KvObjectType Type, string Name, string? Version, bool? Removed, object Target);
