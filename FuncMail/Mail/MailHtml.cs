using System.Text;
using System.Text.Encodings.Web;
using System.Text.RegularExpressions;
using AngleSharp.Css.Dom;
using AngleSharp.Dom;
using AngleSharp.Css.Parser;
using Ganss.Xss;

namespace FuncMail.Mail;

/// <summary>A message body made safe to show: a whole HTML document, and what was held back from it.</summary>
/// <param name="BlockedImages">Remote images (img, background, CSS url()) left out because images are off; tracking pixels are not counted.</param>
/// <param name="Truncated">The body was longer than FuncMail shows; this is its first part.</param>
public sealed record SanitizedBody(string Html, int BlockedImages, bool Truncated);

/// <summary>
/// The one place that decides what of a mail body survives: HtmlSanitizer (mganss, on AngleSharp) with an allow-list
/// made for mail, and three rules of FuncMail's own on top:
/// <list type="bullet">
/// <item>links keep only absolute <c>https:</c>, <c>http:</c> and <c>mailto:</c> URLs, and open in a new tab with
/// <c>rel="noopener noreferrer"</c>;</item>
/// <item>images (<c>img src</c>, <c>background</c>, CSS <c>url()</c>) are blocked, and counted, unless the user asked
/// for them, and then only over https; <c>cid:</c> references become FuncMail's own inline-image URLs; tracking
/// pixels never load;</item>
/// <item>every stylesheet is checked again after the sanitizer, failing closed (see
/// <see cref="Keep"/>);</item>
/// <item>a body past <see cref="MaxChars"/> characters or <see cref="MaxTags"/> tags is cut before it is parsed:
/// parsing cannot be cancelled, and deeply nested HTML takes seconds (docs/design-message-reading.md, §3.5).</item>
/// </list>
/// The result is shown only inside a sandboxed frame under its own strict CSP; this is the first of those layers.
/// </summary>
public static partial class MailHtml
{
    /// <summary>Characters of HTML sanitized at most (about 256 KB); the rest is left to Outlook.</summary>
    public const int MaxChars = 256 * 1024;

    /// <summary>Start tags sanitized at most.</summary>
    public const int MaxTags = 5_000;

    /// <summary>FuncMail's own look for the body document: a mail is drawn on white, as its sender expects, and fits the frame.</summary>
    public const string BaseCss =
        "html{background:#fff;color:#1b1b1f}body{margin:0;padding:1rem;font:16px/1.5 system-ui,sans-serif;overflow-wrap:anywhere}" +
        "img{max-width:100%;height:auto}table{max-width:100%}pre.funcmail-text{white-space:pre-wrap;font:inherit;margin:0}" +
        ".funcmail-notice{margin:.25rem 0;font:14px/1.4 system-ui,sans-serif}";

    private static readonly string[] Tags =
    [
        "a", "abbr", "address", "b", "bdi", "bdo", "big", "blockquote", "br", "caption", "center", "cite", "code", "col",
        "colgroup", "dd", "del", "dfn", "div", "dl", "dt", "em", "font", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
        "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strike", "strong", "sub",
        "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "tt", "u", "ul", "var", "wbr", "style",

        // The document's own frame: SanitizeDocument keeps the mail's head (for its style) and body (for dir, bgcolor).
        "html", "head", "body",
    ];

    private static readonly string[] Attributes =
    [
        "align", "alt", "bgcolor", "border", "cellpadding", "cellspacing", "class", "color", "colspan", "dir", "face",
        "height", "href", "hspace", "lang", "nowrap", "rowspan", "size", "src", "start", "style", "title", "type",
        "valign", "vspace", "width", "background",
    ];

    private static readonly string[] CssProperties =
    [
        .. Sides("margin"), .. Sides("padding"), .. Sides("border"), .. Sides("border", "-width"), .. Sides("border", "-style"),
        .. Sides("border", "-color"), "border-width", "border-style", "border-color", "border-radius",
        "border-top-left-radius", "border-top-right-radius", "border-bottom-left-radius", "border-bottom-right-radius",
        "width", "height", "max-width", "min-width", "max-height", "min-height", "box-sizing", "display", "float", "clear",
        "vertical-align", "overflow", "overflow-x", "overflow-y", "visibility",
        "color", "background", "background-color", "background-image", "background-repeat", "background-position",
        "background-size", "font", "font-family", "font-size", "font-style", "font-variant", "font-weight", "line-height",
        "letter-spacing", "word-spacing", "text-align", "text-decoration", "text-decoration-line", "text-decoration-color",
        "text-decoration-style", "text-indent", "text-transform", "white-space", "word-break", "word-wrap", "overflow-wrap",
        "direction", "unicode-bidi", "list-style", "list-style-type", "list-style-position", "list-style-image",
        "border-collapse", "border-spacing", "table-layout", "caption-side", "empty-cells",
    ];

    private static readonly CssParser CssParser = new();

    /// <summary>Text encoding for plain-text bodies: only what HTML needs (&lt; &gt; &amp; quotes), not every non-ASCII character.</summary>
    private static readonly HtmlEncoder TextEncoder = HtmlEncoder.Create(System.Text.Unicode.UnicodeRanges.All);

    /// <summary>Built once and never changed: HtmlSanitizer is safe to share "provided you do not simultaneously set instance or static properties".</summary>
    private static readonly HtmlSanitizerOptions Options = new()
    {
        // HtmlSanitizer 10.0's parameterless options start from its own defaults, which keep forms and relative URLs;
        // every set here replaces its default whole.
        AllowedTags = new HashSet<string>(Tags, StringComparer.OrdinalIgnoreCase),
        AllowedAttributes = new HashSet<string>(Attributes, StringComparer.OrdinalIgnoreCase),
        AllowedCssProperties = new HashSet<string>(CssProperties, StringComparer.OrdinalIgnoreCase),
        AllowedAtRules = new HashSet<CssRuleType> { CssRuleType.Style, CssRuleType.Media },
        AllowedSchemes = new HashSet<string>(["https", "http", "mailto"], StringComparer.OrdinalIgnoreCase),
        UriAttributes = new HashSet<string>(["href", "src", "background"], StringComparer.OrdinalIgnoreCase),
        AllowedClasses = new HashSet<string>(StringComparer.Ordinal),
        AllowDataAttributes = false,
    };

    /// <summary>Allowed tags, for the tests and docs/security.md.</summary>
    public static IReadOnlyCollection<string> AllowedTags => Tags;

    /// <summary>Sanitizes an HTML body into a whole document for the frame.</summary>
    /// <param name="inlineImage">FuncMail's URL for a <c>cid:</c> reference (the Content-ID without its scheme), or null when the message has no such image.</param>
    /// <param name="showImages">The user asked for this message's remote images: https ones load, nothing else does.</param>
    public static SanitizedBody Sanitize(string html, Func<string, string?> inlineImage, bool showImages)
    {
        var (input, truncated) = Cut(html);
        return SanitizeWithin(input, inlineImage, showImages) with { Truncated = truncated };
    }

    /// <summary>The sanitizer proper, on input already within the caps.</summary>
    private static SanitizedBody SanitizeWithin(string input, Func<string, string?> inlineImage, bool showImages)
    {
        var blocked = 0;
        var links = new HashSet<IElement>();
        var sanitizer = new HtmlSanitizer(Options) { DisallowCssPropertyValue = DisallowedCssValue() };
        sanitizer.FilterUrl += (_, e) =>
        {
            var url = e.OriginalUrl?.Trim() ?? "";

            // An anchor's href is checked before its style, so the first URL on an <a> that equals its href is the
            // link; a url() in its style with the same address is an image like any other.
            if (e.Tag.LocalName == "a" && string.Equals(e.Tag.GetAttribute("href"), e.OriginalUrl, StringComparison.Ordinal) && links.Add(e.Tag))
            {
                e.SanitizedUrl = IsAbsolute(url, "https", "http", "mailto") ? url : null;
            }
            else if (url.StartsWith("cid:", StringComparison.OrdinalIgnoreCase))
            {
                e.SanitizedUrl = e.Tag.LocalName == "img" || e.Tag.HasAttribute("background") ? inlineImage(Uri.UnescapeDataString(url[4..])) : null;
            }
            else if (IsTrackingPixel(e.Tag))
            {
                // Never loaded, and not counted: "Show images" must not fire it either.
                e.SanitizedUrl = null;
            }
            else
            {
                if (IsRemote(url))
                {
                    blocked++;
                }

                e.SanitizedUrl = showImages && IsAbsolute(url, "https") ? url : null;
            }
        };
        sanitizer.PostProcessNode += (_, e) =>
        {
            if (e.Node is not IElement element)
            {
                return;
            }

            if (element.LocalName == "a" && element.HasAttribute("href"))
            {
                element.SetAttribute("target", "_blank");
                element.SetAttribute("rel", "noopener noreferrer");
            }
            else if (element.LocalName == "img" && (IsTrackingPixel(element) || !element.HasAttribute("src")))
            {
                // A pixel goes whatever the setting; a blocked image leaves its alt text, not a broken-image frame.
                e.ReplacementNodes.Add(element.Owner!.CreateTextNode(element.GetAttribute("alt") ?? ""));
            }
        };
        sanitizer.PostProcessDom += (_, e) =>
        {
            // A second pass over every stylesheet, failing closed: HtmlSanitizer 10.0.1120 keeps a whole <style> rule
            // unsanitized when it holds a shorthand with parts left out (font:12px serif). Style attributes take
            // another path in it, which review found sound.
            foreach (var element in e.Document.QuerySelectorAll("style").ToList())
            {
                RecheckStyleSheet(element, showImages);
            }

            var head = e.Document.Head!;
            var style = e.Document.CreateElement("style");
            style.TextContent = BaseCss;
            head.Prepend(style);
            var charset = e.Document.CreateElement("meta");
            charset.SetAttribute("charset", "utf-8");
            head.Prepend(charset);
        };

        return new SanitizedBody("<!DOCTYPE html>\n" + sanitizer.SanitizeDocument(input), blocked, false);
    }

    /// <summary>
    /// The frame's document when there is no body to show: too large, the session ended, or an error. FuncMail's own
    /// words, set as text.
    /// </summary>
    public static string Notice(string text)
    {
        var document = new AngleSharp.Html.Parser.HtmlParser().ParseDocument("");
        var charset = document.CreateElement("meta");
        charset.SetAttribute("charset", "utf-8");
        var style = document.CreateElement("style");
        style.TextContent = BaseCss;
        document.Head!.Append(charset, style);
        var notice = document.CreateElement("p");
        notice.ClassName = "funcmail-notice";
        notice.TextContent = text;
        document.Body!.Append(notice);
        return "<!DOCTYPE html>\n" + document.DocumentElement.OuterHtml;
    }

    /// <summary>A plain-text body: encoded, its line breaks kept, and http, https and mailto addresses made links under the same rules.</summary>
    public static SanitizedBody FromText(string text)
    {
        // Cut the text, not its encoding: the markup built here is FuncMail's own, bounded by the text's length.
        var (input, truncated) = text.Length > MaxChars ? (text[..MaxChars], true) : (text, false);
        var html = new StringBuilder("<pre class=\"funcmail-text\">", input.Length + 64);
        var last = 0;
        foreach (Match link in TextLink().Matches(input))
        {
            html.Append(TextEncoder.Encode(input[last..link.Index]));
            var url = TextEncoder.Encode(link.Value);
            html.Append("<a href=\"").Append(url).Append("\">").Append(url).Append("</a>");
            last = link.Index + link.Length;
        }

        html.Append(TextEncoder.Encode(input[last..])).Append("</pre>");
        return SanitizeWithin(html.ToString(), _ => null, showImages: false) with { Truncated = truncated };
    }

    /// <summary>
    /// The part of the body FuncMail sanitizes: at most <see cref="MaxChars"/> characters and <see cref="MaxTags"/>
    /// start tags, cut before a tag so no tag is split.
    /// </summary>
    internal static (string Html, bool Truncated) Cut(string html)
    {
        var tags = 0;
        var end = Math.Min(html.Length, MaxChars);
        for (var i = 0; i < end - 1; i++)
        {
            if (html[i] == '<' && char.IsAsciiLetter(html[i + 1]) && ++tags > MaxTags)
            {
                return (html[..i], true);
            }
        }

        if (html.Length <= MaxChars)
        {
            return (html, false);
        }

        var cut = html.LastIndexOf('<', MaxChars - 1);
        return (html[..(cut > 0 ? cut : MaxChars)], true);
    }

    /// <summary>Drops what the sanitizer should have from a mail's stylesheet; see <see cref="CleanCss"/>.</summary>
    private static void RecheckStyleSheet(IElement element, bool showImages)
    {
        foreach (var attribute in element.Attributes.Select(a => a.Name).ToList())
        {
            element.RemoveAttribute(attribute);
        }

        element.TextContent = CleanCss(element.TextContent, showImages);
    }

    /// <summary>
    /// A stylesheet with only style and @media rules, each declaration as <see cref="Keep"/> allows, written back
    /// with every <c>&lt;</c> and <c>&gt;</c> escaped: AngleSharp writes <c>\3c /style\3e</c> in a selector back as
    /// <c>&lt;/style&gt;</c>, which would close the element and let the rest through as HTML (found in review).
    /// </summary>
    internal static string CleanCss(string css, bool showImages)
    {
        var sheet = CssParser.ParseStyleSheet(css);
        Clean(sheet.Rules, sheet.RemoveAt);
        return sheet.ToCss(new CssSerializationOptions())
            .Replace("<", "\\3c ", StringComparison.Ordinal)
            .Replace(">", "\\3e ", StringComparison.Ordinal);

        void Clean(ICssRuleList rules, Action<int> removeAt)
        {
            for (var i = rules.Length - 1; i >= 0; i--)
            {
                switch (rules[i])
                {
                    case ICssStyleRule rule:
                        CleanDeclarations(rule.Style, showImages);
                        break;
                    case ICssMediaRule media:
                        Clean(media.Rules, media.RemoveAt);
                        break;
                    default:
                        removeAt(i);
                        break;
                }
            }
        }
    }

    private static void CleanDeclarations(ICssStyleDeclaration declarations, bool showImages)
    {
        foreach (var property in declarations.Select(p => p.Name).ToList())
        {
            if (!Keep(property, declarations.GetPropertyValue(property), showImages))
            {
                declarations.RemoveProperty(property);
            }
        }
    }

    /// <summary>
    /// A declaration survives only with an allowed property and, when it names a resource, only https url()s with
    /// images on; image-set(), image(), expression() never.
    /// </summary>
    internal static bool Keep(string property, string value, bool showImages)
    {
        // The value as AngleSharp parsed it: escapes such as u\72 l( are already read as url(.
        if (!Options.AllowedCssProperties.Contains(property) || DisallowedCssValue().IsMatch(value))
        {
            return false;
        }

        // Every url( must be one the pattern reads whole; one it cannot (a quote or bracket inside) fails closed.
        var urls = CssUrl().Matches(value);
        if (urls.Count != UrlOpening().Count(value))
        {
            return false;
        }

        return urls.Count == 0 || (showImages && urls.All(u => IsAbsolute(u.Groups["url"].Value, "https")));
    }

    private static bool IsAbsolute(string url, params ReadOnlySpan<string> schemes)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return false;
        }

        foreach (var scheme in schemes)
        {
            if (uri.Scheme == scheme)
            {
                return uri.Scheme == Uri.UriSchemeMailto || !string.IsNullOrEmpty(uri.Host);
            }
        }

        return false;
    }

    /// <summary>A URL that would load from another host: http(s) or protocol-relative.</summary>
    private static bool IsRemote(string url) =>
        url.StartsWith("//", StringComparison.Ordinal) || url.StartsWith("\\\\", StringComparison.Ordinal)
        || IsAbsolute(url, "https", "http");

    /// <summary>
    /// A tracking pixel: an image of at most 2 pixels a side, or hidden (after SnappyMail's detectHiddenImages:
    /// display:none, visibility:hidden, opacity:0, or a 0-2 px width or height in its style).
    /// </summary>
    internal static bool IsTrackingPixel(IElement element)
    {
        if (element.LocalName != "img")
        {
            return false;
        }

        if (Tiny(element.GetAttribute("width")) || Tiny(element.GetAttribute("height")))
        {
            return true;
        }

        var style = element.GetAttribute("style");
        return style is not null && HiddenStyle().IsMatch(style.Replace(" ", "", StringComparison.Ordinal).Replace("!important", "", StringComparison.OrdinalIgnoreCase));

        // "1", "1.0", "2px", "1pt": any leading number of at most 2.
        static bool Tiny(string? size) =>
            size is not null && LeadingNumber().Match(size.Trim()) is { Success: true } number
            && double.TryParse(number.Value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var pixels) && pixels <= 2;
    }

    private static IEnumerable<string> Sides(string property, string suffix = "") =>
        [property + suffix, .. new[] { "-top", "-right", "-bottom", "-left" }.Select(side => property + side + suffix)];

    [GeneratedRegex(@"(^|;)(display:none|visibility:hidden|opacity:0(\.0+)?(;|$)|(max-)?(width|height):0*[0-2](\.\d+)?(px|pt)?(;|$))", RegexOptions.IgnoreCase)]
    private static partial Regex HiddenStyle();

    [GeneratedRegex(@"^[0-9]+(\.[0-9]+)?")]
    private static partial Regex LeadingNumber();

    /// <summary>CSS values no mail needs that can fetch or run something: the sanitizer's default (&lt; and &gt;) and FuncMail's additions.</summary>
    [GeneratedRegex(@"[<>]|image-set\(|image\(|cross-fade\(|element\(|expression\(|paint\(", RegexOptions.IgnoreCase)]
    private static partial Regex DisallowedCssValue();

    [GeneratedRegex(@"url\(\s*(?<q>['""]?)(?<url>[^'"")]*)\k<q>\s*\)", RegexOptions.IgnoreCase)]
    private static partial Regex CssUrl();

    [GeneratedRegex(@"url\(", RegexOptions.IgnoreCase)]
    private static partial Regex UrlOpening();

    [GeneratedRegex(@"\b(?:https?://|mailto:)[^\s<>""']+[^\s<>""'.,;:!?)\]]", RegexOptions.IgnoreCase)]
    private static partial Regex TextLink();
}
