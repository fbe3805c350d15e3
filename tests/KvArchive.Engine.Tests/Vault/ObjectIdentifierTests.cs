using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Tests.Vault;

[Trait("Category", "Unit")]
public sealed class ObjectIdentifierTests
{
    [Theory]
    [InlineData("https://prod.vault.azure.net/secrets/db-password/0123abc", KvObjectType.Secret, "db-password", "0123abc", false)]
    [InlineData("https://prod.vault.azure.net/keys/signing", KvObjectType.Key, "signing", null, false)]
    [InlineData("https://prod.vault.azure.net:8443/Certificates/web/v1", KvObjectType.Certificate, "web", "v1", false)]
    [InlineData("https://prod.vault.azure.net/deletedsecrets/old", KvObjectType.Secret, "old", null, true)]
    public void Parses_object_and_recovery_ids(string id, KvObjectType type, string name, string? version, bool removed)
    {
        var parsed = ObjectIdentifier.TryParse(new Uri(id), out var problem);
        Assert.Null(problem);
        Assert.NotNull(parsed);
        Assert.Equal((type, name, version, removed), (parsed.Type, parsed.Name, parsed.Version, parsed.Removed));
        Assert.Equal(new Uri(id).GetLeftPart(UriPartial.Authority) + "/", parsed.VaultUri.ToString());
    }

    [Theory]
    [InlineData("http://prod.vault.azure.net/secrets/a", "https")]
    [InlineData("https://prod.vault.azure.net/secrets", "path")]
    [InlineData("https://prod.vault.azure.net/blobs/a", "'blobs'")]
    [InlineData("https://prod.vault.azure.net/deletedkeys/a/v1", "'deletedkeys'")]
    public void Says_why_an_id_is_not_one(string id, string reason)
    {
        Assert.Null(ObjectIdentifier.TryParse(new Uri(id), out var problem));
        Assert.Contains(reason, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Service_ids_of_any_collection_split_into_name_and_version()
    {
        Assert.Equal(("certificates", "web", "pending"), ObjectIdentifier.Split(new Uri("https://v.vault.azure.net/certificates/web/pending")));
        Assert.Equal(((string?)null, (string?)null, (string?)null), ObjectIdentifier.Split(null));
    }
}
