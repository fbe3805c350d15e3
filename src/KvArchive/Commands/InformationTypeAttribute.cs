namespace KvArchive.Commands;

/// <summary>
/// The type of the object a cmdlet writes to the information stream at the end of its run (its summary), beside the
/// records it writes as output. PowerShell has no [OutputType] for that stream; this names it, so the type is
/// nameable in scripts (Loading/OutputTypeNames) and its views are tested like those of the output types.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
public sealed class InformationTypeAttribute : Attribute
{
    /// <param name="type">The type of the information record's MessageData.</param>
    public InformationTypeAttribute(Type type)
    {
        Type = type;
    }

    /// <summary>The type of the information record's MessageData.</summary>
    public Type Type { get; }

    /// <summary>The tag the records carry (besides PSHOST, which shows them in the console).</summary>
    public const string SummaryTag = "KvArchive.Summary";
}
