namespace KvArchive.LocalVault.Auth;

/// <summary>What a valid token grants: who, what, until when (Unix seconds, real time).</summary>
public sealed record TokenGrant(string Identity, PermissionSet Permissions, long ExpiresOn);
