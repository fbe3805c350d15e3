using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace KvArchive.LocalVault.Tests.Infrastructure;

/// <summary>Follows nextLinks of a raw list, checking the paging contract on every page.</summary>
public static class Pager
{
    /// <summary>One page as received.</summary>
    public sealed record Page(JsonArray Items, string? NextLink);

    /// <summary>
    /// Reads every page from <paramref name="firstPath"/>: each page has "value" (array) and "nextLink" (null or an
    /// absolute https URI on the vault's host and port, with api-version and $skiptoken, and with the first request's
    /// maxresults repeated only when it had one, as the recordings show).
    /// </summary>
    public static async Task<List<Page>> ReadAllAsync(LocalVaultFixture fx, VaultRef vault, string firstPath, int maxPages = 1000)
    {
        var pages = new List<Page>();
        Uri? next = new(vault.Uri, firstPath);
        var requested = Regex.Match(next.Query, @"[?&]maxresults=([0-9]+)") is { Success: true } m ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : (int?)null;
        while (next is not null)
        {
            Assert.True(pages.Count < maxPages, $"more than {maxPages} pages from {firstPath}");
            var r = await fx.SendAsync(HttpMethod.Get, next);
            Assert.True(r.StatusCode == 200, $"{next}: {r}");
            var body = r.Json.AsObject();
            Assert.True(body["value"] is JsonArray, $"no value array: {r.Text}");
            Assert.True(body.ContainsKey("nextLink"), $"nextLink must be present, null on the last page: {r.Text}");
            var link = body["nextLink"]?.GetValue<string>();
            pages.Add(new Page(body["value"]!.AsArray(), link));
            if (link is null)
            {
                break;
            }

            CheckNextLink(vault, link, requested);
            next = new Uri(link);
        }

        return pages;
    }

    /// <summary>
    /// The nextLink shape the service uses. <paramref name="maxresults"/> is the page size the first request named:
    /// the service's nextLink ends with "&amp;maxresults=N" then (azure-keyvault-java listSecretsForSecretOperationsTest)
    /// and has no maxresults otherwise (azure-sdk-for-cpp …TestGetPropertiesOfSecret).
    /// </summary>
    public static void CheckNextLink(VaultRef vault, string link, int? maxresults = null)
    {
        Assert.True(Uri.TryCreate(link, UriKind.Absolute, out var uri), $"nextLink not absolute: {link}");
        Assert.Equal("https", uri!.Scheme);
        Assert.Equal(vault.Uri.Host, uri.Host, StringComparer.OrdinalIgnoreCase);
        Assert.Contains($":{vault.Uri.Port}/", link); // includes the port explicitly
        Assert.Matches(@"[?&]api-version=[^&]+", uri.Query);
        Assert.Matches(@"[?&]\$skiptoken=[^&]+", uri.Query);
        if (maxresults is { } n)
        {
            Assert.Matches($@"&\$skiptoken=[^&]+&maxresults={n}$", uri.Query);
        }
        else
        {
            Assert.DoesNotMatch(new Regex("maxresults", RegexOptions.IgnoreCase), uri.Query);
        }
    }
}
