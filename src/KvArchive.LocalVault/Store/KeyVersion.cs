namespace KvArchive.LocalVault.Store;

/// <summary>A key version: its material and permitted operations.</summary>
public sealed record KeyVersion : ObjectVersion
{
    public required KeyMaterial Material { get; init; }

    public required IReadOnlyList<string> KeyOps { get; init; }

    public bool Exportable { get; init; }
}
