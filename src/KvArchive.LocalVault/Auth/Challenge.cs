namespace KvArchive.LocalVault.Auth;

/// <summary>The 401 challenge of every unauthenticated vault call, in the service's exact shape.</summary>
public static class Challenge
{
    /// <summary>The tenant named in the challenge (LocalVault has no real tenant).</summary>
    public const string TenantId = "72f988bf-0000-4c7a-9b2e-10ca1c0a17a0";

    /// <summary>The resource clients ask tokens for; vault hosts end with "." + its host.</summary>
    public const string Resource = "https://vault.localhost";

    public const string HeaderValue = "Bearer authorization=\"https://login.microsoftonline.com/" + TenantId + "\", resource=\"" + Resource + "\"";

    public const string MissingTokenMessage = "AKV10000: Request is missing a Bearer or PoP token.";

    public const string InvalidTokenMessage = "AKV10022: Invalid token: it is unknown, tampered with or expired.";
}
