namespace KvArchive.LocalVault.Hosting;

/// <summary>Calls back when standard input reaches its end (the parent process closed it or died).</summary>
public static class StdinWatcher
{
    public static void Start(Action onClosed)
    {
        var thread = new Thread(() =>
        {
            try
            {
                using var stdin = Console.OpenStandardInput();
                var buffer = new byte[256];
                while (stdin.Read(buffer, 0, buffer.Length) > 0)
                {
                }
            }
            catch (IOException)
            {
            }

            onClosed();
        })
        {
            IsBackground = true,
            Name = "LocalVault stdin watcher",
        };
        thread.Start();
    }
}
