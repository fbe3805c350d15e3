using System.Management.Automation;
using System.Management.Automation.Runspaces;
using KvArchive.TestSupport;

/// <summary>Runs one script with the built module imported and reports its output and errors on the console.</summary>
internal static class ScriptHost
{
    public static int Run(string script, IEnumerable<string> parameters)
    {
        var manifest = Path.Combine(LocalVaultServer.RepoRoot(), "out", "KvArchive", "KvArchive.psd1");
        using var runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
        runspace.Open();
        using var ps = PowerShell.Create(runspace);
        ps.AddCommand("Import-Module").AddParameter("Name", manifest).AddStatement().AddCommand(script);
        foreach (var p in parameters)
        {
            var eq = p.IndexOf('=', StringComparison.Ordinal);
            ps.AddParameter(p[..eq], p[(eq + 1)..]);
        }

        try
        {
            foreach (var o in ps.Invoke())
            {
                Console.WriteLine(o);
            }
        }
        catch (RuntimeException e)
        {
            Console.Error.WriteLine("terminating error: " + e.Message);
            return 1;
        }

        foreach (var e in ps.Streams.Error)
        {
            Console.Error.WriteLine("error: " + e);
        }

        return ps.HadErrors ? 1 : 0;
    }
}
