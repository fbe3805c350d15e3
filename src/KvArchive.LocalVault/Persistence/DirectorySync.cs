using System.Runtime.InteropServices;

namespace KvArchive.LocalVault.Persistence;

/// <summary>
/// Makes a directory's entries durable (a file created or renamed in it) with fsync on the directory, which .NET has
/// no API for. Without it a rename survives a killed process but not necessarily a power cut. No-op on Windows, where
/// NTFS journals metadata.
/// </summary>
public static class DirectorySync
{
    public static void Flush(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var fd = Open(directory, 0);
        if (fd < 0)
        {
            return;
        }

        try
        {
            _ = FSync(fd);
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int FSync(int fd);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
}
