using System.Reflection;
using System.Runtime.Loader;

namespace KvArchive.Loading;

/// <summary>
/// The load context of the engine and everything it depends on (Azure.Core, Azure.Identity, MSAL, the Key Vault
/// SDKs, the System.* packages they need). Whatever another module loaded into the default context (an older
/// Azure.Core from Az.Accounts, say), the engine sees only the assemblies shipped in Dependencies/.
/// </summary>
/// <remarks>
/// Assemblies are found through the engine's own deps.json (so runtime-specific assets such as the Windows
/// build of System.Security.Cryptography.ProtectedData are picked for the current platform), then by file
/// name in Dependencies/. Anything not shipped there (the framework itself) falls through to the default
/// context. There is one instance per process: an assembly can be loaded only once per context, and every
/// runspace that imports the module must see the same engine.
/// </remarks>
internal sealed class EngineLoadContext : AssemblyLoadContext
{
    private readonly string _directory;
    private readonly AssemblyDependencyResolver _resolver;

    public EngineLoadContext(string directory)
        : base("KvArchive.Engine", isCollectible: false)
    {
        _directory = directory;
        _resolver = new AssemblyDependencyResolver(Path.Combine(directory, EngineAssemblyName + ".dll"));
    }

    /// <summary>The only assembly the default context is allowed to get from here.</summary>
    public const string EngineAssemblyName = "KvArchive.Engine";

    /// <summary>The folder it loads from.</summary>
    public string Directory => _directory;

    /// <inheritdoc />
    protected override Assembly? Load(AssemblyName assemblyName)
    {
        var path = _resolver.ResolveAssemblyToPath(assemblyName);
        if (path is null && assemblyName.Name is { } name)
        {
            var candidate = Path.Combine(_directory, name + ".dll");
            if (File.Exists(candidate))
            {
                path = candidate;
            }
        }

        return path is null ? null : LoadFromAssemblyPath(path);
    }

    /// <inheritdoc />
    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        var path = _resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }
}
