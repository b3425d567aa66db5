using Microsoft.Extensions.Primitives;

namespace FuncMail.Sessions;

/// <summary>What the Cookie header says about one cookie name: its value if it appears exactly once.</summary>
public readonly record struct CookieLookup(string? Value, int Count)
{
    /// <summary>The name appears more than once: FuncMail refuses the cookie and changes nothing on its basis.</summary>
    public bool IsAmbiguous => Count > 1;
}

/// <summary>
/// Finds one of FuncMail's cookies in the request's Cookie header(s). Pairs are split on ';' only, as RFC 6265 §4.2.1
/// writes them and as browsers and the Functions host (YARP joins HTTP/2 cookie fields with "; ") send them. Never on
/// ',': an ordinary cookie such as <c>planted=x,__Host-FuncMail=…</c>, which a sibling subdomain or an http
/// man-in-the-middle can set, would otherwise smuggle a value past the <c>__Host-</c> prefix's protection.
/// </summary>
/// <remarks>
/// Hand-written because ASP.NET Core's <c>Request.Cookies</c> keeps the last of two cookies with one name and hides
/// that there were two; FuncMail must see the duplicate to fail closed (checklist G2).
/// </remarks>
public static class CookieHeader
{
    private const int MaxHeaderLength = 16 * 1024;

    public static CookieLookup Find(StringValues headers, string name)
    {
        string? value = null;
        var count = 0;
        foreach (var header in headers)
        {
            if (string.IsNullOrEmpty(header) || header.Length > MaxHeaderLength)
            {
                continue;
            }

            foreach (var pair in header.AsSpan().Split(';'))
            {
                var text = header.AsSpan(pair).Trim(' ');
                var equals = text.IndexOf('=');
                if (equals > 0 && text[..equals].TrimEnd(' ').Equals(name, StringComparison.Ordinal))
                {
                    count++;
                    value = text[(equals + 1)..].TrimStart(' ').ToString();
                }
            }
        }

        return count == 1 ? new CookieLookup(value, 1) : new CookieLookup(null, count);
    }
}
