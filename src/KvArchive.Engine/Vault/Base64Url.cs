namespace KvArchive.Engine.Vault;

/// <summary>Unpadded base64url (RFC 4648 §5), as Key Vault carries backup blobs and key material.</summary>
internal static class Base64Url
{
    public static string Encode(ReadOnlySpan<byte> bytes)
    {
        var text = Convert.ToBase64String(bytes);
        return text.TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    public static byte[] Decode(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        switch (s.Length % 4)
        {
            case 2: s += "=="; break;
            case 3: s += "="; break;
            case 1: throw new FormatException("Not base64url: the length is impossible.");
        }

        return Convert.FromBase64String(s);
    }
}
