namespace KvArchive.LocalVault.Store;

/// <summary>How list pages are cut (a vault setting).</summary>
public enum PageShape
{
    /// <summary>Each page scans up to maxresults names; names not shown (deleted, pending) leave short or empty pages.</summary>
    Natural,

    /// <summary>Page windows cycle through maxresults, half of it, 0 (an empty page with a nextLink) and 1.</summary>
    Ragged,
}
