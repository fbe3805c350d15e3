using Azure.Security.KeyVault.Certificates;
using Azure.Security.KeyVault.Secrets;
using KvArchive.LocalVault.Tests.Infrastructure;

namespace KvArchive.LocalVault.Tests.Persistence;

/// <summary>--data-dir: stop, restart, every vault's state kept.</summary>
public sealed class PersistenceTests : IDisposable
{
    private const string Api = "?api-version=2026-04-01";
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "kvarchive-lv-data-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    [Fact]
    public async Task State_survives_a_restart()
    {
        string before;
        string blob;
        string vaultName;
        string certId;
        string keyId;
        await using (var a = await LocalVaultFixture.StartAsync("--data-dir", _dataDir))
        {
            var vault = await a.NewVaultAsync(new { recoverableDays = 30, geography = "persist-geo" });
            vaultName = vault.Name;
            var client = a.Secrets(vault);
            for (var i = 0; i < 3; i++)
            {
                var s = new KeyVaultSecret("kept", $"value-{i}") { Properties = { ContentType = "text/plain" } };
                s.Properties.Tags["i"] = i.ToString();
                await client.SetSecretAsync(s);
            }

            var disabled = (await client.SetSecretAsync("off", "hidden")).Value.Properties;
            disabled.Enabled = false;
            await client.UpdateSecretPropertiesAsync(disabled);
            await client.SetSecretAsync("deleted", "was-here");
            await (await client.StartDeleteSecretAsync("deleted")).WaitForCompletionAsync(TimeSpan.FromMilliseconds(100), default);
            certId = (await (await a.Certificates(vault).StartCreateCertificateAsync("cert", CertificatePolicy.Default)).WaitForCompletionAsync(TimeSpan.FromMilliseconds(200), default)).Value.Id.ToString();
            var key = await a.SendAsync(HttpMethod.Post, vault, "keys/k/create" + Api, """{"kty":"EC","crv":"P-256"}""");
            Assert.True(key.StatusCode == 200, key.ToString());
            keyId = key.Json["key"]!["kid"]!.GetValue<string>();
            blob = Base64Url.Encode((await client.BackupSecretAsync("kept")).Value);
            before = await SnapshotAsync(a, vault);
        }

        await using var b = await LocalVaultFixture.StartAsync("--data-dir", _dataDir);
        var again = new VaultRef(vaultName, b.Server.VaultUri(vaultName));
        Assert.Equal(before, await SnapshotAsync(b, again));
        Assert.Equal(new Uri(certId).AbsolutePath, (await b.Certificates(again).GetCertificateAsync("cert")).Value.Id.AbsolutePath);
        var keyAfter = await b.SendAsync(HttpMethod.Get, again, "keys/k" + Api);
        Assert.Equal(new Uri(keyId).AbsolutePath, new Uri(keyAfter.Json["key"]!["kid"]!.GetValue<string>()).AbsolutePath);

        // Vault settings survive too, and the vault keeps working.
        var fresh = (await b.Secrets(again).SetSecretAsync("new", "x")).Value;
        Assert.Equal(30, fresh.Properties.RecoverableDays);
        Assert.Equal(4, (await b.Secrets(again).GetPropertiesOfSecretsAsync().ToListAsync()).Count(p => p.Name is "kept" or "off" or "new" or "cert"));

        // A backup taken before the restart restores after it (same geography).
        var target = await b.NewVaultAsync(new { geography = "persist-geo" });
        var restored = await b.SendAsync(HttpMethod.Post, target, "secrets/restore" + Api, $$"""{"value":"{{blob}}"}""");
        Assert.True(restored.StatusCode == 200, restored.ToString());
        Assert.Equal(3, (await b.Secrets(target).GetPropertiesOfSecretVersionsAsync("kept").ToListAsync()).Count);

        // Recover still works on what was deleted before the restart.
        await (await b.Secrets(again).StartRecoverDeletedSecretAsync("deleted")).WaitForCompletionAsync(TimeSpan.FromMilliseconds(100), default);
        Assert.Equal("was-here", (await b.Secrets(again).GetSecretAsync("deleted")).Value.Value);
    }

    [Fact]
    public async Task Without_data_dir_nothing_is_kept()
    {
        string name;
        await using (var a = await LocalVaultFixture.StartAsync())
        {
            var vault = await a.NewVaultAsync();
            name = vault.Name;
            await a.Secrets(vault).SetSecretAsync("x", "y");
        }

        await using var b = await LocalVaultFixture.StartAsync();
        var r = await b.SendAsync(HttpMethod.Get, new VaultRef(name, b.Server.VaultUri(name)), "secrets" + Api);
        KvAssert.Error(r, 404, "VaultNotFound");
    }

    private static async Task<string> SnapshotAsync(LocalVaultFixture fx, VaultRef vault)
    {
        var client = fx.Secrets(vault);
        var lines = new List<string>();
        await foreach (var p in client.GetPropertiesOfSecretsAsync())
        {
            await foreach (var v in client.GetPropertiesOfSecretVersionsAsync(p.Name))
            {
                var value = v.Enabled == true ? (await client.GetSecretAsync(v.Name, v.Version)).Value.Value : "(disabled)";
                lines.Add($"{v.Id}|{v.ContentType}|{v.Enabled}|{v.CreatedOn?.ToUnixTimeSeconds()}|{v.UpdatedOn?.ToUnixTimeSeconds()}|{v.Managed}|{string.Join(",", v.Tags.OrderBy(t => t.Key).Select(t => t.Key + "=" + t.Value))}|{v.RecoverableDays}|{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(value)))}");
            }
        }

        await foreach (var d in client.GetDeletedSecretsAsync())
        {
            lines.Add($"deleted|{d.Id}|{d.RecoveryId}|{d.DeletedOn?.ToUnixTimeSeconds()}|{d.ScheduledPurgeDate?.ToUnixTimeSeconds()}");
        }

        lines.Sort(StringComparer.Ordinal);
        Assert.True(lines.Count >= 6, string.Join("\n", lines));

        // The port is chosen afresh at every start: compare ids without it.
        return string.Join("\n", lines).Replace($":{vault.Uri.Port}/", ":PORT/", StringComparison.Ordinal);
    }
}
