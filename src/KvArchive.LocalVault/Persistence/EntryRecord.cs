namespace KvArchive.LocalVault.Persistence;

/// <summary>
/// One entry in a journal record: its state, with either every version or, when <see cref="AppendFrom"/> is set,
/// only the versions after the first <c>AppendFrom</c> ones (which the journal already holds), so that adding a version
/// to a long-lived name costs one version, not all of them.
/// </summary>
public sealed class EntryRecord<TEntry>
{
    public required TEntry Entry { get; set; }

    public int? AppendFrom { get; set; }
}
