using KvArchive.LocalVault.Store;

namespace KvArchive.LocalVault.Persistence;

/// <summary>
/// Holds a mutating request's answer until its changes are durable. The pipeline calls <see cref="Hold"/> before the
/// handler: it begins a <see cref="MutationScope"/> and registers a response-starting callback, which Kestrel awaits
/// before it sends the status line, so whatever the handler answers (a body, a bare 204, an error) leaves only after
/// <see cref="VaultPersistence.CommitAsync"/> has flushed the journal. Handlers need not know about it.
/// </summary>
public sealed class DurabilityGate(VaultPersistence persistence)
{
    public void Hold(HttpContext context)
    {
        var scope = MutationScope.Begin();
        context.Response.OnStarting(
            static state =>
            {
                var (p, s) = ((VaultPersistence, MutationScope))state;
                return p.CommitAsync(s);
            },
            (persistence, scope));
    }
}
