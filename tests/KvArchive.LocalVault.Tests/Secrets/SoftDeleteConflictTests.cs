using System.Diagnostics;
using Azure;
using KvArchive.LocalVault.Tests.Infrastructure;

namespace KvArchive.LocalVault.Tests.Secrets;

/// <summary>Asynchronous delete/recover/purge (a vault with deleteDelayMs) and every 409 the service gives meanwhile.</summary>
public sealed class SoftDeleteConflictTests(LocalVaultFixture fx) : IClassFixture<LocalVaultFixture>
{
    private const string Api = "?api-version=2026-04-01";
    private const int DelayMs = 1500;

    [Fact]
    public async Task Being_deleted_then_deleted_but_recoverable_then_being_recovered()
    {
        var vault = await fx.NewVaultAsync(new { deleteDelayMs = DelayMs });
        var client = fx.Secrets(vault);
        await client.SetSecretAsync("x", "one");
        var blob = Base64Url.Encode((await client.BackupSecretAsync("x")).Value);

        var delete = await fx.SendAsync(HttpMethod.Delete, vault, "secrets/x" + Api);
        Assert.True(delete.StatusCode == 200, delete.ToString());
        Assert.Equal(new Uri(vault.Uri, "deletedsecrets/x").ToString(), delete.Json["recoveryId"]!.GetValue<string>());
        var watch = Stopwatch.StartNew();

        // While the delete runs: the deleted secret is not visible yet, the live one is gone, the name is busy.
        KvAssert.Error(await fx.SendAsync(HttpMethod.Get, vault, "deletedsecrets/x" + Api), 404, "SecretNotFound");
        KvAssert.Error(await fx.SendAsync(HttpMethod.Get, vault, "secrets/x" + Api), 404, "SecretNotFound");
        KvAssert.Error(await fx.SendAsync(HttpMethod.Put, vault, "secrets/x" + Api, """{"value":"two"}"""), 409, "Conflict", "ObjectIsBeingDeleted");
        KvAssert.Error(await fx.SendAsync(HttpMethod.Post, vault, "secrets/restore" + Api, $$"""{"value":"{{blob}}"}"""), 409, "Conflict", "ObjectIsBeingDeleted");
        Assert.True(watch.ElapsedMilliseconds < DelayMs, "the checks above took longer than the delay; the test proves nothing");

        await WaitForStatusAsync(vault, "deletedsecrets/x", 200);

        KvAssert.Error(await fx.SendAsync(HttpMethod.Put, vault, "secrets/x" + Api, """{"value":"two"}"""), 409, "Conflict", "ObjectIsDeletedButRecoverable");
        KvAssert.Error(await fx.SendAsync(HttpMethod.Post, vault, "secrets/restore" + Api, $$"""{"value":"{{blob}}"}"""), 409, "Conflict", "ObjectIsDeletedButRecoverable");
        var sdk = await Assert.ThrowsAsync<RequestFailedException>(() => client.SetSecretAsync("x", "three"));
        Assert.Equal(409, sdk.Status);
        Assert.Equal("Conflict", sdk.ErrorCode);

        var recover = await fx.SendAsync(HttpMethod.Post, vault, "deletedsecrets/x/recover" + Api);
        Assert.True(recover.StatusCode == 200, recover.ToString());
        Assert.Null(recover.Json["value"]);
        watch.Restart();
        KvAssert.Error(await fx.SendAsync(HttpMethod.Put, vault, "secrets/x" + Api, """{"value":"two"}"""), 409, "Conflict", "ObjectIsBeingRecovered");
        KvAssert.Error(await fx.SendAsync(HttpMethod.Post, vault, "secrets/restore" + Api, $$"""{"value":"{{blob}}"}"""), 409, "Conflict", "ObjectIsBeingRecovered");
        Assert.True(watch.ElapsedMilliseconds < DelayMs, "the checks above took longer than the delay; the test proves nothing");

        await WaitForStatusAsync(vault, "secrets/x", 200);
        KvAssert.Error(await fx.SendAsync(HttpMethod.Get, vault, "deletedsecrets/x" + Api), 404, "SecretNotFound");
        Assert.Equal("one", (await client.GetSecretAsync("x")).Value.Value);
        Assert.Equal("two", (await client.SetSecretAsync("x", "two")).Value.Value);
    }

    [Fact]
    public async Task Sdk_pollers_wait_out_the_delay()
    {
        var vault = await fx.NewVaultAsync(new { deleteDelayMs = DelayMs });
        var client = fx.Secrets(vault);
        await client.SetSecretAsync("p", "value");

        var watch = Stopwatch.StartNew();
        var delete = await client.StartDeleteSecretAsync("p");
        var deleted = (await delete.WaitForCompletionAsync(TimeSpan.FromMilliseconds(200), default)).Value;
        Assert.True(delete.HasCompleted);
        Assert.True(watch.ElapsedMilliseconds >= DelayMs - 200, $"delete completed after {watch.ElapsedMilliseconds} ms");
        Assert.Equal("p", deleted.Name);
        Assert.Equal("p", (await client.GetDeletedSecretAsync("p")).Value.Name);

        watch.Restart();
        var recover = await client.StartRecoverDeletedSecretAsync("p");
        await recover.WaitForCompletionAsync(TimeSpan.FromMilliseconds(200), default);
        Assert.True(watch.ElapsedMilliseconds >= DelayMs - 200, $"recover completed after {watch.ElapsedMilliseconds} ms");
        Assert.Equal("value", (await client.GetSecretAsync("p")).Value.Value);
    }

    [Fact]
    public async Task Purge_is_asynchronous_too_and_frees_the_name()
    {
        var vault = await fx.NewVaultAsync(new { deleteDelayMs = DelayMs });
        var client = fx.Secrets(vault);
        await client.SetSecretAsync("pg", "value");
        await (await client.StartDeleteSecretAsync("pg")).WaitForCompletionAsync(TimeSpan.FromMilliseconds(200), default);

        var purge = await fx.SendAsync(HttpMethod.Delete, vault, "deletedsecrets/pg" + Api);
        Assert.Equal(204, purge.StatusCode);
        Assert.Equal(string.Empty, purge.Text);

        // Until the purge completes the name cannot be reused.
        var busy = await fx.SendAsync(HttpMethod.Put, vault, "secrets/pg" + Api, """{"value":"again"}""");
        KvAssert.Error(busy, 409, "Conflict");

        // Once the purge completes, the deleted secret is gone and the name takes a new secret.
        await WaitForStatusAsync(vault, "deletedsecrets/pg", 404);
        var watch = Stopwatch.StartNew();
        RawResponse again;
        while ((again = await fx.SendAsync(HttpMethod.Put, vault, "secrets/pg" + Api, """{"value":"again"}""")).StatusCode == 409 && watch.ElapsedMilliseconds < DelayMs * 4)
        {
            KvAssert.Error(again, 409, "Conflict", "ObjectIsBeingDeleted");
            await Task.Delay(100);
        }

        Assert.True(again.StatusCode == 200, again.ToString());
        Assert.Single(await client.GetPropertiesOfSecretVersionsAsync("pg").ToListAsync());
    }

    [Fact]
    public async Task Custom_retention_and_purge_protection()
    {
        var vault = await fx.NewVaultAsync(new { recoverableDays = 7, purgeProtection = true });
        var client = fx.Secrets(vault);
        var set = (await client.SetSecretAsync("ret", "value")).Value;
        Assert.Equal(7, set.Properties.RecoverableDays);
        Assert.Equal("CustomizedRecoverable", set.Properties.RecoveryLevel);

        var deleted = (await (await client.StartDeleteSecretAsync("ret")).WaitForCompletionAsync(TimeSpan.FromMilliseconds(100), default)).Value;
        Assert.Equal(deleted.DeletedOn!.Value.AddDays(7), deleted.ScheduledPurgeDate);

        var purge = await fx.SendAsync(HttpMethod.Delete, vault, "deletedsecrets/ret" + Api);
        KvAssert.Error(purge, 403, "Forbidden");
        Assert.Equal("ret", (await client.GetDeletedSecretAsync("ret")).Value.Name);

        var purgeable = await fx.NewVaultAsync(new { recoverableDays = 30 });
        var p = (await fx.Secrets(purgeable).SetSecretAsync("ret", "value")).Value;
        Assert.Equal("CustomizedRecoverable+Purgeable", p.Properties.RecoveryLevel);
        Assert.Equal(30, p.Properties.RecoverableDays);
    }

    [Fact]
    public async Task Without_soft_delete_a_delete_is_final()
    {
        var vault = await fx.NewVaultAsync(new { softDelete = false });
        var client = fx.Secrets(vault);
        var set = (await client.SetSecretAsync("gone", "v")).Value;
        Assert.Equal("Purgeable", set.Properties.RecoveryLevel);
        var delete = await fx.SendAsync(HttpMethod.Delete, vault, "secrets/gone" + Api);
        Assert.True(delete.StatusCode == 200, delete.ToString());
        Assert.Null(delete.Json["recoveryId"]);
        Assert.Null(delete.Json["scheduledPurgeDate"]);
        KvAssert.Error(await fx.SendAsync(HttpMethod.Get, vault, "deletedsecrets/gone" + Api), 404, "SecretNotFound");
        Assert.Empty(await client.GetDeletedSecretsAsync().ToListAsync());

        // The SDK's delete operation completes at once (no recovery id to poll) and the name is free.
        await client.SetSecretAsync("again", "v");
        var op = await client.StartDeleteSecretAsync("again");
        await op.WaitForCompletionAsync(TimeSpan.FromMilliseconds(100), default);
        Assert.True(op.HasCompleted);
        Assert.Equal(200, (await fx.SendAsync(HttpMethod.Put, vault, "secrets/gone" + Api, "{\"value\":\"new\"}")).StatusCode);
    }

    private async Task WaitForStatusAsync(VaultRef vault, string path, int status)
    {
        var watch = Stopwatch.StartNew();
        RawResponse last;
        do
        {
            await Task.Delay(100);
            last = await fx.SendAsync(HttpMethod.Get, vault, path + Api);
            if (last.StatusCode == status)
            {
                return;
            }
        }
        while (watch.ElapsedMilliseconds < DelayMs * 4);

        Assert.Fail($"{path} never answered {status}; last: {last}");
    }
}
