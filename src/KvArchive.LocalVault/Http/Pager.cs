using System.Buffers.Text;
using System.Text.Json;
using KvArchive.LocalVault.Store;

namespace KvArchive.LocalVault.Http;

/// <summary>
/// The one paging helper of every list route. A page scans a window of positions of an ordered source and
/// returns the visible ones, so hidden positions (deleted, pending) give short or empty pages that still carry a
/// nextLink, as the service does. The nextLink is absolute (with the port), carries api-version and an opaque
/// $skiptoken (marker, page number, page size) and never maxresults.
/// </summary>
public static class Pager
{
    public const int MaxPageSize = 25;

    /// <summary>Reads maxresults (1–25) and $skiptoken; anything malformed is a 400.</summary>
    public static PageRequest Parse(HttpRequest request)
    {
        var size = MaxPageSize;
        string? marker = null;
        var index = 0;
        var skip = request.Query["$skiptoken"];
        if (skip.Count > 0)
        {
            (marker, index, size) = DecodeToken(skip[0]);
        }

        var max = request.Query["maxresults"];
        if (max.Count > 0)
        {
            if (max.Count > 1 || !int.TryParse(max[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out size) || size is < 1 or > MaxPageSize)
            {
                throw VaultErrors.BadParameter($"Invalid maxresults '{max}': it must be an integer between 1 and {MaxPageSize}.");
            }
        }

        return new PageRequest(size, marker, index, max.Count > 0);
    }

    /// <summary>
    /// Cuts one page: scans up to a window of positions from <paramref name="start"/>, keeping what
    /// <paramref name="visibleAt"/> returns (null: hidden). Runs under the vault lock.
    /// </summary>
    public static Page<T> Scan<T>(PageRequest request, PageShape shape, int count, int start, Func<int, string> markerAt, Func<int, T?> visibleAt)
        where T : class
    {
        var window = Window(request, shape);
        var items = new List<T>(Math.Min(window, MaxPageSize));
        var i = start;
        for (var scanned = 0; scanned < window && i < count; scanned++, i++)
        {
            if (visibleAt(i) is { } item)
            {
                items.Add(item);
            }
        }

        if (i >= count)
        {
            return new Page<T>(items, false, null);
        }

        return new Page<T>(items, true, i > start ? markerAt(i - 1) : request.Marker);
    }

    /// <summary>Writes <c>"nextLink": …</c> (null on the last page).</summary>
    public static void WriteNextLink<T>(Utf8JsonWriter w, VaultCall call, PageRequest request, Page<T> page)
    {
        if (!page.HasNext)
        {
            w.WriteNull("nextLink");
            return;
        }

        var token = EncodeToken(page.NextMarker, request.PageIndex + 1, request.PageSize);
        var size = request.ExplicitSize ? $"&maxresults={request.PageSize}" : "";
        w.WriteString("nextLink", $"{call.Vault.BaseUri}{call.Http.Request.Path.Value}?api-version={call.ApiVersion}&$skiptoken={token}{size}");
    }

    private static int Window(PageRequest request, PageShape shape)
    {
        if (shape != PageShape.Ragged)
        {
            return request.PageSize;
        }

        return (request.PageIndex % 4) switch
        {
            0 => request.PageSize,
            1 => Math.Max(1, request.PageSize / 2),
            2 => 0,
            _ => 1,
        };
    }

    private static string EncodeToken(string? marker, int index, int size)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(new TokenBody { M = marker, P = index, S = size });
        return Base64Url.EncodeToString(json);
    }

    private static (string? Marker, int Index, int Size) DecodeToken(string? token)
    {
        try
        {
            var body = JsonSerializer.Deserialize<TokenBody>(Base64Url.DecodeFromChars(token ?? ""));
            if (body is { P: >= 0, S: >= 1 and <= MaxPageSize })
            {
                return (body.M, body.P, body.S);
            }
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
        }

        throw VaultErrors.BadParameter($"Invalid $skiptoken '{Truncate(token)}'. Use the nextLink of the previous page as it is.");
    }

    private static string Truncate(string? s) => s is null ? "" : s.Length <= 40 ? s : s[..40] + "…";

    private sealed class TokenBody
    {
        public string? M { get; set; }

        public int P { get; set; }

        public int S { get; set; }
    }
}
