namespace FuncMail.Tests.Infrastructure;

public static class FuncMailAssert
{
    /// <summary>No src or href leaves the origin: no third-party resources, so nothing can leak through Referer (checklist D2).</summary>
    public static void NoOffOriginReferences(string html)
    {
        var document = PageParsing.Parse(html);
        foreach (var element in document.QuerySelectorAll("[src], [href], [action]"))
        {
            var target = element.GetAttribute("src") ?? element.GetAttribute("href") ?? element.GetAttribute("action")!;
            Assert.True(target.StartsWith('/') && !target.StartsWith("//", StringComparison.Ordinal) || target.StartsWith('#'), $"Off-origin reference: {element.OuterHtml}");
        }
    }
}
