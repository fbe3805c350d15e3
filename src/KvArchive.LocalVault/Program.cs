using KvArchive.LocalVault.Hosting;

namespace KvArchive.LocalVault;

/// <summary>LocalVault's entry point: parse the command line, run until stopped.</summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        LocalVaultOptions options;
        try
        {
            options = LocalVaultOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            await Console.Error.WriteLineAsync(LocalVaultOptions.Usage);
            return 2;
        }

        if (options.ShowHelp)
        {
            Console.WriteLine(LocalVaultOptions.Usage);
            return 0;
        }

        return await LocalVaultHost.RunAsync(options);
    }
}
