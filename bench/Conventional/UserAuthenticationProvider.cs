using Microsoft.Identity.Abstractions;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;

namespace Conventional;

/// <summary>
/// What Microsoft.Identity.Web.GraphServiceClient's GraphAuthenticationProvider does for a signed-in user: an
/// Authorization header from Identity.Web (MSAL's token cache, refreshed when due) on every Graph request.
/// </summary>
internal sealed class UserAuthenticationProvider(IAuthorizationHeaderProvider headers, string[] scopes) : IAuthenticationProvider
{
    public async Task AuthenticateRequestAsync(RequestInformation request, Dictionary<string, object>? additionalAuthenticationContext = null, CancellationToken cancellationToken = default)
    {
        request.Headers.Remove("Authorization");
        request.Headers.Add("Authorization", await headers.CreateAuthorizationHeaderForUserAsync(scopes, cancellationToken: cancellationToken));
    }
}
