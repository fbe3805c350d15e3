using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Tests.Vault;

[Trait("Category", "Unit")]
public sealed class KvNamePatternTests
{
    [Theory]
    [InlineData("*", "anything", true)]
    [InlineData(null, "anything", true)]
    [InlineData("db-*", "DB-password", true)]
    [InlineData("db-*", "app-db-password", false)]
    [InlineData("*-password", "db-password", true)]
    [InlineData("*pass*", "db-password-2", true)]
    [InlineData("d?-*", "db-x", true)]
    [InlineData("d?-*", "d-x", false)]
    [InlineData("a*b*c", "aXXbYYc", true)]
    [InlineData("a*b*c", "aXXbYY", false)]
    [InlineData("a*b", "abab", true)]
    [InlineData("exact", "EXACT", true)]
    [InlineData("exact", "exactly", false)]
    [InlineData("???", "abc", true)]
    [InlineData("???", "ab", false)]
    public void Matches_like_powershell_wildcards(string? pattern, string name, bool match)
        => Assert.Equal(match, new KvNamePattern(pattern).IsMatch(name));

    [Theory]
    [InlineData("db", false)]
    [InlineData("db*", true)]
    [InlineData("d?", true)]
    public void Knows_whether_it_is_a_literal(string pattern, bool wildcards)
        => Assert.Equal(wildcards, new KvNamePattern(pattern).HasWildcards);
}
