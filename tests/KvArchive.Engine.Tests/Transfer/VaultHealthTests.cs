using KvArchive.Engine.Transfer;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Tests.Transfer;

/// <summary>The stop rule's counting: different objects in a row, broken by an answer; a probe; the stop count.</summary>
[Trait("Category", "Unit")]
public sealed class VaultHealthTests
{
    private readonly FakeVaultClient _vault = new();
    private readonly VaultHealth _health = new(new VaultCalls(new AdaptiveRateLimiter()));

    private static KvException Reset() => new(KvErrorKind.Connection, KvErrorIds.VaultUnreachable, "Vault 'prod' could not be reached (Connection reset by peer).");

    private Task FailAsync(string name) => _health.FailedAsync(_vault, KvObjectType.Secret, name, Reset(), CancellationToken.None);

    [Fact]
    public async Task An_answer_breaks_the_row_and_the_same_object_counts_once()
    {
        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < KvFailurePolicy.ProbeAfter - 1; i++)
            {
                await FailAsync($"s{i}");
                await FailAsync($"s{i}");
            }

            _health.Answered(_vault);
        }

        Assert.Equal(0, _health.Probes);
    }

    [Fact]
    public async Task A_row_probes_the_vault_and_stops_at_the_stop_count_while_the_vault_lists()
    {
        for (var i = 0; i < KvFailurePolicy.StopAfter - 1; i++)
        {
            await FailAsync($"s{i}");
        }

        // The fake lists: each probe answered, so the objects stay failed.
        Assert.Equal((KvFailurePolicy.StopAfter - 1) / KvFailurePolicy.ProbeAfter, _health.Probes);
        var e = await Assert.ThrowsAsync<KvException>(() => FailAsync("last"));
        Assert.Equal(KvErrorIds.VaultUnreachable, e.ErrorId);
        Assert.Contains($"{KvFailurePolicy.StopAfter} different objects in a row", e.Message);
        Assert.Contains("still answers listings", e.Message);

        // Gone is gone: the next failure, and an answer after it, do not bring the vault back.
        _health.Answered(_vault);
        await Assert.ThrowsAsync<KvException>(() => FailAsync("after"));
    }

    [Fact]
    public async Task Another_vault_keeps_its_own_row()
    {
        var other = new FakeVaultClient("other");
        for (var i = 0; i < KvFailurePolicy.ProbeAfter - 1; i++)
        {
            await FailAsync($"s{i}");
            await _health.FailedAsync(other, KvObjectType.Key, $"k{i}", Reset(), CancellationToken.None);
        }

        Assert.Equal(0, _health.Probes);
    }
}
