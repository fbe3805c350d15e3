namespace KvArchive.Engine.Archive;

/// <summary>A part of an archive is larger than <see cref="ArchiveLimits"/> allows; the reader turns it into KvArchiveLimitExceeded.</summary>
internal sealed class ArchiveLimitException(string problem) : Exception(problem)
{
}
