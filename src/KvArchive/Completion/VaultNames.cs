using System.Collections;
using KvArchive.Engine.Connection;
using KvArchive.Engine.Vault;

namespace KvArchive.Completion;

/// <summary>Lists a vault's names for completion with the credential the command line gives.</summary>
internal static class VaultNames
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(5);
    private const int MaxNames = 5000;

    public static string[] List(Uri vaultUri, string[] typeNames, bool removed, IDictionary parameters)
    {
        var types = typeNames.Select(t => Enum.TryParse<KvObjectType>(t, true, out var type) ? (KvObjectType?)type : null).OfType<KvObjectType>().Distinct().ToArray();
        if (types.Length == 0)
        {
            return [];
        }

        var options = OptionsOf(vaultUri, parameters);
        var key = $"{vaultUri.GetLeftPart(UriPartial.Authority)}|{string.Join(',', types.Order())}|{removed}|{options.CredentialKind}";
        return NameCache.GetOrList(key, () => Fetch(options, types, removed));
    }

    private static string[]? Fetch(VaultConnectionOptions options, KvObjectType[] types, bool removed)
    {
        try
        {
            using var timeout = new CancellationTokenSource(Budget);
            return Task.Run(async () =>
            {
                var client = VaultClientFactory.Create(options);
                try
                {
                    var names = new List<string>();
                    var query = new KvObjectQuery { Types = types, InRemovedState = removed };
                    await foreach (var item in client.QueryAsync(query, timeout.Token).ConfigureAwait(false))
                    {
                        names.Add(item.Name);
                        if (names.Count >= MaxNames)
                        {
                            break;
                        }
                    }

                    return names.ToArray();
                }
                finally
                {
                    (client as IDisposable)?.Dispose();
                }
            }).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is KvException or OperationCanceledException)
        {
            // Completion offers nothing rather than an error in the middle of a command line.
            return null;
        }
    }

    private static VaultConnectionOptions OptionsOf(Uri vaultUri, IDictionary parameters)
    {
        var token = KvNameCompleter.SecureOf(parameters, "AccessToken");
        var credential = KvNameCompleter.Unwrap(parameters["Credential"]) as System.Management.Automation.PSCredential;
        var managedId = KvNameCompleter.Unwrap(parameters["ManagedIdentityClientId"]) as string;
        var kindName = KvNameCompleter.Unwrap(parameters["CredentialKind"])?.ToString();
        var kind = token is not null ? KvCredentialKind.AccessToken
            : credential is not null ? KvCredentialKind.ServicePrincipal
            : managedId is not null ? KvCredentialKind.ManagedIdentity
            : Enum.TryParse<KvCredentialKind>(kindName, true, out var named) ? named
            : KvCredentialKind.Default;
        return new VaultConnectionOptions
        {
            VaultUri = vaultUri,
            CredentialKind = kind,
            AccessToken = token,
            ClientId = credential?.UserName,
            ClientSecret = credential?.Password,
            TenantId = KvNameCompleter.Unwrap(parameters["TenantId"]) as string,
            ManagedIdentityClientId = managedId,
            MaxRetries = 0,
            NetworkTimeout = Budget,
        };
    }
}
