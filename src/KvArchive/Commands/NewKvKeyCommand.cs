using System.Collections;
using System.Management.Automation;
using KvArchive.Engine.Vault;
using KvArchive.Hosting;

namespace KvArchive.Commands;

/// <summary>
/// <para type="synopsis">Creates a software-protected RSA or EC key (a new version when the name exists).</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "KvKey", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(KvObject))]
public sealed class NewKvKeyCommand : KvVaultCommandBase
{
    /// <summary>The key's name.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = string.Empty;

    /// <summary>RSA or EC.</summary>
    [Parameter]
    [ValidateSet("RSA", "EC")]
    public string KeyType { get; set; } = "RSA";

    /// <summary>RSA key size: 2048, 3072 or 4096.</summary>
    [Parameter]
    [ValidateSet("2048", "3072", "4096")]
    public int? Size { get; set; }

    /// <summary>EC curve: P-256, P-384 or P-521.</summary>
    [Parameter]
    [Alias("CurveName")]
    [ValidateSet("P-256", "P-384", "P-521")]
    public string? Curve { get; set; }

    /// <summary>Allowed operations (encrypt, decrypt, sign, verify, wrapKey, unwrapKey); the service's default when omitted.</summary>
    [Parameter]
    [Alias("KeyOps")]
    [ValidateSet("encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey")]
    public string[]? KeyOperation { get; set; }

    /// <summary>Tags of the key.</summary>
    [Parameter]
    public Hashtable? Tag { get; set; }

    /// <summary>Creates the key disabled.</summary>
    [Parameter]
    [Alias("Disable")]
    public SwitchParameter Disabled { get; set; }

    /// <summary>Not valid after this time.</summary>
    [Parameter]
    [Alias("Expires")]
    public DateTime? ExpiresOn { get; set; }

    /// <summary>Not valid before this time.</summary>
    [Parameter]
    public DateTime? NotBefore { get; set; }

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        var problem = (KeyType, Size, Curve) switch
        {
            ("RSA", _, not null) => "-Curve applies to EC keys only; use -Size for RSA.",
            ("EC", not null, _) => "-Size applies to RSA keys only; use -Curve for EC.",
            _ => null,
        };
        if (problem is not null)
        {
            ThrowTerminatingError(KvErrorRecords.Create(KvErrorIds.InvalidArgument, ErrorCategory.InvalidArgument, problem, null));
        }
    }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var client = GetClient();
        if (!ShouldProcess($"key '{Name}' in vault {client.VaultName}", $"Create {KeyType} key"))
        {
            return;
        }

        var options = new KvKeyCreateOptions
        {
            KeyType = KeyType,
            KeySize = KeyType == "RSA" ? Size ?? 2048 : null,
            CurveName = KeyType == "EC" ? Curve ?? "P-256" : null,
            KeyOperations = KeyOperation,
            Enabled = !Disabled,
            ExpiresOn = ParameterConversion.ToOffset(ExpiresOn),
            NotBefore = ParameterConversion.ToOffset(NotBefore),
            Tags = ParameterConversion.ToTags(Tag),
        };
        try
        {
            // A name that was just purged stays busy for writes for a moment (409 ObjectIsBeingDeleted): wait it out.
            WriteObject(Await(VaultOperations.RetryWhileNameBusyAsync(ct => client.CreateKeyAsync(Name, options, ct), null, StopToken)));
        }
        catch (KvException e)
        {
            WriteKvError(e, Name);
        }
    }
}
