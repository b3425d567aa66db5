using AngleSharp.Html.Parser;

namespace FuncMail.Tests.Infrastructure;

/// <summary>Reads FuncMail's HTML as a browser would, to assert structure rather than whitespace.</summary>
public static class PageParsing
{
    private static readonly HtmlParser Parser = new();

    public static AngleSharp.Html.Dom.IHtmlDocument Parse(string html) => Parser.ParseDocument(html);

    public static string SignOutToken(string html) =>
        Parse(html).QuerySelector("form[action='/api/SignOut'] input[name=csrf]")?.GetAttribute("value")
        ?? throw new InvalidOperationException("The page has no sign-out form.");
}
