using System.IO.Pipelines;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.RegularExpressions;
using BenchmarkDotNet.Attributes;
using FuncMail.Mail;
using FuncMail.Pages;

namespace FuncMail.Benchmarks;

/// <summary>
/// The mail page's templates (RazorSlices, rendered as PageResult does: a PipeWriter over a buffer) against the floor:
/// the same markup written by hand into a StringBuilder with HtmlEncoder, then encoded to UTF-8 into the same buffer.
/// Setup checks that both write the same page (whitespace between tags aside), so the floor does the same work.
/// Run: dotnet run -c Release --project bench/FuncMail.Benchmarks -- --filter '*RenderBenchmarks*'
/// </summary>
[MemoryDiagnoser]
public partial class RenderBenchmarks
{
    private MailModel _model = null!;
    private readonly MemoryStream _buffer = new(64 * 1024);

    [Params(10, 50, 100)]
    public int Messages { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _model = Model(Messages);
        RenderRazorAsync().GetAwaiter().GetResult();
        var razor = Written();
        RenderFloor();
        var floor = Written();
        var (expected, actual) = (Normalize(razor), Normalize(floor));
        if (expected != actual)
        {
            var at = expected.Zip(actual).TakeWhile(p => p.First == p.Second).Count();
            string Around(string text) => text[Math.Max(0, at - 80)..Math.Min(text.Length, at + 80)];
            throw new InvalidOperationException($"The floor does not write the template's page, from character {at}:\n--- razor\n{Around(expected)}\n--- floor\n{Around(actual)}");
        }
    }

    [Benchmark]
    public Task<int> Razor() => RenderRazorAsync();

    [Benchmark(Baseline = true)]
    public int Floor() => RenderFloor();

    private string Written() => Encoding.UTF8.GetString(_buffer.GetBuffer(), 0, (int)_buffer.Length);

    private async Task<int> RenderRazorAsync()
    {
        _buffer.SetLength(0);
        var writer = PipeWriter.Create(_buffer, new StreamPipeWriterOptions(leaveOpen: true));
        await MailPage.Create(_model).RenderAsync(writer);
        await writer.CompleteAsync();
        return (int)_buffer.Length;
    }

    private int RenderFloor()
    {
        var html = new StringBuilder(16 * 1024);
        var w = new StringWriter(html);
        var e = HtmlEncoder.Default;
        var m = _model;
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"referrer\" content=\"no-referrer\">\n<title>");
        e.Encode(w, m.FolderName);
        html.Append(" · FuncMail</title>\n<style>").Append(Styles.Css).Append("</style>\n</head>\n<body>\n<a class=\"skip\" href=\"#main\">Skip to content</a>\n<header>\n<a href=\"").Append(Routes.HomePath).Append("\"><strong>FuncMail</strong></a>\n<div>\n<span class=\"muted\">");
        e.Encode(w, m.DisplayName);
        html.Append("</span>\n<form class=\"inline\" method=\"post\" action=\"").Append(Routes.SignOutPath).Append("\">\n<input type=\"hidden\" name=\"csrf\" value=\"");
        e.Encode(w, m.SignOutToken);
        html.Append("\">\n<button type=\"submit\">Sign out</button>\n</form>\n</div>\n</header>\n<main id=\"main\">\n<div class=\"mail\">\n<nav class=\"folders\" aria-label=\"Folders\">\n<h2>Folders</h2>\n<ul>\n");
        foreach (var folder in m.Folders)
        {
            html.Append("<li><a href=\"");
            e.Encode(w, folder.Url);
            html.Append('"');
            if (folder.IsCurrent)
            {
                html.Append(" aria-current=\"page\"");
            }

            html.Append('>');
            e.Encode(w, folder.Name);
            if (folder.Unread is > 0)
            {
                html.Append("<span class=\"count\" aria-label=\"").Append(folder.Unread.Value).Append(" unread\">").Append(folder.Unread.Value).Append("</span>");
            }

            html.Append("</a></li>\n");
        }

        html.Append("</ul>\n<p class=\"muted note\">");
        e.Encode(w, m.FoldersNote);
        html.Append("</p>\n</nav>\n<section class=\"messages\" aria-labelledby=\"folder-title\">\n<h1 id=\"folder-title\">");
        e.Encode(w, m.FolderName);
        html.Append("</h1>\n<form class=\"tools\" method=\"get\" action=\"").Append(Routes.MailPath).Append("\" role=\"search\">\n<input type=\"hidden\" name=\"folder\" value=\"");
        e.Encode(w, m.Folder);
        html.Append("\">\n<label for=\"q\">Search</label>\n<input id=\"q\" name=\"q\" type=\"search\" maxlength=\"200\">\n<label for=\"size\">Per page</label>\n<select id=\"size\" name=\"size\">\n");
        foreach (var size in MessageQuery.PageSizes)
        {
            html.Append("<option value=\"").Append(size).Append('"').Append(size == m.PageSize ? " selected=\"selected\"" : "").Append('>').Append(size).Append("</option>\n");
        }

        html.Append("</select>\n<button type=\"submit\">Show</button>\n</form>\n<p class=\"muted\">Signed in as ");
        e.Encode(w, m.Username);
        html.Append(". ");
        e.Encode(w, m.TimeZoneNote);
        html.Append(" Newest first.</p>\n<ol class=\"rows\">\n");
        foreach (var row in m.Messages)
        {
            html.Append("<li class=\"").Append(row.IsUnread ? "row unread" : "row").Append("\">\n<div class=\"from\" title=\"");
            e.Encode(w, row.FromAddress);
            html.Append("\">");
            e.Encode(w, row.FromName);
            html.Append("<span class=\"address\">");
            e.Encode(w, row.FromAddress);
            html.Append("</span></div>\n<div class=\"subject\">\n");
            if (row.IsUnread)
            {
                html.Append("<span class=\"visually-hidden\">Unread: </span>\n");
            }

            if (row.IsHighImportance)
            {
                html.Append("<span class=\"badge important\" title=\"High importance\">Important</span>\n");
            }

            if (row.HasAttachments)
            {
                html.Append("<span class=\"badge\" title=\"Has attachments\">Attachment</span>\n");
            }

            html.Append("<a class=\"text\" href=\"");
            e.Encode(w, row.MessageUrl!);
            html.Append("\">");
            e.Encode(w, row.Subject);
            html.Append("</a>\n</div>\n<div class=\"preview\">");
            e.Encode(w, row.Preview);
            html.Append("</div>\n<div class=\"when\"><time datetime=\"");
            e.Encode(w, row.ReceivedIso);
            html.Append("\">");
            e.Encode(w, row.ReceivedText);
            html.Append("</time><a class=\"open\" href=\"");
            e.Encode(w, row.OutlookUrl!);
            html.Append("\" rel=\"noopener noreferrer\" target=\"_blank\">Open in Outlook</a></div>\n</li>\n");
        }

        html.Append("</ol>\n<nav class=\"paging\" aria-label=\"Pages\">\n<a href=\"");
        e.Encode(w, m.OlderUrl!);
        html.Append("\" rel=\"next\">Older</a>\n</nav>\n</section>\n</div>\n</main>\n</body>\n</html>\n");

        _buffer.SetLength(0);
        var bytes = Encoding.UTF8.GetMaxByteCount(html.Length);
        _buffer.Capacity = Math.Max(_buffer.Capacity, bytes);
        _buffer.SetLength(bytes);
        var written = 0;
        foreach (var chunk in html.GetChunks())
        {
            written += Encoding.UTF8.GetBytes(chunk.Span, _buffer.GetBuffer().AsSpan(written));
        }

        _buffer.SetLength(written);
        return written;
    }

    /// <summary>A page of the given size, with the shapes Graph sends: long previews, markup in subjects, non-Latin names.</summary>
    public static MailModel Model(int count) => new()
    {
        DisplayName = "Ada Lovelace",
        Username = "ada@contoso.example",
        SignOutToken = "v1.k2.c2Vzc2lvbg.1764500000.bWFj",
        FolderName = "Inbox",
        Folder = "inbox",
        Search = null,
        PageSize = 50,
        Messages = [.. Enumerable.Range(0, count).Select(i => new MessageRow
        {
            FromName = i % 3 == 0 ? "佐藤 花子" : $"Sender {i}",
            FromAddress = $"s{i}@contoso.example",
            Subject = $"Weekly update #{i}: plans & numbers <draft>",
            Preview = "Hi team, here are this week's figures. Let's go over the open items on Thursday: hiring, the Q4 budget and the launch plan.",
            ReceivedText = "Thu 09:30",
            ReceivedIso = "2026-11-27T09:30:00+01:00",
            IsUnread = i % 3 == 0,
            HasAttachments = i % 4 == 0,
            IsHighImportance = i % 5 == 0,
            OutlookUrl = "https://outlook.office365.com/owa/?ItemID=AAMkAG%2Fexample&exvsurl=1&viewmodel=ReadMessageItem",
            MessageUrl = Routes.MessagePath + "?size=50&id=AAMkAGI2TG93AAA" + i,
        })],
        Folders = [new FolderLink("Inbox", Routes.MailPath, 3, true), new FolderLink("Sent Items", Routes.MailPath + "?folder=sentitems", null, false), new FolderLink("Projekte & Pläne", Routes.MailPath + "?folder=AAMkProjects0006", 12, false)],
        FoldersNote = "Top-level folders; folders inside folders are not listed.",
        TimeZoneNote = "Times are in your mailbox's time zone: (UTC+01:00) Amsterdam, Berlin.",
        NewerUrl = null,
        OlderUrl = Routes.MailPath + "?size=50&skip=50",
    };

    private static string Normalize(string html) => Whitespace().Replace(BetweenTags().Replace(html, "><"), " ").Trim();

    [GeneratedRegex(@">\s+<")]
    private static partial Regex BetweenTags();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
