using System.Text;
using BenchmarkDotNet.Attributes;
using FuncMail.Mail;

namespace FuncMail.Benchmarks;

/// <summary>
/// The CPU work of reading a message: sanitizing its body (done twice per message, once for the page's notices and
/// once for the frame), for a short personal mail, a typical newsletter and a body at the caps.
/// Run: dotnet run -c Release --project bench/FuncMail.Benchmarks -- --filter '*MessageBenchmarks*'
/// </summary>
[MemoryDiagnoser]
public class MessageBenchmarks
{
    private string _personal = "";
    private string _newsletter = "";
    private string _atTheCap = "";
    private string _text = "";

    [GlobalSetup]
    public void Setup()
    {
        _personal = "<html><head><style><!-- P {margin-top:0;margin-bottom:0;} --></style></head><body dir=\"ltr\">" +
            "<p style=\"font-family:Calibri,sans-serif;font-size:11pt\">Hi Ada,</p><p>Here are the numbers. <a href=\"https://contoso.example/q3\">Q3</a></p>" +
            "<img src=\"cid:image001.png@01D45975.9B5C7340\" width=\"400\"><p>Megan</p></body></html>";

        // A newsletter's shape: a style block with media queries, nested layout tables, inline styles, remote images, links, a pixel.
        var rows = new StringBuilder();
        for (var i = 0; i < 40; i++)
        {
            rows.Append("<tr><td class=\"item\" style=\"padding:12px 16px;border-bottom:1px solid #eeeeee;font:14px/1.4 Arial,sans-serif;color:#333\">")
                .Append("<table width=\"100%\" cellpadding=\"0\" cellspacing=\"0\"><tr><td width=\"120\" valign=\"top\">")
                .Append($"<img src=\"https://cdn.contoso.example/items/{i}.jpg\" width=\"120\" height=\"80\" alt=\"Item {i}\" style=\"display:block;border:0\"></td>")
                .Append($"<td style=\"padding-left:12px\"><h3 style=\"margin:0 0 4px;font-size:16px\">Story {i}: something happened</h3>")
                .Append("<p style=\"margin:0\">A paragraph of text describing the story in a couple of sentences, as newsletters do.</p>")
                .Append($"<a href=\"https://news.contoso.example/story/{i}?utm_source=mail\" style=\"color:#0a5fc2\">Read more</a></td></tr></table></td></tr>");
        }

        _newsletter = "<html><head><style>.item{padding:8px}@media (max-width:600px){.item{padding:4px}table{width:100%!important}}</style></head>" +
            "<body bgcolor=\"#f4f4f4\"><center><table width=\"600\" bgcolor=\"#ffffff\" cellpadding=\"0\" cellspacing=\"0\" style=\"margin:0 auto\">" +
            rows + "</table></center><img src=\"https://t.contoso.example/open?id=42\" width=\"1\" height=\"1\"></body></html>";
        _atTheCap = string.Concat(Enumerable.Repeat("<div><p style=\"color:#333\">Row of a very long message with some text</p></div>", 2_500));
        _text = string.Concat(Enumerable.Repeat("A line of a plain-text message, with a link https://contoso.example/x now and then.\r\n", 400));
    }

    [Benchmark]
    public int SanitizePersonalMail() => MailHtml.Sanitize(_personal, _ => "/api/Attachment?message=m&id=a&t=t", showImages: false).Html.Length;

    [Benchmark]
    public int SanitizeNewsletter() => MailHtml.Sanitize(_newsletter, _ => null, showImages: false).Html.Length;

    [Benchmark]
    public int SanitizeAtTheTagCap() => MailHtml.Sanitize(_atTheCap, _ => null, showImages: false).Html.Length;

    [Benchmark]
    public int PlainText() => MailHtml.FromText(_text).Html.Length;
}
