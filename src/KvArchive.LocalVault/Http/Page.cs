namespace KvArchive.LocalVault.Http;

/// <summary>The items of one list page and where the next one starts (null marker and !HasNext: last page).</summary>
public sealed record Page<T>(List<T> Items, bool HasNext, string? NextMarker);
