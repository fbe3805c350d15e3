using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Transfer;

/// <summary>
/// Applies <see cref="KvFailurePolicy"/>'s stop rule during one transfer session: counts, per vault, the different
/// objects that failed transiently in a row (an object of that vault that got an answer breaks the row), probes the
/// vault with one listing page after <see cref="KvFailurePolicy.ProbeAfter"/> of them (and after every as many
/// more), and ends the run when the probe fails too or the row reaches <see cref="KvFailurePolicy.StopAfter"/>.
/// Thread-safe: workers report here; objects failing while a probe runs wait for its verdict.
/// </summary>
internal sealed class VaultHealth(VaultCalls calls)
{
    private readonly object _gate = new();
    private readonly Dictionary<Uri, Row> _rows = [];

    /// <summary>Probes made so far (for tests and the record).</summary>
    public int Probes { get; private set; }

    /// <summary>An object of the vault got an answer (saved, restored, or failed with the service's reason): the row is broken.</summary>
    public void Answered(IVaultClient client)
    {
        lock (_gate)
        {
            if (_rows.TryGetValue(client.VaultUri, out var row) && row.Gone is null)
            {
                row.Objects.Clear();
                row.ProbedAt = 0;
            }
        }
    }

    /// <summary>
    /// An object failed transiently (<see cref="KvFailurePolicy.IsTransient"/>, after the client's retries). Returns
    /// when the failure stays with the object; throws the run-ending error when the vault looks gone.
    /// </summary>
    /// <exception cref="KvException"><see cref="KvErrorIds.VaultUnreachable"/>: the vault is gone; the run is over.</exception>
    public async Task FailedAsync(IVaultClient client, KvObjectType type, string name, KvException error, CancellationToken cancellationToken)
    {
        Task<KvException?>? probe;
        lock (_gate)
        {
            if (!_rows.TryGetValue(client.VaultUri, out var row))
            {
                row = new Row();
                _rows.Add(client.VaultUri, row);
            }

            if (row.Gone is not null)
            {
                throw row.Gone;
            }

            row.Objects.Add($"{type}/{name}");
            row.Last = error;
            if (row.Objects.Count >= KvFailurePolicy.StopAfter)
            {
                row.Gone = Gone(client, row.Objects.Count, error, probeError: null);
                throw row.Gone;
            }

            if (row.Probe is null && row.Objects.Count >= row.ProbedAt + KvFailurePolicy.ProbeAfter)
            {
                row.ProbedAt = row.Objects.Count;
                Probes++;
                row.Probe = Task.Run(() => ProbeAsync(client, type, row, cancellationToken), CancellationToken.None);
            }

            probe = row.Probe;
        }

        if (probe is not null && await probe.ConfigureAwait(false) is { } gone)
        {
            throw gone;
        }
    }

    /// <summary>One listing page of the kind that failed: null when the vault answered (even with a refusal), else the run-ending error.</summary>
    private async Task<KvException?> ProbeAsync(IVaultClient client, KvObjectType type, Row row, CancellationToken cancellationToken)
    {
        KvException? verdict = null;
        try
        {
            await calls.CallAsync(
                async ct =>
                {
                    var listing = client.ListAsync(type, ct).GetAsyncEnumerator(ct);
                    await using (listing.ConfigureAwait(false))
                    {
                        return await listing.MoveNextAsync().ConfigureAwait(false);
                    }
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (KvException e) when (KvFailurePolicy.IsTransient(e) && !cancellationToken.IsCancellationRequested)
        {
            lock (_gate)
            {
                verdict = row.Gone ??= Gone(client, row.Objects.Count, row.Last!, e);
            }
        }
        catch (KvException e) when (e.Kind != KvErrorKind.Cancelled && !KvFailurePolicy.IsFatal(e))
        {
            // The vault answered (a refusal, a throttle): it is there; the objects' failures stay theirs.
        }
        finally
        {
            lock (_gate)
            {
                row.Probe = null;
            }
        }

        return verdict;
    }

    private static KvException Gone(IVaultClient client, int objects, KvException last, KvException? probeError)
    {
        var probe = probeError is null
            ? "although the vault still answers listings"
            : $"and a listing of the vault failed too ({probeError.Message})";
        return new KvException(
            KvErrorKind.Connection,
            KvErrorIds.VaultUnreachable,
            $"Vault '{client.VaultName}' stopped answering: {objects} different objects in a row failed after every retry, {probe}. The last failure: {last.Message} The run was stopped; the objects done before were reported.",
            probeError ?? last)
        {
            Status = last.Status,
        };
    }

    private sealed class Row
    {
        public HashSet<string> Objects { get; } = new(StringComparer.OrdinalIgnoreCase);

        public KvException? Last { get; set; }

        public int ProbedAt { get; set; }

        public Task<KvException?>? Probe { get; set; }

        public KvException? Gone { get; set; }
    }
}
