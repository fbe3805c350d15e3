namespace KvArchive.LocalVault.Http;

/// <summary>Where a list page starts (marker after which to continue) and how big pages are.</summary>
public readonly record struct PageRequest(int PageSize, string? Marker, int PageIndex);
