namespace KvArchive.Engine.Hosting;

/// <summary>Progress of a long operation, rendered by the host (Write-Progress in PowerShell).</summary>
/// <param name="Activity">What is being done, e.g. "Backing up vault prod".</param>
/// <param name="Status">Counts and rate, e.g. "120 of 400 objects, 95/s".</param>
/// <param name="PercentComplete">0-100, or -1 when unknown.</param>
/// <param name="SecondsRemaining">Estimated seconds left, or -1 when unknown.</param>
/// <param name="Completed">True once, when the activity ends.</param>
public sealed record KvProgress(string Activity, string Status, int PercentComplete, int SecondsRemaining, bool Completed = false);
