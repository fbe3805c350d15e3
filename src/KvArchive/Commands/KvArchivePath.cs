using System.Management.Automation;

namespace KvArchive.Commands;

/// <summary>Archive paths are relative to PowerShell's current location, not the process's directory.</summary>
internal static class KvArchivePath
{
    public static string Resolve(PSCmdlet cmdlet, string path) => cmdlet.GetUnresolvedProviderPathFromPSPath(path);
}
