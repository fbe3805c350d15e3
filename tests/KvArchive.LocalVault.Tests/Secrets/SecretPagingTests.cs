using KvArchive.LocalVault.Tests.Infrastructure;

namespace KvArchive.LocalVault.Tests.Secrets;

/// <summary>Paging of /secrets, /secrets/{name}/versions and /deletedsecrets, raw and through the SDK.</summary>
public sealed class SecretPagingTests(LocalVaultFixture fx) : IClassFixture<LocalVaultFixture>
{
    private const string Api = "api-version=2026-04-01";

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(25)]
    public async Task Maxresults_pages_cover_every_secret_once(int maxresults)
    {
        var vault = await fx.NewVaultAsync(new { throttling = false });
        await fx.Server.SeedAsync(vault.Name, new { secrets = 30, prefix = "pg" });
        var pages = await Pager.ReadAllAsync(fx, vault, $"secrets?{Api}&maxresults={maxresults}");
        Assert.All(pages, p => Assert.True(p.Items.Count <= maxresults, $"page of {p.Items.Count} > {maxresults}"));
        var ids = pages.SelectMany(p => p.Items).Select(i => i!["id"]!.GetValue<string>()).ToList();
        Assert.Equal(30, ids.Count);
        Assert.Equal(30, ids.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.All(ids, id => Assert.Matches($"^{vault.Uri.ToString().Replace(".", "\\.")}secrets/pg[0-9a-zA-Z-]*$", id));
        Assert.Null(pages[^1].NextLink);
        Assert.True(pages.Count >= (int)Math.Ceiling(30.0 / maxresults), $"only {pages.Count} pages");

        // The SDK sees the same set.
        var sdk = await fx.Secrets(vault).GetPropertiesOfSecretsAsync().ToListAsync();
        Assert.Equal(ids.Order(StringComparer.OrdinalIgnoreCase), sdk.Select(p => p.Id.ToString()).Order(StringComparer.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Default_page_size_is_at_most_25_and_sdk_reads_all_pages()
    {
        var vault = await fx.NewVaultAsync(new { throttling = false });
        await fx.Server.SeedAsync(vault.Name, new { secrets = 60, prefix = "many" });
        var pages = await Pager.ReadAllAsync(fx, vault, $"secrets?{Api}");
        Assert.True(pages.Count >= 3, $"{pages.Count} pages for 60 secrets");
        Assert.All(pages, p => Assert.True(p.Items.Count <= 25));
        Assert.Equal(60, pages.Sum(p => p.Items.Count));

        var sdkPages = new List<int>();
        await foreach (var page in fx.Secrets(vault).GetPropertiesOfSecretsAsync().AsPages())
        {
            sdkPages.Add(page.Values.Count);
        }

        Assert.Equal(60, sdkPages.Sum());
        Assert.True(sdkPages.Count >= 3);
    }

    [Fact]
    public async Task Empty_vault_lists_an_empty_page_with_null_next_link()
    {
        var vault = await fx.NewVaultAsync();
        foreach (var path in new[] { $"secrets?{Api}", $"deletedsecrets?{Api}", $"secrets/none/versions?{Api}", $"secrets?{Api}&maxresults=1" })
        {
            var pages = await Pager.ReadAllAsync(fx, vault, path);
            Assert.Empty(pages.SelectMany(p => p.Items));
            Assert.Null(pages[^1].NextLink);
        }
    }

    [Fact]
    public async Task Short_and_empty_pages_while_next_link_is_set_are_followed()
    {
        // Items removed between pages leave short or empty pages behind a live nextLink: the server must keep its
        // place and the SDK must not stop early.
        var vault = await fx.NewVaultAsync(new { throttling = false });
        await fx.Server.SeedAsync(vault.Name, new { secrets = 20, prefix = "sh" });
        var client = fx.Secrets(vault);

        var first = await fx.SendAsync(HttpMethod.Get, vault, $"secrets?{Api}&maxresults=5");
        var firstIds = first.Json["value"]!.AsArray().Select(i => Name(i!["id"]!.GetValue<string>())).ToList();
        var next = first.Json["nextLink"]!.GetValue<string>();
        Pager.CheckNextLink(vault, next, 5);

        var all = (await client.GetPropertiesOfSecretsAsync().ToListAsync()).Select(p => p.Name).ToList();
        var rest = all.Except(firstIds, StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).ToList();

        // Delete everything except the last two of the remaining 15 names: the next pages shrink to nothing.
        var survivors = rest.TakeLast(2).ToList();
        foreach (var name in rest.Except(survivors))
        {
            await fx.SendAsync(HttpMethod.Delete, vault, $"secrets/{name}?{Api}");
        }

        var seen = new List<string>();
        var sizes = new List<int>();
        Uri? link = new(next);
        while (link is not null)
        {
            var r = await fx.SendAsync(HttpMethod.Get, link);
            Assert.True(r.StatusCode == 200, r.ToString());
            var items = r.Json["value"]!.AsArray();
            sizes.Add(items.Count);
            seen.AddRange(items.Select(i => Name(i!["id"]!.GetValue<string>())));
            var n = r.Json["nextLink"]?.GetValue<string>();
            if (n is not null)
            {
                Pager.CheckNextLink(vault, n, 5);
            }

            link = n is null ? null : new Uri(n);
        }

        Assert.Equal(survivors.Order(StringComparer.OrdinalIgnoreCase), seen.Order(StringComparer.OrdinalIgnoreCase));
        Assert.Contains(sizes, s => s < 5);

        // Deleted items page the same way.
        var deleted = await Pager.ReadAllAsync(fx, vault, $"deletedsecrets?{Api}&maxresults=4");
        Assert.Equal(13, deleted.Sum(p => p.Items.Count));
        Assert.All(deleted.SelectMany(p => p.Items), i => Assert.EndsWith("/deletedsecrets/" + Name(i!["id"]!.GetValue<string>()), i!["recoveryId"]!.GetValue<string>()));
        Assert.Equal(13, (await client.GetDeletedSecretsAsync().ToListAsync()).Count);
    }

    [Fact]
    public async Task Ragged_vault_gives_short_and_empty_pages_with_next_links_and_clients_read_them_all()
    {
        var vault = await fx.NewVaultAsync(new { throttling = false, pageShape = "ragged" });
        await fx.Server.SeedAsync(vault.Name, new { secrets = 40, prefix = "rg" });

        var pages = await Pager.ReadAllAsync(fx, vault, $"secrets?{Api}&maxresults=6");
        Assert.Contains(pages, p => p.Items.Count == 0 && p.NextLink is not null);
        Assert.Contains(pages, p => p.Items.Count is > 0 and < 6 && p.NextLink is not null);
        var ids = pages.SelectMany(p => p.Items).Select(i => i!["id"]!.GetValue<string>()).ToList();
        Assert.Equal(40, ids.Count);
        Assert.Equal(40, ids.Distinct(StringComparer.OrdinalIgnoreCase).Count());

        // The SDK does not stop at a short or empty page.
        var sdkPages = new List<int>();
        await foreach (var page in fx.Secrets(vault).GetPropertiesOfSecretsAsync().AsPages())
        {
            sdkPages.Add(page.Values.Count);
        }

        Assert.Equal(40, sdkPages.Sum());
        Assert.Contains(0, sdkPages);

        // Deleted secrets and versions page the same way.
        var client = fx.Secrets(vault);
        foreach (var name in ids.Take(9).Select(Name))
        {
            await client.StartDeleteSecretAsync(name);
        }

        var deleted = await Pager.ReadAllAsync(fx, vault, $"deletedsecrets?{Api}&maxresults=2");
        Assert.Equal(9, deleted.Sum(p => p.Items.Count));
        Assert.Equal(9, (await client.GetDeletedSecretsAsync().ToListAsync()).Count);
        for (var i = 0; i < 7; i++)
        {
            await client.SetSecretAsync("many-versions", $"v{i}");
        }

        var versions = await Pager.ReadAllAsync(fx, vault, $"secrets/many-versions/versions?{Api}&maxresults=2");
        Assert.Equal(7, versions.Sum(p => p.Items.Count));
        Assert.Equal(7, (await client.GetPropertiesOfSecretVersionsAsync("many-versions").ToListAsync()).Count);
    }

    [Fact]
    public async Task Versions_page_newest_first_across_pages()
    {
        var vault = await fx.NewVaultAsync(new { throttling = false });
        var client = fx.Secrets(vault);
        var created = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            created.Add((await client.SetSecretAsync("ver", $"v{i}")).Value.Properties.Version);
        }

        var pages = await Pager.ReadAllAsync(fx, vault, $"secrets/ver/versions?{Api}&maxresults=5");
        var versions = pages.SelectMany(p => p.Items).Select(i => i!["id"]!.GetValue<string>().Split('/')[^1]).ToList();
        Assert.Equal(Enumerable.Reverse(created), versions);
        Assert.Equal(12, (await client.GetPropertiesOfSecretVersionsAsync("ver").ToListAsync()).Count);
    }

    [Fact]
    public async Task Garbage_skiptoken_is_a_400_not_a_crash()
    {
        var vault = await fx.NewVaultAsync();
        var r = await fx.SendAsync(HttpMethod.Get, vault, $"secrets?{Api}&$skiptoken=not-a-real-token");
        KvAssert.Error(r, 400);
    }

    private static string Name(string id) => new Uri(id).Segments[2].TrimEnd('/');
}
