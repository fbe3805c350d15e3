using System.Diagnostics;
using System.Text.Json.Nodes;
using KvArchive.LocalVault.Tests.Infrastructure;
using KvArchive.TestSupport;

namespace KvArchive.LocalVault.Tests.Keys;

/// <summary>Runs the JavaScript SDK scenarios in js/keys.js and js/certificates.js with node against a LocalVault vault.</summary>
public static class NodeRunner
{
    private static readonly SemaphoreSlim InstallLock = new(1, 1);
    private static bool s_installed;

    /// <summary>tests/KvArchive.LocalVault.Tests/js in the repository.</summary>
    public static string ScriptDirectory => Path.Combine(LocalVaultServer.RepoRoot(), "tests", "KvArchive.LocalVault.Tests", "js");

    /// <summary>
    /// Makes sure node_modules exists: .ci/run does "npm ci" first; when it has not (a developer's clean clone),
    /// the tests run it themselves, and fail with a clear message if that is impossible.
    /// </summary>
    public static async Task EnsureInstalledAsync()
    {
        await InstallLock.WaitAsync();
        try
        {
            if (s_installed)
            {
                return;
            }

            var markers = new[] { "keyvault-keys", "keyvault-certificates" }.Select(p => Path.Combine(ScriptDirectory, "node_modules", "@azure", p, "package.json")).ToList();
            if (!markers.TrueForAll(File.Exists))
            {
                var (code, output) = await RunAsync("npm", ["ci", "--no-audit", "--no-fund"], new Dictionary<string, string>(), TimeSpan.FromMinutes(5));
                if (code != 0 || !markers.TrueForAll(File.Exists))
                {
                    throw new InvalidOperationException(
                        $"The keys tests need the JavaScript SDK: 'npm ci' in {ScriptDirectory} failed (exit {code}). " +
                        "Install Node.js 20+ and npm and run 'npm ci' there (.ci/run does it). Output:\n" + output);
                }
            }

            s_installed = true;
        }
        finally
        {
            InstallLock.Release();
        }
    }

    /// <summary>Runs one scenario of js/keys.js; returns its JSON result (asserting ok).</summary>
    public static Task<JsonObject> RunScenarioAsync(LocalVaultFixture fx, VaultRef vault, string scenario, string prefix, IDictionary<string, string>? extraEnv = null)
        => RunScriptAsync(fx, vault, "keys.js", scenario, prefix, extraEnv);

    /// <summary>Runs one scenario of a script in js/; returns its JSON result (asserting ok).</summary>
    public static async Task<JsonObject> RunScriptAsync(LocalVaultFixture fx, VaultRef vault, string script, string scenario, string prefix, IDictionary<string, string>? extraEnv = null)
    {
        await EnsureInstalledAsync();
        var env = new Dictionary<string, string>
        {
            ["VAULT_URI"] = vault.Uri.ToString(),
            ["LOCALVAULT_TOKEN"] = await fx.TokenAsync(),
            ["NODE_EXTRA_CA_CERTS"] = fx.Server.CertificatePath,
            ["KEY_PREFIX"] = prefix,
        };
        if (extraEnv is not null)
        {
            foreach (var (k, v) in extraEnv)
            {
                env[k] = v;
            }
        }

        var (code, output) = await RunAsync("node", [script, scenario], env, TimeSpan.FromMinutes(3));
        var line = output.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith("{\"ok\"", StringComparison.Ordinal));
        Assert.True(line is not null, $"node {script} {scenario} printed no result (exit {code}):\n{output}");
        var result = JsonNode.Parse(line!)!.AsObject();
        Assert.True(result["ok"]!.GetValue<bool>() && code == 0, $"node {script} {scenario} failed (exit {code}): {result["error"]}\n{output}");
        return result;
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, string[] args, IDictionary<string, string> env, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(file)
        {
            WorkingDirectory = ScriptDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (k, v) in env)
        {
            psi.Environment[k] = v;
        }

        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"'{file}' is not on PATH: the keys tests need Node.js 20+ and npm ({e.Message}).", e);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var cts = new CancellationTokenSource(timeout);
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(true);
                throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within {timeout}:\n{await stdout}\n{await stderr}");
            }

            return (process.ExitCode, (await stdout) + "\n" + (await stderr));
        }
    }
}
