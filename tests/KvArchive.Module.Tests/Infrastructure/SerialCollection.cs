namespace KvArchive.Module.Tests.Infrastructure;

/// <summary>
/// Tests that change process-wide state (environment variables, the default AssemblyLoadContext): they run
/// alone, with no other collection in parallel.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection : ICollectionFixture<ModuleFixture>
{
    public const string Name = "Serial";
}
