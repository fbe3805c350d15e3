namespace KvArchive.Bench;

/// <summary>How a benchmark size splits into object kinds: mostly secrets, as in real vaults.</summary>
public sealed record Mix(int Secrets, int Keys, int Certificates)
{
    public static Mix For(int size)
    {
        var certificates = size / 20;
        var keys = size / 10;
        return new Mix(size - keys - certificates, keys, certificates);
    }
}
