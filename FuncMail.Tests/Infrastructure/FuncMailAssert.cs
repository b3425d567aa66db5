using System.Net;

namespace FuncMail.Tests.Infrastructure;

public static class FuncMailAssert
{
    /// <summary>
    /// No resource (src) and no form leaves the origin, so nothing third-party loads and nothing leaks (checklist D2).
    /// The only off-origin links are "Open in Outlook": https, to an Outlook host, with no referrer (D5).
    /// </summary>
    public static void NoOffOriginReferences(string html)
    {
        var document = PageParsing.Parse(html);
        foreach (var element in document.QuerySelectorAll("[src], [action]"))
        {
            Assert.True(IsLocal(element.GetAttribute("src") ?? element.GetAttribute("action")!), $"Off-origin resource or form: {element.OuterHtml}");
        }

        foreach (var link in document.QuerySelectorAll("[href]"))
        {
            var href = link.GetAttribute("href")!;
            Assert.True(
                IsLocal(href) || (Uri.TryCreate(href, UriKind.Absolute, out var uri) && uri.Scheme == "https" && uri.Host.StartsWith("outlook.", StringComparison.Ordinal) && link.GetAttribute("rel")!.Contains("noreferrer", StringComparison.Ordinal)),
                $"Off-origin link: {link.OuterHtml}");
        }
    }

    private static bool IsLocal(string target) => (target.StartsWith('/') && !target.StartsWith("//", StringComparison.Ordinal)) || target.StartsWith('#');

    /// <summary>The headers every response carries, redirects and error pages included (checklist D1-D4).</summary>
    public static void Hardened(HttpResponseMessage response, string what)
    {
        var csp = response.Header("Content-Security-Policy");
        Assert.True(csp is not null, $"{what}: no CSP");
        foreach (var directive in new[] { "default-src 'self'", "script-src 'none'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'self'" })
        {
            Assert.True(csp!.Contains(directive, StringComparison.Ordinal), $"{what}: CSP lacks {directive}");
        }

        Assert.True(response.Header("Referrer-Policy") == "no-referrer", $"{what}: Referrer-Policy");
        Assert.True(response.Header("X-Content-Type-Options") == "nosniff", $"{what}: nosniff");
        Assert.True(response.Header("Cache-Control") == "no-store", $"{what}: Cache-Control");
        var https = response.RequestMessage?.RequestUri?.Scheme == Uri.UriSchemeHttps;
        Assert.True(response.Header("Strict-Transport-Security") == (https ? "max-age=31536000; includeSubDomains" : null), $"{what}: HSTS over {(https ? "https" : "http")}");
        if (response.StatusCode != HttpStatusCode.Redirect && response.StatusCode != HttpStatusCode.SeeOther)
        {
            Assert.True(response.ContentType()?.ToString() == "text/html; charset=utf-8", $"{what}: content type {response.ContentType()}");
        }
    }
}
