using System.Security.Cryptography;
using System.Text;
using FuncMail.Pages;
using Microsoft.AspNetCore.Http;

namespace FuncMail.Web;

/// <summary>The headers every FuncMail response carries, redirects and errors included (checklist D1-D4).</summary>
public static class ResponseHardening
{
    /// <summary>The page's only style is inline and allowed by its hash; nothing else may load or run.</summary>
    public static readonly string ContentSecurityPolicy =
        "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'; " +
        $"style-src 'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(Styles.Css)))}'";

    /// <summary>A year, this host and its subdomains (checklist H1).</summary>
    public const string StrictTransportSecurity = "max-age=31536000; includeSubDomains";

    public static void Apply(HttpResponse response)
    {
        var headers = response.Headers;

        // Only over https: a browser ignores the header on http (RFC 6797 §8.1), and on http://localhost it would
        // only pin a developer's own machine. In Azure the front end terminates TLS and the worker learns the scheme
        // from X-Forwarded-Proto, which the worker's ASP.NET Core integration applies.
        if (response.HttpContext.Request.IsHttps)
        {
            headers.StrictTransportSecurity = StrictTransportSecurity;
        }

        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers["Referrer-Policy"] = "no-referrer";
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";

        // Every FuncMail page is personal or sets a cookie: nothing may be cached.
        headers.CacheControl = "no-store";
        headers.Pragma = "no-cache";
    }
}
