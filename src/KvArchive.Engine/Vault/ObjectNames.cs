namespace KvArchive.Engine.Vault;

/// <summary>Key Vault object names: 1-127 of 0-9, a-z, A-Z and '-', compared case-insensitively.</summary>
internal static class ObjectNames
{
    public static bool IsValid(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 127)
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-')
            {
                return false;
            }
        }

        return true;
    }
}
