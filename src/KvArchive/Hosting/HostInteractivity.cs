using System.Management.Automation.Host;

namespace KvArchive.Hosting;

/// <summary>
/// Decides whether the host can answer a prompt. Runbooks (Azure Automation's "Default Host"), runspaces
/// without a UI and <c>pwsh -NonInteractive</c> cannot: a confirmation there fails with an error that names
/// <c>-Force</c> instead of hanging or throwing the host's own message.
/// </summary>
internal static class HostInteractivity
{
    public static bool CanPrompt(PSHost? host)
    {
        if (host?.UI is null || string.Equals(host.Name, "Default Host", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (!Environment.UserInteractive)
        {
            return false;
        }

        foreach (var argument in Environment.GetCommandLineArgs())
        {
            var a = argument.TrimStart('-', '/');
            if (a.Length >= 4 && a.Length < argument.Length
                && "noninteractive".StartsWith(a, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        return true;
    }
}
