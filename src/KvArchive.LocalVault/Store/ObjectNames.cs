using System.Security.Cryptography;
using KvArchive.LocalVault.Http;

namespace KvArchive.LocalVault.Store;

/// <summary>Object names (1–127 of 0-9a-zA-Z-) and version ids (32 lower-case hex).</summary>
public static class ObjectNames
{
    public const int MaxNameLength = 127;

    public static string Validate(string name)
    {
        if (name.Length is 0 or > MaxNameLength)
        {
            throw VaultErrors.InvalidName(name);
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-')
            {
                throw VaultErrors.InvalidName(name);
            }
        }

        return name;
    }

    /// <summary>Null/empty (latest) or a well-formed version id; otherwise 400.</summary>
    public static string? ValidateVersion(string? version)
    {
        if (string.IsNullOrEmpty(version))
        {
            return null;
        }

        if (version.Length != 32 || !version.All(char.IsAsciiHexDigit))
        {
            throw VaultErrors.InvalidVersion(version);
        }

        return version;
    }

    public static string NewVersion() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
}
