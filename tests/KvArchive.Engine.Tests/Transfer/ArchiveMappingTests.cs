using KvArchive.Engine.Archive;
using KvArchive.Engine.Transfer;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Tests.Transfer;

[Trait("Category", "Unit")]
public sealed class ArchiveMappingTests
{
    private static readonly Uri Vault = new("https://prod.vault.azure.net/");

    private static KvObject Version(string version, long created, long? updated = null, bool enabled = true, string? thumbprint = null) => new()
    {
        Type = KvObjectType.Secret,
        VaultName = "prod",
        VaultUri = Vault,
        Name = "db",
        Version = version,
        Id = new Uri(Vault, $"secrets/db/{version}"),
        Enabled = enabled,
        CreatedOn = DateTimeOffset.FromUnixTimeSeconds(created),
        UpdatedOn = DateTimeOffset.FromUnixTimeSeconds(updated ?? created),
        Tags = new Dictionary<string, string> { ["owner"] = "dba" },
        ContentType = "text/plain",
        Thumbprint = thumbprint,
    };

    [Fact]
    public void The_current_version_is_the_newest_created_and_ties_keep_list_order()
    {
        var a = Version("a", 10);
        var b = Version("b", 30);
        var c = Version("c", 30);
        Assert.Same(b, ArchiveMapping.Current([a, b, c]));
        Assert.Null(ArchiveMapping.Current(null));
        Assert.Null(ArchiveMapping.Current([]));
    }

    [Fact]
    public void A_document_carries_the_current_version_and_every_version_row()
    {
        var versions = new[] { Version("new", 20, 25), Version("old", 10) };
        var document = ArchiveMapping.ToDocument(KvObjectType.Secret, "DB", Vault, null, versions, ArchiveEntryStatus.Saved, null);
        Assert.Equal(("db", "new", ArchiveEntryStatus.Saved), (document.Name, document.Version, document.Status));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(25), document.UpdatedOn);
        Assert.Equal("dba", document.Tags!["owner"]);
        Assert.Equal("text/plain", document.ContentType);
        Assert.Equal(["new", "old"], document.Versions!.Select(v => v.Version));
        Assert.Equal(Vault, document.VaultUri);
    }

    [Fact]
    public void Without_versions_the_listing_item_or_the_name_describes_the_object()
    {
        var listed = Version("v", 10);
        var fromListing = ArchiveMapping.ToDocument(KvObjectType.Secret, "db", Vault, listed, null, ArchiveEntryStatus.Failed, "denied");
        Assert.Equal(("v", "denied"), (fromListing.Version, fromListing.Reason));
        Assert.Null(fromListing.Versions);

        var byName = ArchiveMapping.ToDocument(KvObjectType.Key, "k", null, null, null, ArchiveEntryStatus.Skipped, "managed", managed: true);
        Assert.Equal(("k", true, null), (byName.Name, byName.Managed, byName.Tags));
    }

    [Fact]
    public void Same_versions_needs_the_same_ids_times_and_state()
    {
        var before = new[] { Version("a", 10), Version("b", 20) };
        Assert.True(ArchiveMapping.SameVersions(before, [Version("b", 20), Version("A", 10)]));
        Assert.False(ArchiveMapping.SameVersions(before, [Version("a", 10)]));
        Assert.False(ArchiveMapping.SameVersions(before, [Version("a", 10), Version("b", 20, 21)]));
        Assert.False(ArchiveMapping.SameVersions(before, [Version("a", 10), Version("b", 20, enabled: false)]));
        Assert.False(ArchiveMapping.SameVersions(before, [Version("a", 10), Version("c", 20)]));
    }

    [Fact]
    public void A_listing_item_matches_the_recorded_current_version_unless_it_moved()
    {
        var current = Version("a", 10, thumbprint: "AB");
        Assert.True(ArchiveMapping.SameAsListed(current, Version(string.Empty, 10, thumbprint: "ab")));
        Assert.True(ArchiveMapping.SameAsListed(current, Version(string.Empty, 10)));
        Assert.False(ArchiveMapping.SameAsListed(current, Version(string.Empty, 10, 11)));
        Assert.False(ArchiveMapping.SameAsListed(current, Version(string.Empty, 10, enabled: false)));
        Assert.False(ArchiveMapping.SameAsListed(current, Version(string.Empty, 10, thumbprint: "CD")));
    }
}
