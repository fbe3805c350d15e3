namespace KvArchive.LocalVault.Http;

/// <summary>
/// Where a list page starts (marker after which to continue) and how big pages are; <see cref="ExplicitSize"/> when the
/// request named maxresults (the nextLink then repeats it).
/// </summary>
public readonly record struct PageRequest(int PageSize, string? Marker, int PageIndex, bool ExplicitSize = false);
