using System.Runtime.Loader;
using KvArchive.Module.Tests.Infrastructure;

namespace KvArchive.Module.Tests.Isolation;

/// <summary>
/// The engine and its Azure dependencies load in the module's own AssemblyLoadContext: another module's Azure.Core
/// in the default context (an older one, loaded before any test imported KvArchive) neither breaks KvArchive nor is
/// used by it. Every other module test runs beside it too.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class DependencyIsolationTests(ModuleFixture fixture)
{
    [Fact]
    public async Task An_older_Azure_Core_in_the_default_context_does_not_reach_the_engine()
    {
        // Loaded by the fixture before any test imported the module (see ForeignAzureCore).
        var foreign = ForeignAzureCore.Assembly;
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

    [Fact]
    public void Azure_Storage_loads_in_the_engine_context_from_the_module_folder()
    {
        using var session = fixture.NewSession();

        // A blob URL that names no blob: parsed with Azure.Storage.Blobs, refused before any request.
        var run = session.Run("Test-KvArchive -Path 'https://account.blob.core.windows.net/backups?sv=1&sig=NOTSHOWN'");
        Assert.Contains("KvArchivePathInvalid", run.ErrorIds.Concat([run.Exception is System.Management.Automation.IContainsErrorRecord r ? r.ErrorRecord.FullyQualifiedErrorId.Split(',')[0] : string.Empty]));
        Assert.DoesNotContain("NOTSHOWN", string.Join("\n", run.Errors.Select(e => e.ToString())) + run.Exception?.Message);

        var engine = Assert.Single(AppDomain.CurrentDomain.GetAssemblies(), a => a.GetName().Name == "KvArchive.Engine");
        var engineContext = AssemblyLoadContext.GetLoadContext(engine)!;
        var dependencies = Path.Combine(Path.GetDirectoryName(fixture.ManifestPath)!, "Dependencies");
        var blobs = Assert.Single(engineContext.Assemblies, a => a.GetName().Name == "Azure.Storage.Blobs");
        Assert.StartsWith(Path.GetFullPath(dependencies), Path.GetFullPath(blobs.Location), StringComparison.Ordinal);
        Assert.DoesNotContain(AssemblyLoadContext.Default.Assemblies, a => a.GetName().Name == "Azure.Storage.Blobs");
    }
}
