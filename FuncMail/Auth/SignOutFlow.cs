using FuncMail.Sessions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FuncMail.Auth;

/// <summary>
/// Sign-out (checklist B8): ends the session here, then sends the browser out of Microsoft's own session too. The
/// edge first checks the anti-forgery token and the request's origin, and expires the cookie afterwards.
/// </summary>
public sealed class SignOutFlow(SessionStore store, SessionTokens tokens, IOptions<EntraOptions> entra, ILogger<SignOutFlow> logger)
{
    /// <summary>Deletes the session's row (and with it the tokens); returns where the browser goes next.</summary>
    public async Task<string> SignOutAsync(string sessionId, CancellationToken cancellationToken)
    {
        // The hint for Microsoft's sign-out is read before the row goes (one point read; sign-out is rare).
        var hint = (await store.GetSealedAsync(sessionId, cancellationToken))?.LogoutHint;
        tokens.Forget(sessionId);
        await store.DeleteAsync(sessionId, cancellationToken);
        SessionLog.SignedOut(logger, SessionLog.Hash(sessionId));

        // Out of Microsoft's own session in this browser too, so that on a shared computer the next person's "Sign in"
        // asks who they are instead of letting them in on the previous user's tile (OpenID Connect RP-initiated
        // logout; Entra returns the browser to the registered post_logout_redirect_uri).
        return EndSessionUrl(hint);
    }

    /// <summary>
    /// Entra's end-session endpoint for the configured authority, returning to FuncMail's home page. With a logout
    /// hint Microsoft signs that account out at once; without one it may ask which account, and a user who closes the
    /// tab there stays signed in at Microsoft (README: enable the login_hint optional claim).
    /// </summary>
    public string EndSessionUrl(string? logoutHint)
    {
        var settings = entra.Value;
        return $"{settings.Instance.AbsoluteUri.TrimEnd('/')}/{settings.TenantId}/oauth2/v2.0/logout?post_logout_redirect_uri={Uri.EscapeDataString(settings.PostLogoutRedirectUri.AbsoluteUri)}"
            + (logoutHint is null ? "" : "&logout_hint=" + Uri.EscapeDataString(logoutHint));
    }

    /// <summary>
    /// The second defence after the anti-forgery token: a sign-out must come from FuncMail's own origin. Under
    /// Referrer-Policy: no-referrer Chromium sends "Origin: null" even for a same-origin form, so only a concrete
    /// foreign origin (or a cross-site Sec-Fetch-Site) is refused.
    /// </summary>
    public bool IsOwnOrigin(string? secFetchSite, IReadOnlyList<string?> origins) =>
        (secFetchSite is null or "same-origin" or "none")
        && (origins.Count == 0 || (origins.Count == 1 && (origins[0] == "null" || string.Equals(origins[0], entra.Value.RedirectUri.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase))));
}
