namespace KvArchive.Engine.Vault;

/// <summary>
/// Key Vault's asynchronous life cycle made synchronous for callers: delete, recover and purge that return once the
/// vault shows the result, the state of a name for restore planning, and a restore that waits out a busy name.
/// Polls back off (see <see cref="KvWaitOptions"/>) and give up with a <see cref="KvException"/> naming the object.
/// </summary>
public static class VaultOperations
{
    /// <summary>
    /// Deletes an object and waits until the vault lists it as deleted (or, in a vault without soft delete, until
    /// it is gone). Returns the deleted object.
    /// </summary>
    public static async Task<KvObject> DeleteAndWaitAsync(this IVaultClient client, KvObjectType type, string name, KvWaitOptions? wait, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var deleted = await client.DeleteAsync(type, name, cancellationToken).ConfigureAwait(false);
        var softDelete = deleted.RecoveryId is not null
            || (deleted.RecoveryLevel?.Contains("Recoverable", StringComparison.OrdinalIgnoreCase) ?? false);

        var result = deleted;
        await PollAsync(
            client, type, name, wait, KvErrorIds.ObjectBeingDeleted, "deleting", async ct =>
            {
                if (softDelete)
                {
                    try
                    {
                        result = await client.GetDeletedAsync(type, name, ct).ConfigureAwait(false);
                        return true;
                    }
                    catch (KvException e) when (e.Kind == KvErrorKind.NotFound)
                    {
                        return false;
                    }
                    catch (KvException e) when (e.Kind == KvErrorKind.InvalidArgument)
                    {
                        // The vault has no soft delete after all: wait for the live object to go.
                        softDelete = false;
                    }
                }

                return await ProbeAsync(() => client.GetAsync(type, name, null, ct)).ConfigureAwait(false) is null;
            },
            cancellationToken).ConfigureAwait(false);
        client.Pending.Finished(type, name);
        return result;
    }

    /// <summary>Recovers a soft-deleted object and waits until it is live again; returns it (latest version).</summary>
    public static async Task<KvObject> RecoverAndWaitAsync(this IVaultClient client, KvObjectType type, string name, KvWaitOptions? wait, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        await client.RecoverAsync(type, name, cancellationToken).ConfigureAwait(false);
        KvObject? result = null;
        await PollAsync(
            client, type, name, wait, KvErrorIds.ObjectBeingRecovered, "recovering", async ct =>
            {
                result = await ProbeAsync(() => client.GetAsync(type, name, null, ct)).ConfigureAwait(false);
                return result is not null;
            },
            cancellationToken).ConfigureAwait(false);
        client.Pending.Finished(type, name);
        return result!;
    }

    /// <summary>
    /// Purges a soft-deleted object and waits until the vault no longer lists it as deleted. Key Vault may still answer 409 ObjectIsBeingDeleted to a write for a moment afterwards;
    /// <see cref="RestoreAndWaitAsync"/> waits that out.
    /// </summary>
    public static async Task PurgeAndWaitAsync(this IVaultClient client, KvObjectType type, string name, KvWaitOptions? wait, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        await client.PurgeAsync(type, name, cancellationToken).ConfigureAwait(false);
        await PollAsync(
            client, type, name, wait, KvErrorIds.ObjectBeingDeleted, "purging", async ct =>
            {
                var stillDeleted = await ProbeAsync(() => client.GetDeletedAsync(type, name, ct)).ConfigureAwait(false);
                return stillDeleted is null;
            },
            cancellationToken).ConfigureAwait(false);
        client.Pending.Finished(type, name);
    }

    /// <summary>
    /// What a name is in the vault, read without writing anything: a live object (<see cref="KvNameState.Exists"/>),
    /// a soft-deleted one, a delete or recovery this client started whose result is not visible yet
    /// (<see cref="KvNameState.BeingDeleted"/>, <see cref="KvNameState.BeingRecovered"/>), or free. Reads cannot see a
    /// purge (or a delete started elsewhere) that is still under way: such a name reads as Free and a write to it
    /// fails with <see cref="KvErrorIds.ObjectBeingDeleted"/> for a few seconds; <see cref="RetryWhileNameBusyAsync"/>
    /// and <see cref="RestoreAndWaitAsync"/> wait that out, and <see cref="NameStateOf"/> classifies such a 409.
    /// </summary>
    public static async Task<KvNameState> GetNameStateAsync(this IVaultClient client, KvObjectType type, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var pending = client.Pending;
        try
        {
            await client.GetAsync(type, name, null, cancellationToken).ConfigureAwait(false);
            pending.Finished(type, name);
            return KvNameState.Exists;
        }
        catch (KvException e) when (e.ErrorId == KvErrorIds.SecretDisabled)
        {
            pending.Finished(type, name);
            return KvNameState.Exists;
        }
        catch (KvException e) when (e.Kind == KvErrorKind.NotFound && e.ErrorId == KvErrorIds.ObjectNotFound)
        {
        }

        var transition = pending.Pending(type, name);
        try
        {
            await client.GetDeletedAsync(type, name, cancellationToken).ConfigureAwait(false);
            if (transition == PendingTransition.Purge)
            {
                return KvNameState.BeingDeleted;
            }

            pending.Finished(type, name);
            return KvNameState.SoftDeleted;
        }
        catch (KvException e) when (e.Kind == KvErrorKind.NotFound && e.ErrorId == KvErrorIds.ObjectNotFound)
        {
        }
        catch (KvException e) when (e.Kind == KvErrorKind.InvalidArgument)
        {
            // A vault without soft delete has no deleted objects to read.
        }

        switch (transition)
        {
            case PendingTransition.Delete:
                return KvNameState.BeingDeleted;
            case PendingTransition.Recover:
                return KvNameState.BeingRecovered;
            default:
                pending.Finished(type, name);
                return KvNameState.Free;
        }
    }

    /// <summary>The name state a write's 409 reveals (soft-deleted, being deleted or recovered, exists), else null.</summary>
    public static KvNameState? NameStateOf(KvException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception.ErrorId switch
        {
            KvErrorIds.ObjectSoftDeleted => KvNameState.SoftDeleted,
            KvErrorIds.ObjectBeingDeleted => KvNameState.BeingDeleted,
            KvErrorIds.ObjectBeingRecovered => KvNameState.BeingRecovered,
            KvErrorIds.ObjectExists => KvNameState.Exists,
            _ => null,
        };
    }

    /// <summary>
    /// Restores a backup blob, retrying while the vault answers that the name is being deleted or recovered (409
    /// ObjectIsBeingDeleted / ObjectIsBeingRecovered) until <see cref="KvWaitOptions.Timeout"/>. Every other failure,
    /// including a soft-deleted or existing name, is thrown at once.
    /// </summary>
    public static Task<KvObject> RestoreAndWaitAsync(this IVaultClient client, KvObjectType type, ReadOnlyMemory<byte> blob, KvWaitOptions? wait, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        return RetryWhileNameBusyAsync(ct => client.RestoreAsync(type, blob, ct), wait, cancellationToken);
    }

    /// <summary>
    /// Runs a write that takes a name (restore, set, create), retrying while the vault answers that the name is
    /// still being deleted, purged or recovered (409 ObjectIsBeingDeleted / ObjectIsBeingRecovered), with bounded
    /// backoff until <see cref="KvWaitOptions.Timeout"/>; then the last such failure is thrown. Other failures are
    /// thrown at once. Key Vault purges asynchronously, so this is how to use a name right after a purge.
    /// </summary>
    public static async Task<T> RetryWhileNameBusyAsync<T>(Func<CancellationToken, Task<T>> write, KvWaitOptions? wait, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        var backoff = new Backoff(wait ?? KvWaitOptions.Default);
        while (true)
        {
            try
            {
                return await write(cancellationToken).ConfigureAwait(false);
            }
            catch (KvException e) when (e.ErrorId is KvErrorIds.ObjectBeingDeleted or KvErrorIds.ObjectBeingRecovered && !backoff.Expired)
            {
            }

            await backoff.DelayAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task PollAsync(
        IVaultClient client,
        KvObjectType type,
        string name,
        KvWaitOptions? wait,
        string timeoutErrorId,
        string doing,
        Func<CancellationToken, Task<bool>> poll,
        CancellationToken cancellationToken)
    {
        wait ??= KvWaitOptions.Default;
        var backoff = new Backoff(wait);
        while (true)
        {
            if (await poll(cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            if (backoff.Expired)
            {
                throw new KvException(
                    KvErrorKind.Conflict,
                    timeoutErrorId,
                    $"Vault '{client.VaultName}' had not finished {doing} {type.Word()} '{name}' after {wait.Timeout.TotalSeconds:0} s; it may still finish.")
                {
                    ObjectType = type,
                    ObjectName = name,
                };
            }

            await backoff.DelayAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<KvObject?> ProbeAsync(Func<Task<KvObject>> read)
    {
        try
        {
            return await read().ConfigureAwait(false);
        }
        catch (KvException e) when (e.Kind == KvErrorKind.NotFound && e.ErrorId == KvErrorIds.ObjectNotFound)
        {
            return null;
        }
    }

    /// <summary>Bounded exponential backoff with jitter.</summary>
    private sealed class Backoff(KvWaitOptions wait)
    {
        private readonly DateTimeOffset _deadline = DateTimeOffset.UtcNow + wait.Timeout;
        private TimeSpan _next = wait.InitialDelay;

        public bool Expired => DateTimeOffset.UtcNow >= _deadline;

        public async Task DelayAsync(CancellationToken cancellationToken)
        {
            var jitter = 0.8 + (Random.Shared.NextDouble() * 0.4);
            var delay = TimeSpan.FromMilliseconds(_next.TotalMilliseconds * jitter);
            var left = _deadline - DateTimeOffset.UtcNow;
            if (delay > left)
            {
                delay = left > TimeSpan.Zero ? left : TimeSpan.Zero;
            }

            _next = TimeSpan.FromMilliseconds(Math.Min(_next.TotalMilliseconds * 1.6, wait.MaxDelay.TotalMilliseconds));
            try
            {
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
            {
                throw new KvException(KvErrorKind.Cancelled, KvErrorIds.Cancelled, "The operation was cancelled while waiting for the vault.", e);
            }
        }
    }
}
