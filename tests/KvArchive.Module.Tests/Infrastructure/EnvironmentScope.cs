namespace KvArchive.Module.Tests.Infrastructure;

/// <summary>Sets environment variables for a scope and restores the previous values.</summary>
public sealed class EnvironmentScope : IDisposable
{
    private readonly List<(string Name, string? Old)> _saved = [];

    public EnvironmentScope(params (string Name, string? Value)[] variables)
    {
        foreach (var (name, value) in variables)
        {
            _saved.Add((name, Environment.GetEnvironmentVariable(name)));
            Environment.SetEnvironmentVariable(name, value);
        }
    }

    public void Dispose()
    {
        foreach (var (name, old) in _saved)
        {
            Environment.SetEnvironmentVariable(name, old);
        }
    }
}
