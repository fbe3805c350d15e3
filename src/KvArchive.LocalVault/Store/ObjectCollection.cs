namespace KvArchive.LocalVault.Store;

/// <summary>
/// The entries of one kind in a vault: a case-insensitive dictionary plus the names in sorted order for paging.
/// Not thread-safe: every call happens under the vault's lock.
/// </summary>
public sealed class ObjectCollection<TEntry>
    where TEntry : ObjectEntry
{
    private readonly Dictionary<string, TEntry> _byName = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> _order = [];

    public int Count => _order.Count;

    public IEnumerable<TEntry> Entries => _byName.Values;

    public TEntry? Find(string name) => _byName.GetValueOrDefault(name);

    public void Add(TEntry entry)
    {
        _byName.Add(entry.Name, entry);
        var key = SortKey(entry.Name);
        var i = _order.BinarySearch(key, StringComparer.Ordinal);
        _order.Insert(i < 0 ? ~i : i, key);
    }

    public void Remove(TEntry entry)
    {
        if (_byName.Remove(entry.Name))
        {
            var i = _order.BinarySearch(SortKey(entry.Name), StringComparer.Ordinal);
            if (i >= 0)
            {
                _order.RemoveAt(i);
            }
        }
    }

    public void Clear()
    {
        _byName.Clear();
        _order.Clear();
    }

    /// <summary>The entry at a position of the sorted order.</summary>
    public TEntry At(int index) => _byName[_order[index]];

    /// <summary>The paging marker of a position.</summary>
    public string MarkerAt(int index) => _order[index];

    /// <summary>The first position after a marker (0 for none).</summary>
    public int IndexAfter(string? marker)
    {
        if (marker is null)
        {
            return 0;
        }

        var i = _order.BinarySearch(SortKey(marker), StringComparer.Ordinal);
        return i >= 0 ? i + 1 : ~i;
    }

    private static string SortKey(string name) => name.ToUpperInvariant();
}
