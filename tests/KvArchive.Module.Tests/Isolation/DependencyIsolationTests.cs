using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.Loader;
using KvArchive.Module.Tests.Infrastructure;

namespace KvArchive.Module.Tests.Isolation;

/// <summary>
/// The engine and its Azure dependencies load in the module's own AssemblyLoadContext: another module's Azure.Core
/// in the default context (here an older one, loaded first) neither breaks KvArchive nor is used by it.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class DependencyIsolationTests(ModuleFixture fixture)
{
    private static readonly Lazy<Assembly> ForeignAzureCore = new(LoadForeignAzureCore);

    [Fact]
    public async Task An_older_Azure_Core_in_the_default_context_does_not_reach_the_engine()
    {
        var foreign = ForeignAzureCore.Value;
        Assert.Same(AssemblyLoadContext.Default, AssemblyLoadContext.GetLoadContext(foreign));

        var vault = await fixture.NewVaultAsync();
        using var session = fixture.NewSession();
        session.Set("Vault", vault).Set("Value", ModuleFixture.ToSecureString("isolated"));
        session.Run("Set-KvSecret -VaultUri $Vault -AccessToken $Token -Name iso -SecretValue $Value").EnsureSuccess();
        Assert.Single(session.Run("Get-KvObject -VaultUri $Vault -AccessToken $Token").EnsureSuccess().Output);

        var engine = Assert.Single(AppDomain.CurrentDomain.GetAssemblies(), a => a.GetName().Name == "KvArchive.Engine");
        var engineContext = AssemblyLoadContext.GetLoadContext(engine)!;
        Assert.NotSame(AssemblyLoadContext.Default, engineContext);
        var dependencies = Path.Combine(Path.GetDirectoryName(fixture.ManifestPath)!, "Dependencies");
        Assert.Equal(Path.GetFullPath(Path.Combine(dependencies, "KvArchive.Engine.dll")), Path.GetFullPath(engine.Location));

        var engineAzureCore = Assert.Single(engineContext.Assemblies, a => a.GetName().Name == "Azure.Core");
        Assert.NotSame(foreign, engineAzureCore);
        Assert.Equal(new Version(1, 64, 0, 0), engineAzureCore.GetName().Version);
        Assert.StartsWith(Path.GetFullPath(dependencies), Path.GetFullPath(engineAzureCore.Location), StringComparison.Ordinal);

        var defaultAzureCore = Assert.Single(AssemblyLoadContext.Default.Assemblies, a => a.GetName().Name == "Azure.Core");
        Assert.Same(foreign, defaultAzureCore);

        // The cmdlet assembly stays in the default context and never loads the engine there.
        var cmdlets = Assert.Single(AppDomain.CurrentDomain.GetAssemblies(), a => a.GetName().Name == "KvArchive");
        Assert.Same(AssemblyLoadContext.Default, AssemblyLoadContext.GetLoadContext(cmdlets));
        Assert.DoesNotContain(AssemblyLoadContext.Default.Assemblies, a => a.GetName().Name == "KvArchive.Engine");
    }

    /// <summary>
    /// Writes an "Azure.Core" 1.0.0.0 with one type (as an old module would ship) and loads it into the default
    /// context. Had the engine been loaded there, its reference to Azure.Core 1.64 would fail against it.
    /// </summary>
    private static Assembly LoadForeignAzureCore()
    {
        Assert.DoesNotContain(AssemblyLoadContext.Default.Assemblies, a => a.GetName().Name == "Azure.Core");
        var builder = new PersistedAssemblyBuilder(new AssemblyName("Azure.Core") { Version = new Version(1, 0, 0, 0) }, typeof(object).Assembly);
        var module = builder.DefineDynamicModule("Azure.Core");
        module.DefineType("Azure.Core.TokenCredential", TypeAttributes.Public | TypeAttributes.Abstract | TypeAttributes.Class).CreateType();
        var directory = Path.Combine(Path.GetTempPath(), "kvarchive-foreign-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "Azure.Core.dll");
        builder.Save(path);
        return AssemblyLoadContext.Default.LoadFromAssemblyPath(path);
    }
}
