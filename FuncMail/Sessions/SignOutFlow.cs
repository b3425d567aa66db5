using FuncMail.Auth;
using FuncMail.Pages;
using FuncMail.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FuncMail.Sessions;

/// <summary>Sign-out (checklist B8): a POST carrying the session's anti-forgery token, from this origin; it deletes the row and the cookie.</summary>
public sealed class SignOutFlow(SessionCookies cookies, SessionStore store, IOptions<EntraOptions> entra, ILogger<SignOutFlow> logger)
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

        await store.DeleteAsync(session.Id, cancellationToken);
        SessionCookies.ExpireSession(context.Response);
        SessionLog.SignedOut(logger, SessionLog.Hash(session.Id));
        return Responses.SeeOther(Responses.HomePath);
    }

    // Browsers send Origin on every cross-site POST; when present it must be the app's own (the registered redirect URI's origin).
    private bool FromOwnOrigin(HttpRequest request)
    {
        var origin = request.Headers.Origin;
        return origin.Count == 0 || (origin.Count == 1 && string.Equals(origin[0], entra.Value.RedirectUri.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase));
    }
}
