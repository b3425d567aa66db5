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

    /// <summary>A session cookie that appears once and verifies. One that appears twice throws <see cref="AmbiguousCookieException"/> (checklist G2).</summary>
    public bool TryReadSession(HttpRequest request, out SignedId session) =>
        signer.TryVerify(CookiePurpose.Session, Single(request, SessionName).Value, out session);

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

    public bool IsActiveKey(SignedId cookie) => signer.IsActiveKey(cookie);

    public string SignOutToken(string sessionId) => signer.Derive("sign-out", sessionId);

    public bool IsSignOutToken(string sessionId, string? given) => signer.VerifyDerived("sign-out", sessionId, given);

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
        response.Cookies.Append(SessionName, signer.Sign(CookiePurpose.Session, sessionId), Attributes(options.Value.AbsoluteTimeout));

    public void WriteSignIn(HttpResponse response, string browserId, int nextSlot) =>
        response.Cookies.Append(SignInName, signer.Sign(CookiePurpose.SignIn, browserId + (char)('0' + nextSlot)), Attributes(SignInLifetime));

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

/// <summary>What a verified pre-auth cookie carries: the browser's sign-in partition and the slot its next sign-in takes.</summary>
public readonly record struct PreAuth(string BrowserId, int NextSlot, DateTimeOffset IssuedAt)
{
    /// <summary>A browser id is a <see cref="CookieSigner.NewId"/>: 256 bits, 43 characters of base64url.</summary>
    public const int BrowserIdLength = 43;
}

/// <summary>A request carried one of FuncMail's cookies more than once (or in an unreadable header); see <see cref="SessionCookies"/>.</summary>
public sealed class AmbiguousCookieException(string name, int count) : Exception($"The request carried the cookie {name} {count} times.")
{
    public string CookieName { get; } = name;

    public int Count { get; } = count;
}
