namespace KvArchive.LocalVault.Persistence;

/// <summary>
/// Keeps a data directory to one LocalVault process: two writers of one journal would interleave their records. The
/// lock is the open file <c>localvault.lock</c> (FileShare.None, which .NET maps to an exclusive flock on Unix), so the
/// operating system releases it when the process dies, even by SIGKILL.
/// </summary>
public sealed class DataDirectoryLock : IDisposable
{
    private readonly FileStream _file;

    private DataDirectoryLock(FileStream file) => _file = file;

    public static DataDirectoryLock Acquire(string directory)
    {
        var path = Path.Combine(directory, "localvault.lock");
        try
        {
            return new DataDirectoryLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException e)
        {
            throw new IOException($"The data directory {directory} is in use by another LocalVault process ({e.Message}).", e);
        }
    }

    public void Dispose() => _file.Dispose();
}
