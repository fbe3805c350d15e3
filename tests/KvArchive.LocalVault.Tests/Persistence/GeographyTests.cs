using KvArchive.LocalVault.Tests.Infrastructure;

namespace KvArchive.LocalVault.Tests.Persistence;

/// <summary>Backup blobs are bound to a geography: across geographies a restore is a clear 400.</summary>
public sealed class GeographyTests(LocalVaultFixture fx) : IClassFixture<LocalVaultFixture>
{
    private const string Api = "?api-version=2026-04-01";

    [Fact]
    public async Task Two_vaults_with_different_geographies_refuse_each_others_blobs()
    {
        var west = await fx.NewVaultAsync(new { geography = "geo-west" });
        var east = await fx.NewVaultAsync(new { geography = "geo-east" });
        var westToo = await fx.NewVaultAsync(new { geography = "geo-west" });
        await fx.Secrets(west).SetSecretAsync("travel", "v");
        var blob = Base64Url.Encode((await fx.Secrets(west).BackupSecretAsync("travel")).Value);

        var refused = await fx.SendAsync(HttpMethod.Post, east, "secrets/restore" + Api, $$"""{"value":"{{blob}}"}""");
        KvAssert.Error(refused, 400, "BadParameter", messageContains: "geography");
        Assert.Contains("geo-west", refused.ErrorMessage);
        Assert.Empty(await fx.Secrets(east).GetPropertiesOfSecretsAsync().ToListAsync());

        var accepted = await fx.SendAsync(HttpMethod.Post, westToo, "secrets/restore" + Api, $$"""{"value":"{{blob}}"}""");
        Assert.True(accepted.StatusCode == 200, accepted.ToString());
    }

    [Fact]
    public async Task Two_processes_with_different_geographies_refuse_each_others_blobs_and_tokens()
    {
        await using var west = await LocalVaultFixture.StartAsync("--geography", "proc-west");
        await using var east = await LocalVaultFixture.StartAsync("--geography", "proc-east");
        var wv = await west.NewVaultAsync();
        var ev = await east.NewVaultAsync();
        await west.Secrets(wv).SetSecretAsync("cross", "v");
        var secretBlob = (await west.Secrets(wv).BackupSecretAsync("cross")).Value;
        var keyCreate = await west.SendAsync(HttpMethod.Post, wv, "keys/kc/create" + Api, """{"kty":"EC","crv":"P-256"}""");
        Assert.True(keyCreate.StatusCode == 200, keyCreate.ToString());
        var keyBlob = (await west.SendAsync(HttpMethod.Post, wv, "keys/kc/backup" + Api)).Json["value"]!.GetValue<string>();

        var secretRestore = await east.SendAsync(HttpMethod.Post, ev, "secrets/restore" + Api, $$"""{"value":"{{Base64Url.Encode(secretBlob)}}"}""");
        KvAssert.Error(secretRestore, 400, "BadParameter", messageContains: "geography");
        var keyRestore = await east.SendAsync(HttpMethod.Post, ev, "keys/restore" + Api, $$"""{"value":"{{keyBlob}}"}""");
        KvAssert.Error(keyRestore, 400, "BadParameter", messageContains: "geography");
        var sdk = await Assert.ThrowsAsync<Azure.RequestFailedException>(() => east.Secrets(ev).RestoreSecretBackupAsync(secretBlob));
        Assert.Equal(400, sdk.Status);

        // A token of one process means nothing to another.
        var foreign = await east.SendAsync(HttpMethod.Get, ev, "secrets" + Api, token: await west.TokenAsync());
        KvAssert.Error(foreign, 401, "Unauthorized");

        // The default geography of a process applies to vaults created without one.
        var explicitWest = await east.NewVaultAsync(new { geography = "proc-west" });
        var ok = await east.SendAsync(HttpMethod.Post, explicitWest, "secrets/restore" + Api, $$"""{"value":"{{Base64Url.Encode(secretBlob)}}"}""");
        Assert.True(ok.StatusCode == 200, "a blob must restore in any vault of its geography: " + ok);
    }
}
