using KvArchive.Module.Tests.Infrastructure;

namespace KvArchive.Module.Tests.Transfer;

/// <summary>Export-/Import-KvArchiveItem, Compare-KvArchive and Backup-KvObject -BaseArchive through the module.</summary>
[Collection(ModuleCollection.Name)]
public sealed class ArchiveFilesTests(ModuleFixture fixture) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("kvarchive-module-files-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Backup_files_go_out_and_back_in_and_an_incremental_run_copies_what_is_unchanged()
    {
        var source = await fixture.NewVaultAsync();
        await fixture.Server.SeedAsync(source.Host.Split('.')[0], new { secrets = 6, keys = 2, certificates = 1, versions = 1, prefix = "f" });
        await Task.Delay(3500);
        using var session = fixture.NewSession();
        var value = new System.Security.SecureString();
        value.AppendChar('x');
        session.Set("Source", source).Set("Value", value)
            .Set("Archive", Path.Combine(_directory, "base.kva")).Set("Files", Path.Combine(_directory, "files"))
            .Set("Imported", Path.Combine(_directory, "imported.kva")).Set("Next", Path.Combine(_directory, "next.kva"));
        session.Run("Backup-KvObject -VaultUri $Source -AccessToken $Token -Path $Archive | Out-Null").EnsureSuccess();

        var files = session.Run("Export-KvArchiveItem -Path $Archive -Destination $Files").EnsureSuccess();
        Assert.Equal(9, files.Output.Count);
        Assert.All(files.Output, f => Assert.IsType<FileInfo>(f.BaseObject));

        var imported = session.Run("Import-KvArchiveItem -Path \"$Files/*/*.blob\" -DestinationPath $Imported").EnsureSuccess();
        Assert.Equal(9, imported.Output.Count);
        Assert.Equal(1, imported.Output.Count(o => o.Properties["Type"].Value.ToString() == "Certificate"));
        Assert.True((bool)session.Run("(Test-KvArchive -Path $Imported).IsValid").EnsureSuccess().Output.Single().BaseObject);

        Assert.Empty(session.Run("Compare-KvArchive -Path $Archive -VaultUri $Source -AccessToken $Token").EnsureSuccess().Output);
        session.Run("Set-KvSecret -VaultUri $Source -AccessToken $Token -Name added -SecretValue $Value").EnsureSuccess();
        var diff = session.Run("Compare-KvArchive -Path $Archive -VaultUri $Source -AccessToken $Token").EnsureSuccess().Output.Single();
        Assert.Equal(("Added", "added"), (diff.Properties["State"].Value.ToString(), (string)diff.Properties["Name"].Value));

        await Task.Delay(3500);
        var next = session.Run("Backup-KvObject -VaultUri $Source -AccessToken $Token -Path $Next -BaseArchive $Archive").EnsureSuccess();
        var byStatus = next.Output.GroupBy(o => o.Properties["Status"].Value.ToString()!).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(9, byStatus["Copied"]);
        Assert.Equal(1, byStatus["Saved"]);
    }
}
