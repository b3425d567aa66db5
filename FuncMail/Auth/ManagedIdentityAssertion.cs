using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Client;
using Microsoft.Identity.Client.AppConfig;

namespace FuncMail.Auth;

/// <summary>
/// The client assertion that proves FuncMail is its app registration when no client secret exists: a token for
/// Entra's token-exchange audience, issued to the app's user-assigned managed identity, which the app registration
/// trusts as a federated identity credential (docs/deploy.md, "No client secret").
/// </summary>
/// <remarks>
/// MSAL calls the assertion callback before every request to the token endpoint (a code redemption, a refresh) and
/// leaves the assertion's lifetime to the caller. The callback asks MSAL's managed-identity client, which keeps the
/// token in its process-wide in-memory cache and renews it ahead of expiry: the platform's identity endpoint is
/// called once per token lifetime (24 hours) per instance, never per request (counted by WorkerManagedIdentityTests).
/// The client is built on first use, so none of it loads at start-up or on requests that need no token.
/// </remarks>
public sealed class ManagedIdentityAssertion
{
    private readonly Lazy<IManagedIdentityApplication> _identity;
    private readonly string _audience;
    private readonly ILogger<ManagedIdentityAssertion> _logger;

    /// <summary>
    /// The HttpClient for the platform's identity endpoint: a short timeout of its own, because MSAL retries a failed
    /// call three times and a sign-in waits for all of them (MSAL's token client allows 15 s per call).
    /// </summary>
    public const string HttpClientName = "MSAL-ManagedIdentity";

    public ManagedIdentityAssertion(IOptions<EntraOptions> options, IHttpClientFactory httpClientFactory, MsalLogger msalLogger, ILogger<ManagedIdentityAssertion> logger)
    {
        var entra = options.Value;
        _audience = TokenExchangeAudience(entra.Instance);
        _logger = logger;

        // PublicationOnly: a build that failed is tried again by the next request rather than cached for the process.
        _identity = new(
            () => ManagedIdentityApplicationBuilder.Create(ManagedIdentityId.WithUserAssignedClientId(entra.ManagedIdentityClientId))
                .WithHttpClientFactory(new NamedClient(httpClientFactory))
                .WithLogging(msalLogger, enablePiiLogging: false)
                .Build(),
            LazyThreadSafetyMode.PublicationOnly);
    }

    /// <summary>MSAL's assertion callback: called only when MSAL is about to post to the token endpoint.</summary>
    public async Task<string> GetAsync(AssertionRequestOptions request)
    {
        try
        {
            var result = await _identity.Value.AcquireTokenForManagedIdentity(_audience).ExecuteAsync(request.CancellationToken).ConfigureAwait(false);
            return result.AccessToken;
        }
        catch (MsalServiceException e) when (!request.CancellationToken.IsCancellationRequested)
        {
            AuthLog.ManagedIdentityFailed(_logger, e.ErrorCode, e.StatusCode);
            throw;
        }
        catch (MsalException e) when (!request.CancellationToken.IsCancellationRequested)
        {
            // MSAL passes the callback's exceptions through unchanged. A client-side failure (no identity endpoint in this
            // environment, an unusable answer) is a service outage to the user, as every other token failure is.
            AuthLog.ManagedIdentityFailed(_logger, e.ErrorCode, 0);
            throw new MsalServiceException(e.ErrorCode, "The managed identity could not get the client assertion.", e);
        }
    }

    /// <summary>
    /// The audience a federated identity credential for a managed identity names, per cloud (Entra's "Configure an
    /// application to trust a managed identity"); the sign-in host tells the cloud.
    /// </summary>
    internal static string TokenExchangeAudience(Uri instance) => instance.Host.ToLowerInvariant() switch
    {
        "login.microsoftonline.us" => "api://AzureADTokenExchangeUSGov",
        "login.chinacloudapi.cn" or "login.partner.microsoftonline.cn" => "api://AzureADTokenExchangeChina",
        _ => "api://AzureADTokenExchange",
    };

    private sealed class NamedClient(IHttpClientFactory factory) : IMsalHttpClientFactory
    {
        public HttpClient GetHttpClient() => factory.CreateClient(HttpClientName);
    }
}
