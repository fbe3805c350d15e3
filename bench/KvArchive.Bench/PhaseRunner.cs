using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Net.Http.Headers;
using System.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Security.KeyVault.Certificates;
using Azure.Security.KeyVault.Secrets;
using KvArchive.TestSupport;

namespace KvArchive.Bench;

/// <summary>Runs one phase in a child process (so peak memory is the phase's own) and reads its result.</summary>
public static class PhaseRunner
{
    private const string ResultPrefix = "BENCH-RESULT ";
    private const string TokenVariable = "KVARCHIVE_BENCH_TOKEN";

    // Records are counted as they stream, not kept, so the benchmark's own memory stays flat; the first failures' reasons are kept.
    private const string CountByStatus = " | ForEach-Object -Begin { $c = @{} } -Process { $c[[string]$_.Status] = 1 + [int]$c[[string]$_.Status]; if ([string]$_.Status -eq 'Failed' -and $c['Failed'] -le 3) { $c['Reason' + $c['Failed']] = \"$($_.Name): $($_.Reason)\" } } -End { $c }";

    // -MaxBudgetShare only when the phase names one: otherwise the module's default.
    private const string Splat = "$p = @{ ThrottleLimit = $n }; if ($s -gt 0) { $p.MaxBudgetShare = $s }; ";

    public static async Task<PhaseResult> RunChildAsync(BenchOptions options, LocalVaultServer server, string phase, int size, string source, string target, string archive, double? share = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add(typeof(PhaseRunner).Assembly.Location);
        foreach (var a in new[]
        {
            "--phase", phase, "--size", size.ToString(CultureInfo.InvariantCulture), "--source", source, "--target", target,
            "--archive", archive, "--port", server.Port.ToString(CultureInfo.InvariantCulture),
            "--serial-sample", options.SerialSample.ToString(CultureInfo.InvariantCulture),
            "--throttle-limit", options.ThrottleLimit.ToString(CultureInfo.InvariantCulture),
            "--share", (share ?? 0).ToString(CultureInfo.InvariantCulture),
        })
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment[TokenVariable] = (await server.CreateTokenAsync("bench", lifetimeSeconds: 7200)).Token;
        psi.Environment["KVARCHIVE_TRUSTED_CERTIFICATE"] = server.CertificatePath;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[name] = value;
        }

        using var child = Process.Start(psi)!;
        string? line;
        PhaseResult? result = null;
        while ((line = await child.StandardOutput.ReadLineAsync()) is not null)
        {
            if (line.StartsWith(ResultPrefix, StringComparison.Ordinal))
            {
                result = JsonSerializer.Deserialize<PhaseResult>(line[ResultPrefix.Length..]);
            }
            else
            {
                Console.WriteLine("     | " + line);
            }
        }

        await child.WaitForExitAsync();
        return result ?? throw new InvalidOperationException($"Phase {phase} at {size} objects reported no result (exit code {child.ExitCode}).");
    }

    public static async Task<int> RunAsync(BenchOptions o)
    {
        var token = Environment.GetEnvironmentVariable(TokenVariable) ?? throw new InvalidOperationException(TokenVariable + " is not set");
        var certificate = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(Environment.GetEnvironmentVariable("KVARCHIVE_TRUSTED_CERTIFICATE")!));
        Uri VaultUri(string name) => new($"https://{name}.vault.localhost:{o.Port}/");
        using var heap = new HeapSampler();
        var watch = Stopwatch.StartNew();
        var share = o.Share is > 0 ? o.Share : null;
        var startup = TimeSpan.Zero;
        (int objects, int failed, string? reasons, string? aborted) = o.Phase switch
        {
            "serial" => await SerialBackupAsync(VaultUri(o.Source), token, certificate, o.SerialSample),
            "backup" => RunPowerShell(
                "param($u, $t, $a, $n, $s) " + Splat + "Get-KvObject -VaultUri $u -AccessToken $t | Backup-KvObject -AccessToken $t -Path $a -Force @p" + CountByStatus,
                VaultUri(o.Source), token, o.Archive, o.ThrottleLimit, share, "Saved", watch, out startup),
            "restore" => RunPowerShell(
                "param($u, $t, $a, $n, $s) " + Splat + "Get-KvArchiveItem -Path $a | Restore-KvObject -VaultUri $u -AccessToken $t @p" + CountByStatus,
                VaultUri(o.Target), token, o.Archive, o.ThrottleLimit, share, "Restored", watch, out startup),
            _ => throw new ArgumentException("Unknown phase " + o.Phase),
        };
        watch.Stop();
        var result = new PhaseResult
        {
            Phase = o.Phase!,
            Size = o.Size,
            Objects = objects,
            Failed = failed,
            FailedReasons = reasons,
            Aborted = aborted,
            Share = share,
            Seconds = (watch.Elapsed - startup).TotalSeconds,
            StartupSeconds = startup.TotalSeconds,
            PeakMemoryBytes = Process.GetCurrentProcess().PeakWorkingSet64,
            PeakManagedBytes = heap.Peak,
            JitMethods = System.Runtime.JitInfo.GetCompiledMethodCount(),
        };
        Console.WriteLine(ResultPrefix + JsonSerializer.Serialize(result));
        return 0;
    }

    /// <summary>What the service's docs and users' scripts do: list, then back up one object at a time, serially.</summary>
    private static async Task<(int, int, string?, string?)> SerialBackupAsync(Uri vault, string token, X509Certificate2 trusted, int sample)
    {
        var credential = new StaticCredential(token);
        var transport = new HttpClientTransport(new HttpClient(LocalVaultServer.CreateHandler(trusted)));
        var secrets = new SecretClient(vault, credential, new SecretClientOptions { Transport = transport });
        var certificates = new CertificateClient(vault, credential, new CertificateClientOptions { Transport = transport });
        using var http = new HttpClient(LocalVaultServer.CreateHandler(trusted));
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        int done = 0, failed = 0;
        var sink = new List<byte[]>(1);

        async Task Backup(Func<Task<byte[]>> call)
        {
            try
            {
                sink.Clear();
                sink.Add(await call());
                done++;
            }
            catch (Azure.RequestFailedException)
            {
                failed++;
            }
        }

        await foreach (var s in secrets.GetPropertiesOfSecretsAsync())
        {
            if (done >= sample) { break; }
            if (s.Managed) { continue; }
            await Backup(async () => (await secrets.BackupSecretAsync(s.Name)).Value);
        }

        // Keys: the .NET Keys package is not available here; the loop is the same REST calls it makes.
        string? next = new Uri(vault, "keys?api-version=2025-07-01").ToString();
        while (next is not null && done < sample)
        {
            var page = JsonNode.Parse(await http.GetStringAsync(next))!;
            foreach (var item in page["value"]!.AsArray())
            {
                if (done >= sample) { break; }
                if (item!["managed"]?.GetValue<bool>() == true) { continue; }
                var name = new Uri(item["kid"]!.GetValue<string>()).Segments[2].TrimEnd('/');
                await Backup(async () =>
                {
                    using var response = await http.PostAsync(new Uri(vault, $"keys/{name}/backup?api-version=2025-07-01"), null);
                    response.EnsureSuccessStatusCode();
                    return Convert.FromBase64String(Pad(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["value"]!.GetValue<string>()));
                });
            }

            next = page["nextLink"]?.GetValue<string>();
        }

        await foreach (var c in certificates.GetPropertiesOfCertificatesAsync())
        {
            if (done >= sample) { break; }
            await Backup(async () => (await certificates.BackupCertificateAsync(c.Name)).Value);
        }

        return (done, failed, null, null);
    }

    private static string Pad(string base64Url)
    {
        var s = base64Url.Replace('-', '+').Replace('_', '/');
        return s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '=');
    }

    /// <summary>Runs the phase's pipeline in a new runspace; <paramref name="startup"/>: how long opening it and importing the module took (of <paramref name="watch"/>).</summary>
    private static (int, int, string?, string?) RunPowerShell(string script, Uri vault, string token, string archive, int throttleLimit, double? share, string okStatus, Stopwatch watch, out TimeSpan startup)
    {
        var manifest = Path.Combine(LocalVaultServer.RepoRoot(), "out", "KvArchive", "KvArchive.psd1");
        using var runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
        runspace.Open();
        using var ps = PowerShell.Create(runspace);
        ps.AddCommand("Import-Module").AddParameter("Name", manifest).Invoke();
        ps.Commands.Clear();
        startup = watch.Elapsed;
        var secure = new SecureString();
        foreach (var ch in token)
        {
            secure.AppendChar(ch);
        }

        secure.MakeReadOnly();
        ps.AddScript(script).AddArgument(vault).AddArgument(secure).AddArgument(archive).AddArgument(throttleLimit).AddArgument(share ?? 0.0);
        System.Collections.Hashtable counts;
        string? aborted = null;
        try
        {
            counts = ps.Invoke().Select(o => o.BaseObject).OfType<System.Collections.Hashtable>().FirstOrDefault() ?? [];
        }
        catch (RuntimeException e)
        {
            // The command stopped the run (a terminating error): what users would see.
            counts = [];
            aborted = $"{e.ErrorRecord.FullyQualifiedErrorId}: {e.Message}";
        }

        int Count(string status) => counts[status] is int n ? n : 0;
        foreach (var e in ps.Streams.Error.Take(5))
        {
            Console.WriteLine("error: " + e);
        }

        var reasons = string.Join("; ", Enumerable.Range(1, 3).Select(i => counts["Reason" + i] as string).OfType<string>());
        return (Count(okStatus), Math.Max(Count("Failed"), ps.Streams.Error.Count), reasons.Length > 0 ? reasons : null, aborted);
    }

    private sealed class StaticCredential(string token) : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) => new(token, DateTimeOffset.UtcNow.AddHours(2));

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) => new(GetToken(requestContext, cancellationToken));
    }
}
