using System.Text.Json;
using System.Text.RegularExpressions;
using KvArchive.TestSupport;

namespace KvArchive.Engine.Tests.Archive;

/// <summary>
/// Backup blobs the real Key Vault returned, from the Azure SDK recordings in shared/conformance/recordings: the
/// exact bytes az CLI, Az PowerShell and the portal write to a backup file.
/// </summary>
internal static partial class RecordedBackups
{
    private static string Recordings => Path.GetFullPath(Path.Combine(LocalVaultServer.RepoRoot(), "..", "shared", "conformance", "recordings", "azure-sdk-for-cpp"));

    public static byte[] Secret => Blob("KeyVaultSecretClientTest.BackupRestore.json");

    public static byte[] Key => Blob("KeyVaultKeyClient.BackupKey.json");

    public static byte[] Certificate => Blob("KeyVaultCertificateClientTest.BackupRestoreCertificate.json");

    /// <summary>The value of the recording's backup answer (POST …/backup), decoded from base64url.</summary>
    private static byte[] Blob(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Recordings, file)));
        foreach (var call in document.RootElement.GetProperty("networkCallRecords").EnumerateArray())
        {
            if (call.GetProperty("Method").GetString() == "POST" && BackupUrl().IsMatch(call.GetProperty("Url").GetString()!))
            {
                using var body = JsonDocument.Parse(call.GetProperty("Response").GetProperty("BODY").GetString()!);
                var value = body.RootElement.GetProperty("value").GetString()!.Replace('-', '+').Replace('_', '/');
                return Convert.FromBase64String(value + new string('=', (4 - (value.Length % 4)) % 4));
            }
        }

        throw new InvalidOperationException($"{file} records no backup answer.");
    }

    [GeneratedRegex("/(secrets|keys|certificates)/[^/]+/backup")]
    private static partial Regex BackupUrl();
}
