using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace FuncMail.Sessions;

/// <summary>Reads and writes FuncMail's two cookies with the attributes of checklist B4 and B5.</summary>
public sealed class SessionCookies(CookieSigner signer, IOptions<SessionOptions> options)
{
    /// <summary>The session cookie: <c>__Host-</c> pins it to this host, path / and Secure.</summary>
    public const string SessionName = "__Host-FuncMail";

    /// <summary>The pre-auth cookie that binds a sign-in transaction to the browser that started it.</summary>
    public const string SignInName = "__Host-FuncMail-SignIn";

    public static readonly TimeSpan SignInLifetime = TimeSpan.FromMinutes(15);

    /// <summary>A session cookie that appears once and verifies; a duplicated one never does (checklist G2).</summary>
    public bool TryReadSession(HttpRequest request, out SignedId session) =>
        signer.TryVerify(CookiePurpose.Session, CookieHeader.Find(request.Headers.Cookie, SessionName).Value, out session);

    public bool TryReadSignIn(HttpRequest request, out SignedId transaction) =>
        signer.TryVerify(CookiePurpose.SignIn, CookieHeader.Find(request.Headers.Cookie, SignInName).Value, out transaction);

    public bool IsActiveKey(SignedId cookie) => signer.IsActiveKey(cookie);

    public string SignOutToken(string sessionId) => signer.Derive("sign-out", sessionId);

    public bool IsSignOutToken(string sessionId, string? given) => signer.VerifyDerived("sign-out", sessionId, given);

    /// <summary>How the request carries the session cookie: once (valid or not), not at all, or ambiguously.</summary>
    public static CookieLookup FindSession(HttpRequest request) => CookieHeader.Find(request.Headers.Cookie, SessionName);

    public void WriteSession(HttpResponse response, string sessionId) =>
        response.Cookies.Append(SessionName, signer.Sign(CookiePurpose.Session, sessionId), Attributes(options.Value.AbsoluteTimeout));

    public void WriteSignIn(HttpResponse response, string transactionId) =>
        response.Cookies.Append(SignInName, signer.Sign(CookiePurpose.SignIn, transactionId), Attributes(SignInLifetime));

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
