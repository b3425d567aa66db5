using Microsoft.AspNetCore.Http;
using FuncMail.Auth;
using FuncMail.Sessions;
using Microsoft.Extensions.Logging;

namespace FuncMail.Web;

/// <summary>
/// Reads and writes FuncMail's two cookies with the attributes of checklist B4 and B5. The HTTP edge's side of
/// sessions: the services below get a verified <see cref="SignedId"/> and say what became of the session.
/// </summary>
public sealed class SessionCookies(CookieSigner signer, SessionLifetime lifetime, ILogger<SessionCookies> logger)
{
    /// <summary>The session cookie: <c>__Host-</c> pins it to this host, path / and Secure.</summary>
    public const string SessionName = "__Host-FuncMail";

    /// <summary>The pre-auth cookie that binds a sign-in transaction to the browser that started it.</summary>
    public const string SignInName = "__Host-FuncMail-SignIn";

    /// <summary>A session cookie that appears once and verifies. One that appears twice throws <see cref="AmbiguousCookieException"/> (checklist G2).</summary>
    public bool TryReadSession(HttpRequest request, out SignedId session) =>
        signer.TryVerify(CookiePurpose.Session, Single(request, SessionName).Value, out session);

    /// <summary>
    /// The verified session cookie, or null. A single cookie that fails its MAC is logged and expired (tampering, or a
    /// key no longer configured); one smuggled outside a name=value pair is logged and left alone.
    /// </summary>
    public SignedId? ReadSession(HttpContext context)
    {
        var request = context.Request;
        if (TryReadSession(request, out var cookie))
        {
            return cookie;
        }

        var found = FindSession(request);
        if (found.Count == 1)
        {
            SessionLog.CookieRejected(logger);
            ExpireSession(context.Response);
        }
        else if (CookieHeader.MentionsOutsideAPair(request.Headers.Cookie, SessionName, found))
        {
            SessionLog.CookieOutsideAPair(logger);
        }

        return null;
    }

    /// <summary>After a request that kept the session: a cookie signed with a retired key is re-issued under the active one (B3).</summary>
    public void Keep(HttpResponse response, ActiveSession active)
    {
        if (!signer.IsActiveKey(active.Cookie))
        {
            WriteSession(response, active.Session.Id);
        }
    }

    /// <summary>What a service said became of the request's session, applied to the cookie; anything else leaves it as it is.</summary>
    /// <param name="kept">The live session the request kept and saved: its cookie is re-issued if a retired key signed it.</param>
    /// <param name="ended">The cookie names no live session any more: it goes.</param>
    public void Apply(HttpResponse response, ActiveSession? kept, bool ended)
    {
        if (kept is not null)
        {
            Keep(response, kept);
        }
        else if (ended)
        {
            ExpireSession(response);
        }
    }

    /// <summary>The pre-auth cookie: which browser partition its sign-ins live in, the slot the next one takes, and when it was issued.</summary>
    public bool TryReadSignIn(HttpRequest request, out PreAuth preAuth)
    {
        preAuth = default;
        if (!signer.TryVerify(CookiePurpose.SignIn, Single(request, SignInName).Value, out var signed)
            || signed.Id is not { Length: PreAuth.BrowserIdLength + 1 } id || id[^1] is < '0' or > '9')
        {
            return false;
        }

        preAuth = new PreAuth(id[..^1], id[^1] - '0', signed.IssuedAt);
        return true;
    }

    /// <summary>How the request carries the session cookie: once (valid or not), or not at all.</summary>
    public static CookieLookup FindSession(HttpRequest request) => Single(request, SessionName);

    /// <summary>
    /// One of FuncMail's cookies as the request carries it. Twice, or in a header too large to read, is refused: one
    /// may be planted, so nothing is used, expired or overwritten, and the user is asked to clear the site's cookies
    /// rather than sent round a sign-in that would meet the same cookies again.
    /// </summary>
    private static CookieLookup Single(HttpRequest request, string name)
    {
        var found = CookieHeader.Find(request.Headers.Cookie, name);
        return found.IsAmbiguous ? throw new AmbiguousCookieException(name, found.Count) : found;
    }

    public void WriteSession(HttpResponse response, string sessionId) =>
        response.Cookies.Append(SessionName, signer.Sign(CookiePurpose.Session, sessionId), Attributes(lifetime.CookieLifetime));

    public void WriteSignIn(HttpResponse response, string browserId, int nextSlot) =>
        response.Cookies.Append(SignInName, signer.Sign(CookiePurpose.SignIn, browserId + (char)('0' + nextSlot)), Attributes(PreAuth.Lifetime));

    public static void ExpireSession(HttpResponse response) => response.Cookies.Delete(SessionName, Attributes(null));

    public static void ExpireSignIn(HttpResponse response) => response.Cookies.Delete(SignInName, Attributes(null));

    private static CookieOptions Attributes(TimeSpan? maxAge) => new()
    {
        Secure = true,
        HttpOnly = true,
        SameSite = SameSiteMode.Lax,
        Path = "/",
        MaxAge = maxAge,
        IsEssential = true,
    };
}

/// <summary>A request carried one of FuncMail's cookies more than once (or in an unreadable header); see <see cref="SessionCookies"/>.</summary>
public sealed class AmbiguousCookieException(string name, int count) : Exception($"The request carried the cookie {name} {count} times.")
{
    public string CookieName { get; } = name;

    public int Count { get; } = count;
}
