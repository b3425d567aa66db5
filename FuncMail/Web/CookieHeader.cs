using Microsoft.Extensions.Primitives;

namespace FuncMail.Web;

/// <summary>What the Cookie header says about one cookie name: its value if it appears exactly once.</summary>
/// <param name="Unreadable">A Cookie header too large to read: whether the name is in it cannot be told.</param>
public readonly record struct CookieLookup(string? Value, int Count, bool Unreadable = false)
{
    /// <summary>The name appears more than once, or may: FuncMail refuses the cookie and changes nothing on its basis.</summary>
    public bool IsAmbiguous => Count > 1 || Unreadable;
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
            if (string.IsNullOrEmpty(header))
            {
                continue;
            }

            if (header.Length > MaxHeaderLength)
            {
                // A cookie bomb (cookies pushed from a sibling domain until the header is huge) must not pass for "no cookie".
                return new CookieLookup(null, 0, Unreadable: true);
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

    /// <summary>The name is in the header but not as a ';'-separated pair: after a comma, say (a proxy joining cookies wrongly, or a smuggling attempt).</summary>
    public static bool MentionsOutsideAPair(StringValues headers, string name, CookieLookup found) =>
        found.Count == 0 && !found.Unreadable && headers.Any(h => h is not null && h.Contains(name + "=", StringComparison.Ordinal));
}
