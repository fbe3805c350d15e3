using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Hosting;

/// <summary>A per-object failure reported through <see cref="IHostContext.WriteError"/>.</summary>
/// <param name="Exception">What went wrong; its message names the object and the next step.</param>
/// <param name="Target">The item that failed (the object, the archive entry, the name), never the command.</param>
public sealed record KvError(KvException Exception, object? Target);
