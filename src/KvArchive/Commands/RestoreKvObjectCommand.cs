using System.Management.Automation;
using KvArchive.Completion;
using KvArchive.Engine.Archive;
using KvArchive.Engine.Transfer;
using KvArchive.Engine.Storage;
using KvArchive.Engine.Vault;
using KvArchive.Hosting;

namespace KvArchive.Commands;

/// <summary>
/// <para type="synopsis">Restores objects from an archive into a vault, with a plan you can see first (-WhatIf).</para>
/// </summary>
[Cmdlet(VerbsData.Restore, "KvObject", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ByPathSet)]
[OutputType(typeof(RestoreRecord))]
[InformationType(typeof(RestoreSummary))]
public sealed class RestoreKvObjectCommand : KvVaultCommandBase
{
    /// <summary>An archive file, with optional filters.</summary>
    public const string ByPathSet = "ByPath";
    /// <summary>An archive file by its exact path, with optional filters.</summary>
    public const string ByLiteralPathSet = "ByLiteralPath";
    /// <summary>Entries piped from Get-KvArchiveItem.</summary>
    public const string ByArchiveItemSet = "ByArchiveItem";

    private RestoreSession? _session;
    private readonly Dictionary<(string, bool), IReadOnlyList<string>> _resolved = [];
    private readonly Dictionary<string, bool> _backupFiles = new(StringComparer.Ordinal);

    /// <summary>
    /// The archive file; wildcards are supported (each archive that matches is restored). A Key Vault backup file (az
    /// CLI, Az PowerShell, the portal) is taken as a one-entry archive.
    /// </summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = ByPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "InputFile")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>The archive file, taken exactly as typed (no wildcards).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ByLiteralPathSet)]
    [Alias("LP")]
    [ValidateNotNullOrEmpty]
    public string LiteralPath { get; set; } = string.Empty;

    /// <summary>Only entries whose name matches (wildcards).</summary>
    [Parameter(ParameterSetName = ByPathSet, ValueFromPipelineByPropertyName = true)]
    [Parameter(ParameterSetName = ByLiteralPathSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(KvArchiveNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>Only these kinds of entries.</summary>
    [Parameter(ParameterSetName = ByPathSet, ValueFromPipelineByPropertyName = true)]
    [Parameter(ParameterSetName = ByLiteralPathSet)]
    [ValidateNotNullOrEmpty]
    public KvObjectType[]? Type { get; set; }

    /// <summary>Archive entries from Get-KvArchiveItem.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ByArchiveItemSet, ValueFromPipeline = true)]
    [ValidateNotNull]
    public ArchiveItem InputObject { get; set; } = null!;

    // The policies are strings (checked by ValidateSet, which also completes them): an engine enum here would be
    // a value-type field that loads the engine when PowerShell reflects over this class at import, before the
    // module's resolver exists.

    /// <summary>What to do when the name exists in the target vault: Skip (default) or Fail.</summary>
    [Parameter]
    [ValidateSet(nameof(ExistingObjectPolicy.Skip), nameof(ExistingObjectPolicy.Fail))]
    public string ExistingPolicy { get; set; } = nameof(ExistingObjectPolicy.Skip);

    /// <summary>What to do when the name is soft-deleted in the target vault: Fail (default) or Purge.</summary>
    [Parameter]
    [ValidateSet(nameof(SoftDeletedObjectPolicy.Fail), nameof(SoftDeletedObjectPolicy.Purge))]
    public string SoftDeletedPolicy { get; set; } = nameof(SoftDeletedObjectPolicy.Fail);

    /// <summary>Entries restored at the same time (1-64).</summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = 16;

    /// <summary>The most of the vault's request budget the command takes, above 0 and at most 1 (default 0.5); below 1 it never opens with a burst.</summary>
    [Parameter]
    [ValidateRange(0.01, 1.0)]
    public double MaxBudgetShare { get; set; } = AdaptiveRateOptions.DefaultBudgetShare;

    /// <summary>A cap in requests per second besides the share (none by default).</summary>
    [Parameter]
    [ValidateRange(1, 100_000)]
    public int MaxRequestRate { get; set; }

    /// <summary>Restores the entries that verify from an archive that failed its checks (by default a damaged archive restores nothing).</summary>
    [Parameter]
    public SwitchParameter SkipDamagedEntries { get; set; }

    /// <summary>Confirms the purges of -SoftDeletedPolicy Purge in advance.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <inheritdoc />
    protected internal override int ProgressActivityId => 0x4B58;

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        var existingPolicy = Enum.Parse<ExistingObjectPolicy>(ExistingPolicy, ignoreCase: true);
        var softDeletedPolicy = Enum.Parse<SoftDeletedObjectPolicy>(SoftDeletedPolicy, ignoreCase: true);
        if (softDeletedPolicy == SoftDeletedObjectPolicy.Purge && !Force && !IsWhatIf() && !IsConfirmOff() && !HostInteractivity.CanPrompt(Host))
        {
            ThrowTerminatingError(KvErrorRecords.Create(ConfirmationRequiredId, ErrorCategory.InvalidOperation,
                "-SoftDeletedPolicy Purge deletes soft-deleted objects for good and needs confirmation, and this host cannot prompt (a runbook or a non-interactive session). Add -Force to confirm the purges in advance.", null));
        }

        Uri? target = VaultUri is not null || !string.IsNullOrEmpty(VaultName) ? ResolveVaultUri() : null;
        if (target is null)
        {
            WriteVerbose("No -VaultName or -VaultUri: each entry is restored into the vault it was backed up from.");
        }

        // The rate limiter hears every answer of the command's clients from their first request.
        var limiter = new AdaptiveRateLimiter(AdaptiveRateOptions.ForKeyVault(MaxBudgetShare, MaxRequestRate > 0 ? MaxRequestRate : null));
        var options = new RestoreOptions
        {
            TargetVaultUri = target,
            ExistingPolicy = existingPolicy,
            SoftDeletedPolicy = softDeletedPolicy,
            SkipDamagedEntries = SkipDamagedEntries,
            ThrottleLimit = ThrottleLimit,
            RateLimiter = limiter,
            PlanOnly = IsWhatIf(),
            Storage = BuildStorageOptions(),
        };
        try
        {
            _session = RestoreSession.Start(HostContext, options, OpenClients(limiter));
        }
        catch (KvException e)
        {
            ThrowTerminatingError(KvErrorRecords.Create(e, target));
        }
    }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var session = _session!;
        try
        {
            if (ParameterSetName == ByArchiveItemSet)
            {
                session.Add(InputObject);
                return;
            }

            var literal = ParameterSetName == ByLiteralPathSet;
            foreach (var path in Resolve(literal ? LiteralPath : Path, literal))
            {
                AddArchive(session, path);
            }
        }
        catch (KvException e) when (e.Kind == KvErrorKind.Cancelled && StopToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (KvException e) when (IsArchiveProblem(e))
        {
            // Through the session: the run is not complete, and a plan writes it after the plan.
            session.ReportError(e, Target);
        }
        catch (KvException e)
        {
            ThrowTerminatingError(KvErrorRecords.Create(e, Target));
        }
    }

    /// <summary>
    /// The archives a -Path names, resolved once per distinct input: piped entries bound by property name give the
    /// same path thousands of times.
    /// </summary>
    private IReadOnlyList<string> Resolve(string path, bool literal)
    {
        if (!_resolved.TryGetValue((path, literal), out var paths))
        {
            paths = KvArchivePath.ResolveForRead(this, path, literal);
            _resolved[(path, literal)] = paths;
        }

        return paths;
    }

    private bool IsBackupFile(string path)
    {
        if (!_backupFiles.TryGetValue(path, out var isFile))
        {
            isFile = !ArchiveLocation.IsBlob(path) && RawBackupFile.LooksLikeBackup(path);
            _backupFiles[path] = isFile;
        }

        return isFile;
    }

    private object Target => ParameterSetName switch
    {
        ByArchiveItemSet => InputObject,
        ByLiteralPathSet => LiteralPath,
        _ => Path,
    };

    private void AddArchive(RestoreSession session, string path)
    {
        try
        {
            AddEntries(session, path);
        }
        catch (KvException e) when (IsArchiveProblem(e))
        {
            // This archive restores nothing; the other archives a wildcard matched still do. Through the session:
            // the run is not complete, and a plan writes it after the plan.
            session.ReportError(e, ArchiveLocation.Display(path));
        }
    }

    private static bool IsArchiveProblem(KvException e) => e.ErrorId is KvErrorIds.ArchiveNotFound or KvErrorIds.ArchiveInvalid or KvErrorIds.ArchiveVersionUnsupported
        or KvErrorIds.ArchiveVerificationFailed or KvErrorIds.ArchiveLimitExceeded or KvErrorIds.ArchivePathInvalid
        or KvErrorIds.BackupFileUnrecognized or KvErrorIds.BackupFileKindMismatch or KvErrorIds.BackupFileNameInvalid;

    private void AddEntries(RestoreSession session, string path)
    {
        if (Name is null && Type is null)
        {
            session.AddArchive(path);
            return;
        }

        if (MyInvocation.ExpectingInput && Type is [var type] && Name is [var name] && !WildcardPattern.ContainsWildcardCharacters(name)
            && !IsBackupFile(path))
        {
            // One entry named by the pipeline (Get-KvArchiveItem or Compare-KvArchive output bound by property name):
            // the session's archive, opened and verified once, not the whole archive read again per piped object.
            session.Add(path, type, name);
            return;
        }

        var patterns = Name?.Select(n => new WildcardPattern(n, WildcardOptions.IgnoreCase)).ToArray();
        if (IsBackupFile(path))
        {
            // A Key Vault backup file (az, Az PowerShell, the portal) restores as a one-entry archive: a single -Type
            // says whether a key's blob is a certificate, a single literal -Name names it.
            var typeHint = Type is { Length: 1 } ? Type[0] : (KvObjectType?)null;
            var nameHint = Name is [var single] && !WildcardPattern.ContainsWildcardCharacters(single) ? single : null;
            session.AddArchive(path, item => (Type is null || Type.Contains(item.Type)) && (patterns is null || patterns.Any(p => p.IsMatch(item.Name))), typeHint, nameHint);
            return;
        }

        if (ArchiveLocation.IsBlob(path))
        {
            // A blob is opened (and verified) once, by the session, with the URL as given (its SAS included).
            session.AddArchive(path, item => (Type is null || Type.Contains(item.Type)) && (patterns is null || patterns.Any(p => p.IsMatch(item.Name))));
            return;
        }

        using var reader = ArchiveReader.Open(path);
        var chosen = reader.Items.Where(item => (Type is null || Type.Contains(item.Type)) && (patterns is null || patterns.Any(p => p.IsMatch(item.Name)))).ToList();
        session.Expect(chosen.Count);
        foreach (var item in chosen)
        {
            session.Add(item);
        }
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        try
        {
            // As for Backup-KvObject: the records are the output, the summary (with -WhatIf, the plan's totals) goes
            // to the information stream after them and after the errors.
            WriteSummary(_session!.Complete());
        }
        catch (KvException e) when (e.Kind == KvErrorKind.Cancelled && StopToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (KvException e)
        {
            ThrowTerminatingError(KvErrorRecords.Create(e, null));
        }
    }

    /// <inheritdoc />
    protected internal override bool ShouldProcessForEngine(string target, string action) =>
        action.StartsWith("Purge", StringComparison.Ordinal)
            ? ConfirmDestructive(target, action, Force, ConfirmationRequiredId, ConfirmImpact.Medium)
            : ShouldProcess(target, action);

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _session?.Dispose();
            _session = null;
        }

        base.Dispose(disposing);
    }
}
