using System.Management.Automation;
using System.Management.Automation.Runspaces;
using KvArchive.TestSupport;

// The README's main job, runnable where only the .NET SDK is installed:
//   dotnet run --project tools/KvArchive.Demo -c Release [-- --secrets 60 --keys 20 --certificates 10]
// Starts LocalVault with a seeded vault "prod" and an empty vault "dr", points the managed-identity variables
// at it (as Azure Automation does), imports the built module and runs examples/main-job.ps1.
//
//   KvArchive.Demo --script <file.ps1> [Name=Value ...]
// Runs any script with the built module imported, in this process, with the caller's environment (tests use it
// to kill a backup mid-run from outside).
if (args.Length >= 2 && args[0] == "--script")
{
    return ScriptHost.Run(args[1], args.Skip(2));
}

var counts = new Dictionary<string, int> { ["secrets"] = 60, ["keys"] = 20, ["certificates"] = 10 };
for (var i = 0; i + 1 < args.Length; i += 2)
{
    counts[args[i].TrimStart('-')] = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture);
}

var root = LocalVaultServer.RepoRoot();
var manifest = Path.Combine(root, "out", "KvArchive", "KvArchive.psd1");
if (!File.Exists(manifest))
{
    Console.Error.WriteLine($"The module is not built ({manifest} is missing): run 'dotnet build' first.");
    return 2;
}

Console.WriteLine("Starting LocalVault…");
await using var server = await LocalVaultServer.StartAsync("--vault", "prod", "--vault", "dr");
await server.SeedAsync("prod", new { secrets = counts["secrets"], keys = counts["keys"], certificates = counts["certificates"], versions = 2, prefix = "demo" });
Console.WriteLine($"LocalVault on port {server.Port}; trust file {server.CertificatePath}");
Environment.SetEnvironmentVariable("IDENTITY_ENDPOINT", server.IdentityEndpoint);
Environment.SetEnvironmentVariable("IDENTITY_HEADER", server.IdentityHeader);

var archive = Path.Combine(root, "out", "demo", "prod.kva");
Directory.CreateDirectory(Path.GetDirectoryName(archive)!);

var iss = InitialSessionState.CreateDefault2();
using var runspace = RunspaceFactory.CreateRunspace(iss);
runspace.Open();
using var ps = PowerShell.Create(runspace);
ps.AddCommand("Import-Module").AddParameter("Name", manifest).AddStatement()
  .AddCommand(Path.Combine(root, "examples", "main-job.ps1"))
  .AddParameter("SourceVaultUri", server.VaultUri("prod"))
  .AddParameter("TargetVaultUri", server.VaultUri("dr"))
  .AddParameter("ArchivePath", archive);
try
{
    var result = ps.Invoke();
    foreach (var e in ps.Streams.Error)
    {
        Console.Error.WriteLine($"error: {e}");
    }

    foreach (var r in result)
    {
        Console.WriteLine($"Saved {r.Properties["Saved"].Value}, skipped {r.Properties["Skipped"].Value} (managed by certificates), restored {r.Properties["Restored"].Value}, failed {r.Properties["Failed"].Value}.");
    }

    Console.WriteLine($"Archive: {archive}");
    return ps.HadErrors ? 1 : 0;
}
catch (RuntimeException e)
{
    Console.Error.WriteLine($"The main job failed: {e.Message}");
    return 1;
}
