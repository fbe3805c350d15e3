using System.Management.Automation;
using System.Reflection;

namespace KvArchive.Loading;

/// <summary>
/// Makes the engine's output types resolvable by their full names in scripts (<c>[KvArchive.Engine.Vault.KvObject]</c>,
/// <c>-is</c>, typed parameters, <c>Should -BeOfType</c>). PowerShell resolves type names only in the default
/// load context, and the engine lives in its own (see EngineLoadContext); so each type is registered as a type
/// accelerator under its own full name, never a short alias, and removed again with the module.
/// </summary>
/// <remarks>
/// The list is computed, not kept by hand: every type a cmdlet declares in [OutputType] or [InformationType] (its
/// summary) or takes as a parameter,
/// and every engine type reachable from their public properties (enums such as KvObjectType and BackupStatus,
/// ArchiveVersion, KvError). A type added to an [OutputType] is nameable without touching this file.
/// </remarks>
internal static class OutputTypeNames
{
    private static readonly Type? Accelerators = typeof(PSObject).Assembly.GetType("System.Management.Automation.TypeAccelerators");
    private static List<string> s_registered = [];

    /// <summary>Registers the names (call after the engine resolver is installed: this loads the engine).</summary>
    public static void Register(Assembly cmdlets)
    {
        var add = Accelerators?.GetMethod("Add", [typeof(string), typeof(Type)]);
        var get = Accelerators?.GetProperty("Get")?.GetValue(null) as IReadOnlyDictionary<string, Type>;
        if (add is null)
        {
            return;
        }

        var engine = typeof(Engine.Vault.KvObject).Assembly;
        var registered = new List<string>();
        foreach (var type in Reachable(cmdlets, engine))
        {
            var name = type.FullName!;
            if (get is not null && get.ContainsKey(name))
            {
                continue;
            }

            add.Invoke(null, [name, type]);
            registered.Add(name);
        }

        s_registered = registered;
    }

    /// <summary>Removes the names this module registered.</summary>
    public static void Unregister()
    {
        var remove = Accelerators?.GetMethod("Remove", [typeof(string)]);
        foreach (var name in s_registered)
        {
            remove?.Invoke(null, [name]);
        }

        s_registered = [];
    }

    /// <summary>The engine types a user of the cmdlets meets, in a stable order.</summary>
    internal static IEnumerable<Type> Reachable(Assembly cmdlets, Assembly engine)
    {
        var roots = new List<Type>();
        foreach (var cmdlet in cmdlets.GetExportedTypes().Where(t => t.GetCustomAttribute<CmdletAttribute>() is not null))
        {
            foreach (var output in cmdlet.GetCustomAttributes<OutputTypeAttribute>(inherit: true))
            {
                roots.AddRange(output.Type.Select(t => t.Type).OfType<Type>());
            }

            roots.AddRange(cmdlet.GetCustomAttributes<Commands.InformationTypeAttribute>(inherit: true).Select(i => i.Type));

            roots.AddRange(cmdlet.GetProperties()
                .Where(p => p.GetCustomAttributes<ParameterAttribute>(inherit: true).Any())
                .Select(p => p.PropertyType));
        }

        var seen = new HashSet<Type>();
        var queue = new Queue<Type>(roots);
        while (queue.Count > 0)
        {
            var type = queue.Dequeue();
            if (type.IsArray || type.IsGenericType)
            {
                foreach (var part in type.IsArray ? [type.GetElementType()!] : type.GetGenericArguments())
                {
                    queue.Enqueue(part);
                }

                continue;
            }

            if (type.Assembly != engine || !type.IsPublic || !seen.Add(type))
            {
                continue;
            }

            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                queue.Enqueue(property.PropertyType);
            }
        }

        return seen.OrderBy(t => t.FullName, StringComparer.Ordinal);
    }
}
