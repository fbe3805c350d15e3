using System.Collections;

namespace KvArchive.Engine.Archive;

/// <summary>
/// The objects of an archive's manifest, read from the file one row at a time as they are asked for, so that
/// listing or restoring a large archive holds no description of every object. An item still in use elsewhere is
/// handed out again as the same instance (weakly remembered), so items compare by reference as a list's would.
/// </summary>
internal sealed class ArchiveItemList : IReadOnlyList<ArchiveItem>
{
    private readonly string _path;
    private readonly ArchiveBytes _file;
    private readonly ManifestIndex _index;
    private readonly WeakReference<ArchiveItem>?[] _handedOut;

    public ArchiveItemList(string path, ArchiveBytes file, ManifestIndex index)
    {
        _path = path;
        _file = file;
        _index = index;
        _handedOut = new WeakReference<ArchiveItem>?[index.Offsets.Length];
    }

    public int Count => _handedOut.Length;

    public ArchiveItem this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
            lock (_handedOut)
            {
                if (_handedOut[index] is { } known && known.TryGetTarget(out var item))
                {
                    return item;
                }
            }

            var fresh = new ArchiveItem(_path, _index.ReadRow(_file, index));
            lock (_handedOut)
            {
                if (_handedOut[index] is { } known && known.TryGetTarget(out var raced))
                {
                    return raced;
                }

                if (_handedOut[index] is { } slot)
                {
                    slot.SetTarget(fresh);
                }
                else
                {
                    _handedOut[index] = new WeakReference<ArchiveItem>(fresh);
                }
            }

            return fresh;
        }
    }

    public IEnumerator<ArchiveItem> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
