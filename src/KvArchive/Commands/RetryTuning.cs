using System.Globalization;

namespace KvArchive.Commands;

/// <summary>
/// Optional environment overrides of the vault clients' retry policy, for rehearsals against LocalVault and for
/// runbooks with a tight time budget: KVARCHIVE_MAX_RETRIES (0-20) and KVARCHIVE_RETRY_DELAY_MS (first delay,
/// 10-60000). Invalid values are ignored.
/// </summary>
internal static class RetryTuning
{
    public const string MaxRetriesVariable = "KVARCHIVE_MAX_RETRIES";
    public const string RetryDelayVariable = "KVARCHIVE_RETRY_DELAY_MS";

    public static int? Integer(string variable) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value is >= 0 and <= 20
            ? value
            : null;

    public static TimeSpan? Milliseconds(string variable) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value is >= 10 and <= 60000
            ? TimeSpan.FromMilliseconds(value)
            : null;
}
