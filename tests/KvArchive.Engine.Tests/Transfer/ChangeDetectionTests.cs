using KvArchive.Engine.Archive;
using KvArchive.Engine.Transfer;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Tests.Transfer;

/// <summary>What tells an object changed since its archive row: each property of the current version, for each kind.</summary>
[Trait("Category", "Unit")]
public sealed class ChangeDetectionTests
{
    private static readonly DateTimeOffset Created = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
    private static readonly DateTimeOffset Updated = DateTimeOffset.FromUnixTimeSeconds(1_700_000_050);

    private static ArchiveEntryDocument Row(KvObjectType type) => new()
    {
        Kind = type,
        Name = "app",
        Status = ArchiveEntryStatus.Saved,
        Version = "0123456789abcdef0123456789abcdef",
        Enabled = true,
        CreatedOn = Created,
        UpdatedOn = Updated,
        ExpiresOn = Created.AddDays(365),
        ContentType = type == KvObjectType.Secret ? "text/plain" : null,
        Tags = new Dictionary<string, string> { ["env"] = "prod" },
        Thumbprint = type == KvObjectType.Certificate ? "AABBCC" : null,
    };

    private static KvObject Listed(KvObjectType type, string? version = null, bool enabled = true, DateTimeOffset? created = null, DateTimeOffset? updated = null,
        DateTimeOffset? notBefore = null, DateTimeOffset? expires = null, string? contentType = "same", Dictionary<string, string>? tags = null, string? thumbprint = null) => new()
    {
        Type = type,
        VaultName = "prod",
        VaultUri = new Uri("https://prod.vault.azure.net/"),
        Name = "app",
        Id = new Uri($"https://prod.vault.azure.net/{type.ToString().ToLowerInvariant()}s/app"),
        Version = version,
        Enabled = enabled,
        CreatedOn = created ?? Created,
        UpdatedOn = updated ?? Updated,
        NotBefore = notBefore,
        ExpiresOn = expires ?? Created.AddDays(365),
        ContentType = contentType == "same" ? (type == KvObjectType.Secret ? "text/plain" : null) : contentType,
        Tags = tags ?? new Dictionary<string, string> { ["env"] = "prod" },
        Thumbprint = thumbprint ?? (type == KvObjectType.Certificate ? "aabbcc" : null),
    };

    public static TheoryData<KvObjectType, string> EveryKindAndProperty()
    {
        var data = new TheoryData<KvObjectType, string>();
        foreach (var type in new[] { KvObjectType.Secret, KvObjectType.Key, KvObjectType.Certificate })
        {
            foreach (var property in new[] { "Version", "CreatedOn", "UpdatedOn", "Enabled", "NotBefore", "ExpiresOn", "ContentType", "Tags", "TagValue", "NoTags" })
            {
                data.Add(type, property);
            }
        }

        data.Add(KvObjectType.Certificate, "Thumbprint");
        return data;
    }

    [Theory]
    [InlineData(KvObjectType.Secret)]
    [InlineData(KvObjectType.Key)]
    [InlineData(KvObjectType.Certificate)]
    public void A_listing_that_shows_the_recorded_current_version_is_no_change(KvObjectType type)
    {
        Assert.Empty(ChangeDetection.Differences(Row(type), Listed(type)));

        // The listing gives no version id (most do not): the times decide.
        Assert.Empty(ChangeDetection.Differences(Row(type), Listed(type, version: "0123456789ABCDEF0123456789ABCDEF")));
    }

    [Theory]
    [MemberData(nameof(EveryKindAndProperty))]
    public void Each_property_of_the_current_version_is_a_change(KvObjectType type, string property)
    {
        var listed = property switch
        {
            "Version" => Listed(type, version: "fedcba9876543210fedcba9876543210"),
            "CreatedOn" => Listed(type, created: Created.AddSeconds(1)),
            "UpdatedOn" => Listed(type, updated: Updated.AddSeconds(1)),
            "Enabled" => Listed(type, enabled: false),
            "NotBefore" => Listed(type, notBefore: Created.AddDays(1)),
            "ExpiresOn" => Listed(type, expires: Created.AddDays(30)),
            "ContentType" => Listed(type, contentType: "application/json"),
            "Tags" => Listed(type, tags: new Dictionary<string, string> { ["env"] = "prod", ["owner"] = "ops" }),
            "TagValue" => Listed(type, tags: new Dictionary<string, string> { ["env"] = "Prod" }),
            "NoTags" => Listed(type, tags: []),
            _ => Listed(type, thumbprint: "ddeeff"),
        };
        var expected = property is "TagValue" or "NoTags" ? "Tags" : property;
        Assert.Equal([expected], ChangeDetection.Differences(Row(type), listed));
    }

    [Fact]
    public void A_row_without_a_backup_is_a_change_whatever_the_listing()
    {
        var row = Row(KvObjectType.Secret);
        row.Status = ArchiveEntryStatus.Failed;
        Assert.Equal(["Status"], ChangeDetection.Differences(row, Listed(KvObjectType.Secret)));
    }

    [Fact]
    public void Two_archives_also_compare_every_version_they_recorded()
    {
        var a = Row(KvObjectType.Secret);
        var b = Row(KvObjectType.Secret);
        a.Versions = [new ArchiveVersion { Version = "v2", UpdatedOn = Updated, Enabled = true }, new ArchiveVersion { Version = "v1", UpdatedOn = Created, Enabled = true }];
        b.Versions = [new ArchiveVersion { Version = "v2", UpdatedOn = Updated, Enabled = true }, new ArchiveVersion { Version = "v1", UpdatedOn = Created, Enabled = true }];
        Assert.Empty(ChangeDetection.Differences(a, b));

        // An older version disabled: the current version (all a listing shows) is as it was.
        b.Versions[1] = new ArchiveVersion { Version = "v1", UpdatedOn = Created.AddDays(1), Enabled = false };
        Assert.Equal(["Versions"], ChangeDetection.Differences(a, b));
    }
}
