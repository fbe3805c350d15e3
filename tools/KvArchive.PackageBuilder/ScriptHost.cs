using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace KvArchive.PackageBuilder;

/// <summary>
/// Runs a script in a bare PowerShell host (InitialSessionState.CreateDefault2: only the core commands) in this
/// process, writing every output object as a line. The package tests import the extracted package with it, in a
/// process of their own: imported into the test process, the package would add a second KvArchive.dll and engine
/// beside the ones the other module tests load from out/KvArchive (or fail to, the name being taken).
/// </summary>
internal static class ScriptHost
{
    /// <summary>Runs the script; 0 when it wrote no error.</summary>
    public static int Run(string scriptPath)
    {
        using var runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
        runspace.Open();
        using var ps = PowerShell.Create(runspace);
        ps.AddScript(File.ReadAllText(scriptPath));
        try
        {
            foreach (var item in ps.Invoke())
            {
                Console.Out.WriteLine(item?.ToString());
            }
        }
        catch (RuntimeException e)
        {
            Console.Error.WriteLine("terminating error: " + e.ErrorRecord);
            return 1;
        }

        foreach (var error in ps.Streams.Error)
        {
            Console.Error.WriteLine($"error [{error.FullyQualifiedErrorId}]: {error}");
        }

        return ps.Streams.Error.Count == 0 ? 0 : 1;
    }
}
