using System.Security.Cryptography;
using System.Text;
using FuncMail.Auth;
using FuncMail.Pages;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace FuncMail.Web;

/// <summary>The headers every FuncMail response carries, redirects and errors included (checklist D1-D4, H1).</summary>
public sealed class ResponseHardening(IOptions<EntraOptions> entra)
{
    /// <summary>A year, this host and its subdomains (checklist H1).</summary>
    public const string StrictTransportSecurity = "max-age=31536000; includeSubDomains";

    private static readonly string StyleHash = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(Styles.Css)));

    /// <summary>
    /// Nothing may load or run but the page's one inline style, allowed by its hash. Forms post to FuncMail only, and
    /// to the sign-in host, where the sign-out form's redirect ends (browsers apply form-action to redirects).
    /// </summary>
    public string ContentSecurityPolicy { get; } =
        "default-src 'self'; script-src 'none'; object-src 'none'; frame-src 'self'; base-uri 'none'; frame-ancestors 'none'; " +
        $"form-action 'self' {entra.Value.Instance.GetLeftPart(UriPartial.Authority)}; style-src 'sha256-{StyleHash}'";

    public void Apply(HttpResponse response)
    {
        var headers = response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;

        // Only over https: a browser ignores the header on http (RFC 6797 §8.1), and on http://localhost it would
        // only pin a developer's own machine. In Azure the front end terminates TLS and the worker learns the scheme
        // from X-Forwarded-Proto, which the worker's ASP.NET Core integration applies.
        if (response.HttpContext.Request.IsHttps)
        {
            headers.StrictTransportSecurity = StrictTransportSecurity;
        }

        headers["Referrer-Policy"] = "no-referrer";
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";

        // Every FuncMail page is personal or sets a cookie: nothing may be cached.
        headers.CacheControl = "no-store";
        headers.Pragma = "no-cache";
    }
}
