using Azure;

namespace KvArchive.Engine.Vault;

/// <summary>When, by the service's clock, a listing page was read: its Date header.</summary>
internal static class ListingClock
{
    /// <summary>
    /// The Date header: whole seconds, taken when the answer was sent, so at most milliseconds after the page was
    /// read, or up to a second before. The caller's margin (two seconds) covers both, and the clocks of the
    /// service's machines. Null without a Date header.
    /// </summary>
    public static DateTimeOffset? Of(Response response) => response.Headers.Date;

    /// <summary>Sets <see cref="KvObject.ListedAt"/> and returns the item.</summary>
    public static KvObject Stamp(KvObject item, DateTimeOffset? listedAt)
    {
        item.ListedAt = listedAt;
        return item;
    }
}
