using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace KvArchive.Module.Tests.Infrastructure;

/// <summary>
/// A runspace over InitialSessionState.CreateDefault2() (only PowerShell's core commands exist) that imported the
/// built module. Non-interactive sessions have no host, like a runbook ("Default Host"); interactive ones have
/// <see cref="TestHost"/>, which renders Out-Default to text and answers prompts from a script.
/// </summary>
public sealed class PowerShellSession : IDisposable
{
    private readonly Runspace _runspace;

    public PowerShellSession(ModuleFixture fixture, bool interactive)
    {
        Fixture = fixture;
        var iss = InitialSessionState.CreateDefault2();
        Host = new TestHost();
        _runspace = interactive ? RunspaceFactory.CreateRunspace(Host, iss) : RunspaceFactory.CreateRunspace(iss);
        _runspace.Open();
        Run($"Import-Module -Name '{fixture.ManifestPath}' -ErrorAction Stop").EnsureSuccess();
        _runspace.SessionStateProxy.SetVariable("Token", ModuleFixture.ToSecureString(fixture.Token));
    }

    public ModuleFixture Fixture { get; }

    /// <summary>The host of interactive sessions (unused by non-interactive ones).</summary>
    public TestHost Host { get; }

    /// <summary>The runspace, for tests that need it directly.</summary>
    public Runspace Runspace => _runspace;

    /// <summary>Sets a variable in the session.</summary>
    public PowerShellSession Set(string name, object? value)
    {
        _runspace.SessionStateProxy.SetVariable(name, value);
        return this;
    }

    /// <summary>Runs a script with every stream turned on and collects them all.</summary>
    public PsRun Run(string script, bool allStreams = false)
    {
        Host.Clear();
        using var ps = PowerShell.Create(_runspace);
        if (allStreams)
        {
            ps.AddScript("$VerbosePreference = 'Continue'; $DebugPreference = 'Continue'; $InformationPreference = 'Continue'; $ProgressPreference = 'Continue'").AddStatement();
        }

        ps.AddScript(script);
        return Invoke(ps);
    }

    /// <summary>
    /// Runs a script inside try/catch: a terminating error (ThrowTerminatingError) is caught and returned; a
    /// non-terminating one is not, and stays in the run's Errors.
    /// </summary>
    public (ErrorRecord? Terminating, PsRun Run) RunCatching(string script)
    {
        var run = Run($"try {{\n{script}\n}} catch {{ $_ }}");
        var caught = run.Output.Select(o => o.BaseObject).OfType<ErrorRecord>().SingleOrDefault();
        return (caught, run);
    }

    /// <summary>Invokes a prepared pipeline and collects its streams.</summary>
    public PsRun Invoke(PowerShell ps)
    {
        System.Collections.ObjectModel.Collection<PSObject> output = [];
        Exception? exception = null;
        try
        {
            output = ps.Invoke();
        }
        catch (RuntimeException e)
        {
            exception = e;
        }

        return new PsRun
        {
            Output = output,
            Errors = ps.Streams.Error.ToList(),
            Warnings = ps.Streams.Warning.ToList(),
            Verbose = ps.Streams.Verbose.ToList(),
            Debug = ps.Streams.Debug.ToList(),
            Information = ps.Streams.Information.ToList(),
            Progress = ps.Streams.Progress.ToList(),
            HostText = Host.Text,
            Exception = exception,
        };
    }

    /// <summary>A PowerShell bound to this session's runspace (for Stop() tests).</summary>
    public PowerShell CreatePowerShell() => PowerShell.Create(_runspace);

    public void Dispose() => _runspace.Dispose();
}
