using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Transfer;

/// <summary>
/// Finds what a name is in a vault with two reads: the live object, then the deleted one. A name being
/// deleted or recovered reads as free or soft-deleted here; the restore's 409 then tells it apart.
/// </summary>
internal static class NameStateProbe
{
    public static async Task<TargetNameState> ProbeAsync(VaultCalls calls, IVaultClient client, KvObjectType type, string name, CancellationToken cancellationToken)
    {
        try
        {
            await calls.CallAsync(ct => client.GetAsync(type, name, null, ct), cancellationToken).ConfigureAwait(false);
            return TargetNameState.Exists;
        }
        catch (KvException e) when (e.ErrorId == KvErrorIds.SecretDisabled)
        {
            // A disabled secret cannot be read, but it is there.
            return TargetNameState.Exists;
        }
        catch (KvException e) when (e.Kind == KvErrorKind.NotFound)
        {
        }

        try
        {
            await calls.CallAsync(ct => client.GetDeletedAsync(type, name, ct), cancellationToken).ConfigureAwait(false);
            return TargetNameState.SoftDeleted;
        }
        catch (KvException e) when (e.Kind == KvErrorKind.NotFound)
        {
            return TargetNameState.Free;
        }
        catch (KvException e) when (e.ErrorId is KvErrorIds.ObjectBeingDeleted or KvErrorIds.ObjectBeingRecovered)
        {
            return TargetNameState.Busy;
        }
    }
}
