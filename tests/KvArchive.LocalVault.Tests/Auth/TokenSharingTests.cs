using System.Net.Http.Headers;
using KvArchive.TestSupport;

namespace KvArchive.LocalVault.Tests.Auth;

/// <summary>
/// Tokens outlive a LocalVault process, as Entra tokens outlive a vault's restart: every LocalVault that shares a TLS
/// folder and geography accepts the others' tokens (token caches such as MSAL's process-wide managed-identity cache hand a
/// restarted server the token of the one before); a LocalVault with other TLS material does not.
/// </summary>
public sealed class TokenSharingTests
{
    private const string Api = "?api-version=7.5";

    [Fact]
    public async Task A_token_of_one_LocalVault_is_accepted_by_the_next_on_the_same_TLS_folder_only()
    {
        string token;
        await using (var first = await LocalVaultServer.StartAsync())
        {
            (token, _) = await first.CreateTokenAsync();
        }

        await using var second = await LocalVaultServer.StartAsync();
        var vault = await second.CreateVaultAsync("v" + Guid.NewGuid().ToString("N")[..12]);
        Assert.Equal(200, await ListSecretsAsync(second, vault, token));

        var ownTls = Path.Combine(Path.GetTempPath(), "kvarchive-other-tls-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var other = await LocalVaultServer.StartAsync("--tls-dir", ownTls);
            var otherVault = await other.CreateVaultAsync("v" + Guid.NewGuid().ToString("N")[..12]);
            Assert.Equal(401, await ListSecretsAsync(other, otherVault, token));
            var (own, _) = await other.CreateTokenAsync();
            Assert.Equal(200, await ListSecretsAsync(other, otherVault, own));
        }
        finally
        {
            Directory.Delete(ownTls, recursive: true);
        }
    }

    private static async Task<int> ListSecretsAsync(LocalVaultServer server, Uri vault, string token)
    {
        using var client = server.CreateRawClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(vault, "secrets" + Api));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.SendAsync(request);
        return (int)response.StatusCode;
    }
}
