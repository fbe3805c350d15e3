using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;
using KvArchive.Loading;

namespace KvArchive;

/// <summary>
/// Runs when the module is imported and removed. It lets the default load context find exactly one assembly,
/// KvArchive.Engine, and only in the module's own load context, so that the engine's Azure dependencies never
/// meet those of other modules in the session.
/// </summary>
/// <remarks>
/// Nothing in this assembly may touch an engine type before <see cref="OnImport"/> has run: public types here
/// carry no engine base type, interface or value-type field, and no static initializer names the engine.
/// </remarks>
public sealed class KvArchiveModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private static readonly object Gate = new();
    private static EngineLoadContext? s_loadContext;
    private static int s_imports;

    /// <summary>The folder, beside the cmdlet assembly, that holds the engine and its dependencies.</summary>
    public static string DependencyDirectory { get; } =
        Path.Combine(Path.GetDirectoryName(typeof(KvArchiveModuleInitializer).Assembly.Location) ?? ".", "Dependencies");

    /// <summary>
    /// Installs the resolver and makes the output types nameable (once per process, however many runspaces import
    /// the module).
    /// </summary>
    public void OnImport()
    {
        lock (Gate)
        {
            if (s_imports++ == 0)
            {
                AssemblyLoadContext.Default.Resolving += ResolveEngine;
                OutputTypeNames.Register(typeof(KvArchiveModuleInitializer).Assembly);
            }
        }
    }

    /// <summary>Removes the resolver when the last importer removes the module.</summary>
    public void OnRemove(PSModuleInfo psModuleInfo)
    {
        lock (Gate)
        {
            if (s_imports > 0 && --s_imports == 0)
            {
                OutputTypeNames.Unregister();
                AssemblyLoadContext.Default.Resolving -= ResolveEngine;
            }
        }
    }

    private static Assembly? ResolveEngine(AssemblyLoadContext context, AssemblyName name)
    {
        if (!string.Equals(name.Name, EngineLoadContext.EngineAssemblyName, StringComparison.Ordinal))
        {
            return null;
        }

        lock (Gate)
        {
            s_loadContext ??= new EngineLoadContext(DependencyDirectory);
        }

        return s_loadContext.LoadFromAssemblyName(name);
    }
}
