using Azure;

namespace KvArchive.Engine.Vault;

/// <summary>When, by the service's clock, a listing page was at the latest read: its Date header less a second.</summary>
internal static class ListingClock
{
    /// <summary>
    /// The Date header (whole seconds, taken when the answer was sent) less one second: the page was read no earlier
    /// than that, whatever part of a second the header dropped. Null without a Date header.
    /// </summary>
    public static DateTimeOffset? Of(Response response)
        => response.Headers.Date is { } date ? date - TimeSpan.FromSeconds(1) : null;

    /// <summary>Sets <see cref="KvObject.ListedAt"/> and returns the item.</summary>
    public static KvObject Stamp(KvObject item, DateTimeOffset? listedAt)
    {
        item.ListedAt = listedAt;
        return item;
    }
}
