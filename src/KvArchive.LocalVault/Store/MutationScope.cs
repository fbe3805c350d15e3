namespace KvArchive.LocalVault.Store;

/// <summary>
/// The changes one mutating request makes, so that its answer can wait until they are durable. The pipeline begins
/// a scope for every operation that may change state; from then on the store notes, on the request's own async flow,
/// every entry a handler finds, adds or removes and every vault it marks dirty. Endpoints do nothing for it: a new
/// endpoint that goes through <see cref="Vault.Resolve"/>, the collections or <see cref="Vault.MarkDirty"/> is covered.
/// Single-threaded: a request's flow is sequential, and the notes are made under the vault lock of that flow.
/// </summary>
public sealed class MutationScope
{
    private static readonly AsyncLocal<MutationScope?> CurrentScope = new();

    private Vault? _first;
    private List<Vault>? _more;

    /// <summary>The scope of the request running on this async flow, if it is a mutating one.</summary>
    public static MutationScope? Current => CurrentScope.Value;

    /// <summary>True once anything was noted: the answer must wait for the journal.</summary>
    public bool HasChanges { get; private set; }

    /// <summary>True when user-assigned identities changed.</summary>
    public bool Identities { get; private set; }

    /// <summary>Starts a scope on the current async flow (it ends with the flow).</summary>
    public static MutationScope Begin()
    {
        var scope = new MutationScope();
        CurrentScope.Value = scope;
        return scope;
    }

    /// <summary>The vaults this request touched.</summary>
    public IEnumerable<Vault> Vaults
    {
        get
        {
            if (_first is not null)
            {
                yield return _first;
            }

            if (_more is not null)
            {
                foreach (var v in _more)
                {
                    yield return v;
                }
            }
        }
    }

    public void Note(Vault vault)
    {
        HasChanges = true;
        if (_first is null)
        {
            _first = vault;
        }
        else if (!ReferenceEquals(_first, vault) && !(_more?.Contains(vault) ?? false))
        {
            (_more ??= []).Add(vault);
        }
    }

    public void NoteIdentities()
    {
        HasChanges = true;
        Identities = true;
    }

    /// <summary>A change that is journaled by itself (a vault removed): the answer waits for the journal.</summary>
    public void NoteOther() => HasChanges = true;
}
