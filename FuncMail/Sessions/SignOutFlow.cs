using FuncMail.Auth;
using FuncMail.Pages;
using FuncMail.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FuncMail.Sessions;

/// <summary>Sign-out (checklist B8): a POST carrying the session's anti-forgery token, from this origin; it deletes the row and the cookie.</summary>
public sealed class SignOutFlow(SessionCookies cookies, SessionStore store, SessionTokens tokens, IOptions<EntraOptions> entra, ILogger<SignOutFlow> logger)
{
    /// <summary>GET shows a confirmation form; the MAC check needs no I/O, so neither does this page.</summary>
    public IActionResult Confirm(HttpContext context) =>
        new PageResult(SignOutPage.Create(new SignOutModel(cookies.TryReadSession(context.Request, out var session) ? cookies.SignOutToken(session.Id) : null)));

    public async Task<IActionResult> SignOutAsync(HttpContext context, string? antiForgeryToken, CancellationToken cancellationToken)
    {
        if (!cookies.TryReadSession(context.Request, out var session))
        {
            SessionCookies.ExpireSession(context.Response);
            return Responses.SeeOther(Responses.HomePath);
        }

        if (!cookies.IsSignOutToken(session.Id, antiForgeryToken) || !FromOwnOrigin(context.Request))
        {
            SessionLog.SignOutForgeryRejected(logger);
            return Responses.BadRequest(context, "This sign-out request did not come from a FuncMail page. Use the Sign out button.");
        }

        // The hint for Microsoft's sign-out is read before the row goes (one point read; sign-out is rare).
        var hint = (await store.GetSealedAsync(session.Id, cancellationToken))?.LogoutHint;
        tokens.Forget(session.Id);
        await store.DeleteAsync(session.Id, cancellationToken);
        SessionCookies.ExpireSession(context.Response);
        SessionLog.SignedOut(logger, SessionLog.Hash(session.Id));

        // Then out of Microsoft's own session in this browser too, so that on a shared computer the next person's
        // "Sign in" asks who they are instead of letting them in on the previous user's tile (OpenID Connect
        // RP-initiated logout; Entra returns the browser to the registered post_logout_redirect_uri).
        return Responses.SeeOther(EndSessionUrl(hint));
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

    // The anti-forgery token is the defence; the origin headers are a second one. Under Referrer-Policy: no-referrer
    // Chromium sends "Origin: null" even for a same-origin form, so only a concrete foreign origin is refused.
    private bool FromOwnOrigin(HttpRequest request)
    {
        var site = request.Headers["Sec-Fetch-Site"];
        if (site.Count > 0 && site[0] is not ("same-origin" or "none"))
        {
            return false;
        }

        var origin = request.Headers.Origin;
        return origin.Count == 0
            || (origin.Count == 1 && (origin[0] == "null" || string.Equals(origin[0], entra.Value.RedirectUri.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase)));
    }
}
