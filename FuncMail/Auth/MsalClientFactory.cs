using Microsoft.Extensions.Options;
using Microsoft.Identity.Client;

namespace FuncMail.Auth;

/// <summary>
/// Builds a ConfidentialClientApplication bound to one session's token cache (<see cref="MsalClient"/>). Authority
/// metadata (instance discovery) is cached by MSAL per process, and HTTP comes from the pooled factory. A client
/// serves one request at a time and holds one user's cache; a warm request of the same session takes over the one
/// the request before it left (SessionTokens), so it neither builds a client nor loads the cache again.
/// </summary>
public sealed class MsalClientFactory(IOptions<EntraOptions> options, IMsalHttpClientFactory httpClientFactory, ManagedIdentityAssertion managedIdentity, MsalLogger msalLogger)
{
    /// <summary>
    /// Delegated scopes beyond the OpenID ones MSAL adds itself (openid, profile, offline_access), checklist A10:
    /// Mail.Read for messages with their preview and MailboxSettings.Read for the time zone. No User.Read: the name
    /// and username come from the ID token (the profile scope), and FuncMail never calls /me itself.
    /// </summary>
    public static readonly string[] Scopes = ["Mail.Read", "MailboxSettings.Read"];

    /// <summary>"cp1": FuncMail handles claims challenges, so Entra may issue it long-lived tokens that Graph can revoke at once.</summary>
    public static readonly string[] ClientCapabilities = ["cp1"];

    private int _built;

    /// <summary>Clients built in this process (a counted test holds that a warm request builds none).</summary>
    internal int Built => _built;

    /// <summary>A client bound to <paramref name="slot"/>, which a later request of the same session may take over.</summary>
    public MsalClient Create(TokenCacheSlot slot)
    {
        var entra = options.Value;
        var builder = ConfidentialClientApplicationBuilder.Create(entra.ClientId);
        builder = entra.UsesManagedIdentity
            ? builder.WithClientAssertion(managedIdentity.GetAsync)
            : builder.WithClientSecret(entra.ClientSecret);
        var app = builder
            .WithAuthority(new Uri(entra.Instance, entra.TenantId + "/"))
            .WithRedirectUri(entra.RedirectUri.AbsoluteUri)
            .WithHttpClientFactory(httpClientFactory)
            .WithLegacyCacheCompatibility(false)
            .WithLogging(msalLogger, enablePiiLogging: false)

            // Continuous access evaluation: Graph may revoke a token early and answer 401 with a claims challenge (H5).
            .WithClientCapabilities(ClientCapabilities)
            .Build();

        var client = new MsalClient(app, slot);
        app.UserTokenCache.SetBeforeAccess(client.BeforeAccess);
        app.UserTokenCache.SetAfterAccess(client.AfterAccess);
        Interlocked.Increment(ref _built);
        return client;
    }
}
