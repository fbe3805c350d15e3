namespace KvArchive.LocalVault.Store;

/// <summary>
/// The entries of one kind in a vault: a case-insensitive dictionary plus the names in sorted order for paging.
/// Not thread-safe: every call happens under the vault's lock.
/// With change tracking on (a data directory), the names that may have changed since the journal last recorded them
/// are kept: every add and remove, and every find made by a mutating request (<see cref="MutationScope"/>), since a
/// handler changes the entries it finds. Over-noting costs a redundant journal record, never a lost change.
/// </summary>
public sealed class ObjectCollection<TEntry>
    where TEntry : ObjectEntry
{
    private readonly Dictionary<string, TEntry> _byName = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> _order = [];
    private readonly Vault? _owner;
    private HashSet<string>? _changed;

    /// <summary>An untracked collection.</summary>
    public ObjectCollection()
    {
    }

    /// <summary>A collection of a vault, tracked once <see cref="Vault.EnableChangeTracking"/> is called.</summary>
    public ObjectCollection(Vault owner)
    {
        _owner = owner;
    }

    public int Count => _order.Count;

    public IEnumerable<TEntry> Entries => _byName.Values;

    /// <summary>True when names changed since the last <see cref="TakeChanged"/>.</summary>
    public bool HasChanged => _changed is { Count: > 0 };

    public TEntry? Find(string name)
    {
        if (_changed is not null && MutationScope.Current is { } scope)
        {
            _changed.Add(name);
            scope.Note(_owner!);
        }

        return _byName.GetValueOrDefault(name);
    }

    /// <summary>Finds an entry without noting it (persistence and replay).</summary>
    public TEntry? Peek(string name) => _byName.GetValueOrDefault(name);

    /// <summary>Starts keeping changed names (the vault's tracking).</summary>
    public void EnableTracking() => _changed ??= new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Notes a name as changed (an entry changed without passing through this collection).</summary>
    public void NoteChanged(string name)
    {
        if (_changed is not null)
        {
            _changed.Add(name);
            _owner!.MarkDirty();
        }
    }

    /// <summary>The names changed since the last call (empty when none).</summary>
    public string[] TakeChanged()
    {
        if (_changed is not { Count: > 0 })
        {
            return [];
        }

        var names = _changed.ToArray();
        _changed.Clear();
        return names;
    }

    /// <summary>Forgets the changed names (a full capture of the vault covers them).</summary>
    public void ClearChanged() => _changed?.Clear();

    public void Add(TEntry entry)
    {
        NoteChanged(entry.Name);
        _byName.Add(entry.Name, entry);
        var key = SortKey(entry.Name);
        var i = _order.BinarySearch(key, StringComparer.Ordinal);
        _order.Insert(i < 0 ? ~i : i, key);
    }

    public void Remove(TEntry entry)
    {
        NoteChanged(entry.Name);
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
        foreach (var name in _byName.Keys)
        {
            NoteChanged(name);
        }

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
