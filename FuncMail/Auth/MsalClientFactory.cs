using Microsoft.Extensions.Options;
using Microsoft.Identity.Client;

namespace FuncMail.Auth;

/// <summary>
/// Builds a ConfidentialClientApplication bound to one session's token cache. A build is cheap: the expensive
/// part, authority metadata (instance discovery), is cached by MSAL per process, and HTTP comes from the pooled
/// factory. One client per request means one user per in-memory cache, with no cross-request sharing to lock.
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

    public IConfidentialClientApplication Create(TokenCacheSlot slot)
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

        // MSAL calls BeforeAccess on every cache access (GetAccountAsync, then AcquireTokenSilent): the slot's bytes
        // are deserialized only when they are not what this client's in-memory cache already holds, which after the
        // first access they are, unless another request's refresh was adopted into the slot (Adopt replaces them).
        byte[]? loaded = null;
        var isLoaded = false;
        app.UserTokenCache.SetBeforeAccess(args =>
        {
            if (isLoaded && ReferenceEquals(loaded, slot.Data))
            {
                return;
            }

            try
            {
                args.TokenCache.DeserializeMsalV3(slot.Data, shouldClearExistingCache: true);
            }
            catch (MsalException)
            {
                // A cache MSAL cannot read (another MSAL's format, or damage) fails closed: an empty cache, so the
                // session ends and the user signs in again, never a 500 (checklist H4; as Identity.Web's cache providers do).
                args.TokenCache.DeserializeMsalV3(null, shouldClearExistingCache: true);
                slot.Unreadable = true;
            }

            (loaded, isLoaded) = (slot.Data, true);
        });
        app.UserTokenCache.SetAfterAccess(args =>
        {
            if (args.HasStateChanged)
            {
                slot.Store(args.HasTokens ? args.TokenCache.SerializeMsalV3() : null, args.SuggestedCacheKey);

                // The in-memory cache is what was just serialized.
                loaded = slot.Data;
            }
        });
        return app;
    }
}
