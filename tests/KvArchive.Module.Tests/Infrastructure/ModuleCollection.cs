namespace KvArchive.Module.Tests.Infrastructure;

/// <summary>The tests that share one LocalVault and run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class ModuleCollection : ICollectionFixture<ModuleFixture>
{
    public const string Name = "Module";
}
