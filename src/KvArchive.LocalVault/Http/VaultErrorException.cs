namespace KvArchive.LocalVault.Http;

/// <summary>A Key Vault–shaped error answer: thrown anywhere while handling a request, written by <see cref="ErrorWriter"/>.</summary>
public sealed class VaultErrorException(int status, string code, string message, string? innerCode = null) : Exception(message)
{
    public int Status { get; } = status;

    public string Code { get; } = code;

    public string? InnerCode { get; } = innerCode;

    /// <summary>Seconds for a Retry-After header, if any.</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>Whether to add the 401 challenge header.</summary>
    public bool Challenge { get; init; }
}
