using System.Runtime.CompilerServices;

namespace KvArchive.Engine.Vault;

/// <summary>
/// The engine's <see cref="IVaultClient"/>: one store per object type behind one HTTP connection pool, every
/// failure mapped once by <see cref="KvErrorMapper"/>. Created by <c>VaultClientFactory</c>; dispose it when the
/// command ends to close its connections.
/// </summary>
internal sealed class KeyVaultClient : IVaultClient
{
    private readonly IReadOnlyDictionary<KvObjectType, IObjectStore> _stores;
    private readonly ISecretStore _secrets;
    private readonly IKeyStore _keys;
    private readonly VaultConnectionOptions _options;
    private readonly IDisposable? _connection;

    public KeyVaultClient(VaultIdentity vault, ISecretStore secrets, IKeyStore keys, IObjectStore certificates, VaultConnectionOptions options, IDisposable? connection)
    {
        Vault = vault;
        _secrets = secrets;
        _keys = keys;
        _options = options;
        _connection = connection;
        _stores = new Dictionary<KvObjectType, IObjectStore>
        {
            [KvObjectType.Secret] = secrets,
            [KvObjectType.Key] = keys,
            [KvObjectType.Certificate] = certificates,
        };
    }

    internal VaultIdentity Vault { get; }

    /// <summary>Deletes and recoveries this client started and has not seen finish (for the name probe).</summary>
    public IPendingTransitions Pending { get; } = new PendingRemovals();

    public Uri VaultUri => Vault.Uri;

    public string VaultName => Vault.Name;

    public IAsyncEnumerable<KvObject> ListAsync(KvObjectType type, CancellationToken cancellationToken)
        => Stream(Store(type).ListAsync(cancellationToken), Context(VaultOperation.List, type, null, null, cancellationToken), cancellationToken);

    public IAsyncEnumerable<KvObject> ListVersionsAsync(KvObjectType type, string name, CancellationToken cancellationToken)
        => Stream(Store(type).ListVersionsAsync(CheckName(type, name), cancellationToken), Context(VaultOperation.ListVersions, type, name, null, cancellationToken), cancellationToken);

    public IAsyncEnumerable<KvObject> ListDeletedAsync(KvObjectType type, CancellationToken cancellationToken)
        => Stream(Store(type).ListDeletedAsync(cancellationToken), Context(VaultOperation.ListDeleted, type, null, null, cancellationToken), cancellationToken);

    public Task<KvObject> GetAsync(KvObjectType type, string name, string? version, CancellationToken cancellationToken)
        => Run(Context(VaultOperation.Get, type, name, version, cancellationToken), () => Store(type).GetAsync(CheckName(type, name), NullIfEmpty(version), cancellationToken));

    public Task<KvObject> GetDeletedAsync(KvObjectType type, string name, CancellationToken cancellationToken)
        => Run(Context(VaultOperation.GetDeleted, type, name, null, cancellationToken), () => Store(type).GetDeletedAsync(CheckName(type, name), cancellationToken));

    public Task<KvObject> UpdateAsync(KvObjectType type, string name, string? version, KvPropertyUpdate update, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(update);
        return Run(Context(VaultOperation.Update, type, name, version, cancellationToken), () => Store(type).UpdateAsync(CheckName(type, name), NullIfEmpty(version), update, cancellationToken));
    }

    public async Task<KvObject> DeleteAsync(KvObjectType type, string name, CancellationToken cancellationToken)
    {
        var deleted = await Run(Context(VaultOperation.Delete, type, name, null, cancellationToken), () => Store(type).DeleteAsync(CheckName(type, name), cancellationToken)).ConfigureAwait(false);
        Pending.Started(type, name, PendingTransition.Delete);
        return deleted;
    }

    public Task RecoverAsync(KvObjectType type, string name, CancellationToken cancellationToken)
        => Run(Context(VaultOperation.Recover, type, name, null, cancellationToken), async () =>
        {
            await Store(type).RecoverAsync(CheckName(type, name), cancellationToken).ConfigureAwait(false);
            Pending.Started(type, name, PendingTransition.Recover);
            return true;
        });

    public Task PurgeAsync(KvObjectType type, string name, CancellationToken cancellationToken)
        => Run(Context(VaultOperation.Purge, type, name, null, cancellationToken), async () =>
        {
            await Store(type).PurgeAsync(CheckName(type, name), cancellationToken).ConfigureAwait(false);
            Pending.Started(type, name, PendingTransition.Purge);
            return true;
        });

    public Task<byte[]> BackupAsync(KvObjectType type, string name, CancellationToken cancellationToken)
        => Run(Context(VaultOperation.Backup, type, name, null, cancellationToken), () => Store(type).BackupAsync(CheckName(type, name), cancellationToken));

    public Task<KvObject> RestoreAsync(KvObjectType type, ReadOnlyMemory<byte> blob, CancellationToken cancellationToken)
        => Run(Context(VaultOperation.Restore, type, null, null, cancellationToken), () =>
        {
            if (blob.IsEmpty)
            {
                throw new KvException(KvErrorKind.InvalidArgument, KvErrorIds.BackupRejected, $"The {type.Word()} backup blob is empty; nothing was sent to vault '{VaultName}'.") { ObjectType = type };
            }

            return Store(type).RestoreAsync(blob, cancellationToken);
        });

    public Task<KvObject> SetSecretAsync(string name, string value, KvSecretSetOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(options);
        return Run(Context(VaultOperation.SetSecret, KvObjectType.Secret, name, null, cancellationToken), () => _secrets.SetAsync(CheckName(KvObjectType.Secret, name), value, options, cancellationToken));
    }

    public Task<KvSecretValue> GetSecretAsync(string name, string? version, CancellationToken cancellationToken)
        => Run(Context(VaultOperation.GetSecretValue, KvObjectType.Secret, name, version, cancellationToken), () => _secrets.GetValueAsync(CheckName(KvObjectType.Secret, name), NullIfEmpty(version), cancellationToken));

    public Task<KvObject> CreateKeyAsync(string name, KvKeyCreateOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Run(Context(VaultOperation.CreateKey, KvObjectType.Key, name, null, cancellationToken), () => _keys.CreateAsync(CheckName(KvObjectType.Key, name), options, cancellationToken));
    }

    public void Dispose() => _connection?.Dispose();

    /// <inheritdoc />
    public override string ToString() => VaultUri.ToString();

    private IObjectStore Store(KvObjectType type)
        => _stores.TryGetValue(type, out var store) ? store : throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown object type.");

    private ErrorContext Context(VaultOperation operation, KvObjectType? type, string? name, string? version, CancellationToken cancellationToken)
        => new(Vault, operation, type, name, NullIfEmpty(version), _options.CredentialKind, _options.MaxRetries, cancellationToken);

    private static async Task<T> Run<T>(ErrorContext context, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            throw KvErrorMapper.Map(e, context);
        }
    }

    private static async IAsyncEnumerable<KvObject> Stream(IAsyncEnumerable<KvObject> source, ErrorContext context, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        IAsyncEnumerator<KvObject> enumerator;
        try
        {
            enumerator = source.GetAsyncEnumerator(cancellationToken);
        }
        catch (Exception e)
        {
            throw KvErrorMapper.Map(e, context);
        }

        await using (enumerator.ConfigureAwait(false))
        {
            while (true)
            {
                bool more;
                try
                {
                    more = await enumerator.MoveNextAsync().ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    throw KvErrorMapper.Map(e, context);
                }

                if (!more)
                {
                    break;
                }

                yield return enumerator.Current;
            }
        }
    }

    private string CheckName(KvObjectType type, string name)
    {
        if (!ObjectNames.IsValid(name))
        {
            throw new KvException(
                KvErrorKind.InvalidArgument,
                KvErrorIds.InvalidArgument,
                $"'{name}' is not a valid {type.Word()} name: Key Vault names have 1 to 127 letters, digits and '-'.")
            {
                ObjectType = type,
                ObjectName = name,
            };
        }

        return name;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
