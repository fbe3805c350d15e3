using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.Loader;

namespace KvArchive.Module.Tests.Infrastructure;

/// <summary>
/// An "Azure.Core" 1.0.0.0 (one public type, as an old module would ship), loaded into the default
/// AssemblyLoadContext before any test imports KvArchive. Every module test then runs beside a conflicting
/// Azure.Core: had the engine been resolved in the default context, its reference to Azure.Core 1.64 would fail
/// against this one.
/// </summary>
public static class ForeignAzureCore
{
    private static readonly Lazy<Assembly> Loaded = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The foreign assembly (loaded on first use).</summary>
    public static Assembly Assembly => Loaded.Value;

    /// <summary>Loads it, once per process.</summary>
    public static void EnsureLoaded() => _ = Loaded.Value;

    private static Assembly Load()
    {
        if (AssemblyLoadContext.Default.Assemblies.Any(a => a.GetName().Name == "Azure.Core"))
        {
            throw new InvalidOperationException("An Azure.Core is already in the default load context; the foreign one must come first.");
        }

        var builder = new PersistedAssemblyBuilder(new AssemblyName("Azure.Core") { Version = new Version(1, 0, 0, 0) }, typeof(object).Assembly);
        var module = builder.DefineDynamicModule("Azure.Core");
        module.DefineType("Azure.Core.TokenCredential", TypeAttributes.Public | TypeAttributes.Abstract | TypeAttributes.Class).CreateType();
        var directory = Path.Combine(Path.GetTempPath(), "kvarchive-foreign-azure-core");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, $"Azure.Core.{Environment.ProcessId}.dll");
        builder.Save(path);
        return AssemblyLoadContext.Default.LoadFromAssemblyPath(path);
    }
}
