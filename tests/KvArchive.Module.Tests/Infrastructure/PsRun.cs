using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Text;

namespace KvArchive.Module.Tests.Infrastructure;

/// <summary>Everything one PowerShell invocation produced, on every stream.</summary>
public sealed class PsRun
{
    public required Collection<PSObject> Output { get; init; }
    public required IReadOnlyList<ErrorRecord> Errors { get; init; }
    public required IReadOnlyList<WarningRecord> Warnings { get; init; }
    public required IReadOnlyList<VerboseRecord> Verbose { get; init; }
    public required IReadOnlyList<DebugRecord> Debug { get; init; }
    public required IReadOnlyList<InformationRecord> Information { get; init; }
    public required IReadOnlyList<ProgressRecord> Progress { get; init; }

    /// <summary>What reached the host (Out-Default rendering, Write-Host, prompts).</summary>
    public required string HostText { get; init; }

    /// <summary>A terminating error, if the invocation threw.</summary>
    public Exception? Exception { get; init; }

    /// <summary>The output's base objects of a type.</summary>
    public IReadOnlyList<T> Objects<T>() => Output.Select(o => o.BaseObject).OfType<T>().ToList();

    /// <summary>Throws with every error when the run failed (for setup steps).</summary>
    public PsRun EnsureSuccess()
    {
        if (Exception is not null || Errors.Count > 0)
        {
            throw new Xunit.Sdk.XunitException("PowerShell failed:\n" + Describe());
        }

        return this;
    }

    /// <summary>The error ids (FullyQualifiedErrorId up to the first comma) in order.</summary>
    public IReadOnlyList<string> ErrorIds => Errors.Select(e => e.FullyQualifiedErrorId.Split(',')[0]).ToList();

    /// <summary>All text a user or a log could see, for leak checks.</summary>
    public string AllText()
    {
        var sb = new StringBuilder();
        foreach (var o in Output)
        {
            sb.AppendLine(o?.ToString());
            if (o is not null)
            {
                foreach (var p in o.Properties)
                {
                    try
                    {
                        sb.AppendLine(p.Name + "=" + p.Value);
                    }
                    catch (GetValueException)
                    {
                    }
                }
            }
        }

        foreach (var e in Errors)
        {
            sb.AppendLine(e.ToString()).AppendLine(e.Exception?.ToString()).AppendLine(e.ErrorDetails?.Message)
              .AppendLine(e.ErrorDetails?.RecommendedAction).AppendLine(e.TargetObject?.ToString()).AppendLine(e.CategoryInfo.ToString());
        }

        foreach (var r in Warnings) { sb.AppendLine(r.Message); }
        foreach (var r in Verbose) { sb.AppendLine(r.Message); }
        foreach (var r in Debug) { sb.AppendLine(r.Message); }
        foreach (var r in Information) { sb.AppendLine(r.MessageData?.ToString()); }
        foreach (var r in Progress) { sb.AppendLine(r.Activity).AppendLine(r.StatusDescription).AppendLine(r.CurrentOperation); }
        sb.AppendLine(HostText);
        sb.AppendLine(Exception?.ToString());
        return sb.ToString();
    }

    /// <summary>A readable account of errors for assertion messages.</summary>
    public string Describe()
    {
        var sb = new StringBuilder();
        if (Exception is not null)
        {
            sb.AppendLine("terminating: " + Exception);
        }

        foreach (var e in Errors)
        {
            sb.AppendLine($"error [{e.FullyQualifiedErrorId}] {e.CategoryInfo.Category}: {e}");
        }

        foreach (var w in Warnings)
        {
            sb.AppendLine("warning: " + w.Message);
        }

        return sb.ToString();
    }
}
