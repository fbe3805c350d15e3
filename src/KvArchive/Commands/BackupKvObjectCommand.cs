using System.Management.Automation;
using KvArchive.Completion;
using KvArchive.Engine.Transfer;
using KvArchive.Engine.Storage;
using KvArchive.Engine.Vault;
using KvArchive.Hosting;

namespace KvArchive.Commands;

/// <summary>
/// <para type="synopsis">Backs up secrets, keys and certificates (every version) into one verifiable archive.</para>
/// </summary>
[Cmdlet(VerbsData.Backup, "KvObject", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = PathSet)]
[OutputType(typeof(BackupRecord))]
[InformationType(typeof(BackupSummary))]
public sealed class BackupKvObjectCommand : KvVaultCommandBase
{
    /// <summary>The archive by path (a wildcard must match exactly one existing file).</summary>
    public const string PathSet = "Path";
    /// <summary>The archive by its exact path.</summary>
    public const string LiteralPathSet = "LiteralPath";

    private BackupSession? _session;

    /// <summary>The archive file to write.</summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = PathSet)]
    [Alias("OutputFile")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>The archive file to write, taken exactly as typed (no wildcards).</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
    [Alias("LP")]
    [ValidateNotNullOrEmpty]
    public string LiteralPath { get; set; } = string.Empty;

    /// <summary>Objects to back up; wildcards are supported. With no name and no pipeline input, the whole vault.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(KvNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>
    /// An object from Get-KvObject (bound from the pipeline beside its Name, Type and VaultUri): its listing item is
    /// the object's record in the manifest, so its backup is its only request.
    /// </summary>
    [Parameter(ValueFromPipeline = true)]
    public KvObject? InputObject { get; set; }

    /// <summary>Kinds of objects; all three when omitted.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public KvObjectType[]? Type { get; set; }

    /// <summary>Objects backed up at the same time (1-64).</summary>
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

    /// <summary>Lists each object's versions into the manifest (one more request per object).</summary>
    [Parameter]
    public SwitchParameter RecordVersions { get; set; }

    /// <summary>An earlier archive to build on: unchanged objects are copied from it instead of backed up (an incremental backup).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? BaseArchive { get; set; }

    /// <summary>With -BaseArchive: the oldest a copied entry may be before its object is backed up again (default 7 days).</summary>
    [Parameter]
    public TimeSpan MaxCopiedAge { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Continues an interrupted backup of the same path: what it saved is kept unless it changed since.</summary>
    [Parameter]
    public SwitchParameter Resume { get; set; }

    /// <summary>Replaces an existing archive at the path.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Writes the archive even when no object was saved (by default such a backup writes nothing and fails with KvArchiveEmpty).</summary>
    [Parameter]
    public SwitchParameter AllowEmpty { get; set; }

    /// <inheritdoc />
    protected internal override int ProgressActivityId => 0x4B57;

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        // The rate limiter hears every answer of the command's clients from their first request.
        var limiter = new AdaptiveRateLimiter(AdaptiveRateOptions.ForKeyVault(MaxBudgetShare, MaxRequestRate > 0 ? MaxRequestRate : null));
        var literal = ParameterSetName == LiteralPathSet;
        string path = literal ? LiteralPath : Path;
        try
        {
            path = KvArchivePath.ResolveForWrite(this, path, literal);
        }
        catch (KvException e)
        {
            ThrowTerminatingError(KvErrorRecords.Create(e, ArchiveLocation.Display(path)));
        }

        string? basePath = null;
        try
        {
            basePath = BaseArchive is null ? null : KvArchivePath.ResolveForWrite(this, BaseArchive, literal: true);
        }
        catch (KvException e)
        {
            ThrowTerminatingError(KvErrorRecords.Create(e, ArchiveLocation.Display(BaseArchive!)));
        }

        var options = new BackupOptions
        {
            Path = path,
            Force = Force,
            BaseArchivePath = basePath,
            MaxCopiedAge = MaxCopiedAge,
            Resume = Resume,
            AllowEmpty = AllowEmpty,
            ThrottleLimit = ThrottleLimit,
            RateLimiter = limiter,
            RecordVersions = RecordVersions,
            Storage = ArchiveLocation.IsBlob(path) || ArchiveLocation.IsBlob(basePath) ? BuildStorageOptions() : null,
        };
        if (MaxCopiedAge < TimeSpan.Zero)
        {
            ThrowTerminatingError(KvErrorRecords.Create(KvErrorIds.InvalidArgument, ErrorCategory.InvalidArgument,
                "-MaxCopiedAge cannot be negative; 0 copies nothing (a full backup that still records deleted objects).", MaxCopiedAge));
        }

        try
        {
            _session = BackupSession.Start(HostContext, options, OpenClients(limiter));
        }
        catch (KvException e)
        {
            ThrowTerminatingError(KvErrorRecords.Create(e, options.Path));
        }
    }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        // With -WhatIf the session writes nothing and reports each object it is given as a verbose message.
        var session = _session!;
        var vault = ResolveVaultUri();
        var types = (Type is { Length: > 0 } ? Type : [KvObjectType.Certificate, KvObjectType.Key, KvObjectType.Secret]).Distinct().ToArray();
        try
        {
            if (MyInvocation.ExpectingInput && Name is { Length: > 0 } piped && !piped.Any(WildcardPattern.ContainsWildcardCharacters) && types.Length == 1)
            {
                // One object per pipeline record (Get-KvObject | Backup-KvObject): no extra lookup.
                foreach (var name in piped)
                {
                    if (InputObject is { } listed && listed.Type == types[0] && string.Equals(listed.Name, name, StringComparison.OrdinalIgnoreCase) && (vault is null || Uri.Compare(listed.VaultUri, vault, UriComponents.SchemeAndServer, UriFormat.SafeUnescaped, StringComparison.OrdinalIgnoreCase) == 0))
                    {
                        session.Add(listed);
                    }
                    else
                    {
                        session.Add(new BackupRequest { Type = types[0], Name = name, VaultUri = vault });
                    }
                }

                return;
            }

            // The session lists: the whole vault (no name), or what each name or pattern matches.
            foreach (var name in Name is { Length: > 0 } ? Name : new string?[] { null })
            {
                session.Add(new KvObjectQuery { Types = types, Name = name }, vault);
            }
        }
        catch (KvException e) when (e.Kind == KvErrorKind.Cancelled && StopToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (KvException e)
        {
            ThrowTerminatingError(KvErrorRecords.Create(e, vault));
        }
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        var session = _session!;
        try
        {
            // The records are the output; the summary goes to the information stream (shown in the console, kept by
            // -InformationVariable), so pipelines and counts of the records stay as they are.
            WriteSummary(session.Complete());
        }
        catch (KvException e) when (e.Kind == KvErrorKind.Cancelled && StopToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (KvException e)
        {
            ThrowTerminatingError(KvErrorRecords.Create(e, session.Path));
        }
    }

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
