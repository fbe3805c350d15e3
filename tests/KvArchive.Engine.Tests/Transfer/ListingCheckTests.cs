using KvArchive.Engine.Transfer;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Tests.Transfer;

[Trait("Category", "Unit")]
public sealed class ListingCheckTests
{
    [Fact]
    public async Task A_waiter_after_the_listing_went_idle_is_answered_within_the_hold_even_when_others_never_come()
    {
        var client = new FakeVaultClient();
        for (var i = 0; i < 60; i++)
        {
            client.Add(KvObjectType.Secret, $"s{i:D2}");
        }

        using var check = new ListingCheck(client, KvObjectType.Secret, new AdaptiveRateLimiter(), TimeProvider.System, CancellationToken.None);
        check.Expect();
        check.Expect();
        check.Expect();

        // s00 waits alone: the listing reads its first page (25 names) within the hold, answers it, and then, with
        // nobody waiting, sleeps before the next page.
        var first = check.WaitAsync("s00", TimeProvider.System.GetTimestamp());
        Assert.Same(first, await Task.WhenAny(first, Task.Delay(TimeSpan.FromSeconds(10))));
        await Task.Delay(200);

        // s40 (on the second page) waits while the third announced object never does: s40 must not wait for it,
        // nor for 50 waiters.
        var second = check.WaitAsync("s40", TimeProvider.System.GetTimestamp());
        Assert.Same(second, await Task.WhenAny(second, Task.Delay(TimeSpan.FromSeconds(10))));
    }
}
