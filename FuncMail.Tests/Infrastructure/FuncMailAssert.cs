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
}
