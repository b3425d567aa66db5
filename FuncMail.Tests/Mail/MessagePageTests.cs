using System.Net;
using System.Text;
using FuncMail.Mail;
using FuncMail.Tests.Infrastructure;

namespace FuncMail.Tests.Mail;

/// <summary>Reading one message over real HTTP: the page, the body frame's document, inline images and downloads, with their I/O counted.</summary>
public sealed class MessagePageTests(AzuriteFixture azurite) : HostedTest(azurite, signedIn: true)
{
    /// <summary>An id in both of Graph's alphabets at once: + / and = all reach clients (microsoft-graph-docs#10167).</summary>
    private const string AwkwardId = "AAMkAGI2TG93AAA+B7PeJIR+T0QrZBmAeE5ZneBwDa/z/LP4AgAAAMj1/AAAA=";

    private static readonly byte[] Pdf = Encoding.ASCII.GetBytes("%PDF-1.7\n% a small file\n%%EOF\n");

    /// <summary>
    /// A message shaped like real mail: an HTML body with an inline picture by cid: (Outlook's Content-ID form,
    /// gmail-api-parse-message#6), a remote image, a tracking pixel and a link; a file, an inline image that Graph
    /// reports as not inline (microsoft-graph-docs#2095), an item, a reference, a file over the cap and a file whose
    /// name is hostile.
    /// </summary>
    private StubMessage Rich(string? id = null, (string, string)? body = null)
    {
        var inline = StubAttachment.File("image001.png", "image/png", StubAttachment.Png) with { ContentId = "image001.png@01D45975.9B5C7340", IsInline = false };
        var message = new StubMessage("Q3 numbers and chart", "Megan Bowen", "megan@contoso.example", new DateTimeOffset(2026, 11, 27, 9, 30, 0, TimeSpan.Zero))
        {
            Id = id ?? StubIds.Message(),
            Importance = "high",
            To = [("Ada Lovelace", "ada@contoso.example"), ("Alex Wilber", "alex@contoso.example")],
            Cc = [("Nestor Wilke", "nestor@contoso.example")],
            Body = body ?? ("html", """
                <html><head><style type="text/css" style="display:none;"><!-- P {margin-top:0;margin-bottom:0;} --></style></head>
                <body dir="ltr"><p style="color:rgb(0,0,128)">Numbers attached.</p>
                <img src="cid:image001.png@01D45975.9B5C7340" alt="Chart" width="40" height="40">
                <img src="https://images.contoso.example/logo.png" alt="Contoso logo" width="120">
                <img src="https://track.contoso.example/open?u=42" width="1" height="1">
                <p><a href="https://contoso.example/report">Full report</a></p></body></html>
                """),
            Attachments =
            [
                StubAttachment.File("Q3 numbers.pdf", "application/pdf", Pdf),
                inline,
                new StubAttachment("item", "Re: Budget", null, []) { Size = 4_210 },
                new StubAttachment("reference", "Plan.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", []) { Size = 0 },
                StubAttachment.File("Recording.mp4", "video/mp4", [1, 2, 3]) with { Size = 30L * 1024 * 1024 },
                StubAttachment.File("invoice\u202Efdp.exe\r\nSet-Cookie: x=1", "application/x-msdownload", [0x4D, 0x5A]),
            ],
        };
        Host.Graph.Inbox.Insert(0, message);
        return message;
    }

    private async Task<(HttpResponseMessage Response, AngleSharp.Html.Dom.IHtmlDocument Page)> GetAsync(string path, HttpClient? client = null)
    {
        var (response, body) = await FlowSteps.GetPageAsync(client ?? Browser, path);
        return (response, PageParsing.Parse(body));
    }

    private static string Path(StubMessage message) => MailPageView.MessageUrl(message.Id, new MessageQuery("inbox", 25, 0, null, null));

    private void ResetCounts()
    {
        Host.Tables.Reset();
        while (Host.Graph.Requests.TryDequeue(out _))
        {
        }
    }

    [Fact]
    public async Task Message_FromTheList_ShowsHeaderAttachmentsAndASandboxedFrame()
    {
        var message = Rich();
        var (_, list) = await GetAsync("/api/Mail?size=10&skip=0");
        var link = list.QuerySelectorAll("ol.rows a.text").Single(a => a.TextContent == "Q3 numbers and chart").GetAttribute("href")!;
        ResetCounts();

        var (response, page) = await GetAsync(link);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Q3 numbers and chart", page.QuerySelector("h1")!.TextContent);
        var headers = page.QuerySelector("dl.headers")!.TextContent;
        Assert.Contains("Megan Bowen", headers, StringComparison.Ordinal);
        Assert.Contains("megan@contoso.example", headers, StringComparison.Ordinal);
        Assert.Contains("Ada Lovelace, Alex Wilber", headers, StringComparison.Ordinal);
        Assert.Contains("Nestor Wilke", headers, StringComparison.Ordinal);
        Assert.Contains("Fri 27 Nov 2026, 10:30", headers, StringComparison.Ordinal);
        Assert.Contains("Important", page.QuerySelector(".markers")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("/api/Mail?size=10", page.QuerySelector("a[href^='/api/Mail']")!.GetAttribute("href"));
        Assert.StartsWith("https://outlook.office365.com/", page.QuerySelectorAll("a").First(a => a.TextContent == "Open in Outlook").GetAttribute("href"), StringComparison.Ordinal);
        Assert.Contains("does not mark it as read", page.Body!.TextContent, StringComparison.Ordinal);

        var frame = page.QuerySelector("iframe.body")!;
        Assert.Equal("allow-popups allow-popups-to-escape-sandbox", frame.GetAttribute("sandbox"));
        Assert.Equal("no-referrer", frame.GetAttribute("referrerpolicy"));
        Assert.Equal(MailPageView.BodyUrl(message.Id, false), frame.GetAttribute("src"));
        Assert.Contains("frame-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);

        // Listed: every attachment Graph does not call inline. The picture Graph reports with isInline false (docs#2095)
        // is listed too: the page cannot know the body shows it, and a download of it does no harm.
        var rows = page.QuerySelectorAll("ul.attachments li");
        Assert.Equal(6, rows.Length);
        Assert.Equal(MailPageView.DownloadUrl(message.Id, message.Attachments[0].Id), rows[0].QuerySelector("a[download]")!.GetAttribute("href"));
        Assert.Contains("application/pdf", rows[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("Open it in Outlook", rows[2].TextContent, StringComparison.Ordinal);
        Assert.Contains("Outlook item", rows[2].TextContent, StringComparison.Ordinal);
        Assert.Contains("Link to a file", rows[3].TextContent, StringComparison.Ordinal);
        Assert.Null(rows[4].QuerySelector("a[download]"));
        Assert.Contains("Over 25 MB", rows[4].TextContent, StringComparison.Ordinal);
        Assert.Equal("invoicefdp.exeSet-Cookie: x=1", rows[5].QuerySelector(".name")!.TextContent);
        Assert.Equal("Re: Budget", rows[2].QuerySelector(".name")!.TextContent);

        // One Table read and one Graph call (the body comes too: the page counts its blocked images), with immutable
        // ids; nothing written, nothing marked read.
        Assert.Equal(1, Host.Tables.Reads);
        Assert.Equal(0, Host.Tables.Writes);
        var call = Assert.Single(Host.Graph.Requests);
        Assert.Equal(HttpMethod.Get, call.Method);
        Assert.Contains("IdType=\"ImmutableId\"", call.Prefer, StringComparison.Ordinal);
        Assert.Contains("outlook.body-content-type=\"html\"", call.Prefer, StringComparison.Ordinal);
        Assert.DoesNotContain("isRead", call.Uri.Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Message_ListAndMessageCalls_AllAskForImmutableIds()
    {
        var message = Rich();

        await GetAsync("/api/Mail");
        await GetAsync(Path(message));

        Assert.All(Host.Graph.Requests.Where(r => r.Uri.AbsolutePath.Contains("/messages", StringComparison.Ordinal)), r => Assert.Contains("IdType=\"ImmutableId\"", r.Prefer, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Message_IdWithPlusSlashAndPadding_GoesAsOneEscapedPathSegment()
    {
        Rich(AwkwardId);

        var (response, page) = await GetAsync(MailPageView.MessageUrl(AwkwardId, new MessageQuery("inbox", 25, 0, null, null)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Q3 numbers and chart", page.QuerySelector("h1")!.TextContent);
        Assert.EndsWith("/me/messages/" + Uri.EscapeDataString(AwkwardId), Host.Graph.ItemRequests.Single().Uri.AbsolutePath, StringComparison.Ordinal);
    }

    public static TheoryData<string> BadLinks() => new()
    {
        "/api/Message",
        "/api/Message?id=",
        "/api/Message?id=" + new string('A', 513),
        "/api/Message?id=..%2F..%2Fme",
        "/api/Message?id=AAMk%20AAA",
        "/api/Message?id=AAMk%C3%A4",
        "/api/Message?id=AAMk.AAA",
        "/api/Message?id=%3Cscript%3E",
        "/api/Message?id=AAMkA&id=AAMkB",
        "/api/Message?id=AAMkA&images=yes",
        "/api/Message?id=AAMkA&size=1000",
        "/api/MessageBody?id=AAMk%00",
        "/api/MessageBody?id=AAMkA&images=2",
        "/api/Attachment?message=AAMkA&id=AAMkB",
        "/api/Attachment?message=AAMkA&id=AAMkB&download=1&t=x",
        "/api/Attachment?message=AAMk%2E&id=AAMkB&download=1",
        "/api/Attachment?message=AAMkA&id=" + new string('B', 513) + "&download=1",
        "/api/Attachment?message=AAMkA&download=1",
        "/api/Attachment?message=AAMkA&id=AAMkB&download=0",
    };

    [Theory]
    [MemberData(nameof(BadLinks))]
    public async Task BadLink_Is400WithNoTableReadAndNoGraphCall(string path)
    {
        ResetCounts();

        var (response, page) = await GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Matches("not valid|Page size", page.Body!.TextContent);
        Assert.Equal(0, Host.Tables.Reads);
        Assert.Empty(Host.Graph.Requests);
        Assert.DoesNotContain("at FuncMail", page.Body.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Message_Deleted_Is404WithTheWayBackAndTheSessionKept()
    {
        var (response, page) = await GetAsync(MailPageView.MessageUrl(StubIds.Message(), new MessageQuery("inbox", 50, 0, "lunch", null)));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("That message isn't there any more", page.QuerySelector("h1")!.TextContent);
        Assert.Equal("/api/Mail?size=50&q=lunch", page.QuerySelector("main a.button")!.GetAttribute("href"));
        Assert.False(response.Headers.Contains("Set-Cookie"));
        Assert.Equal(HttpStatusCode.OK, (await GetAsync("/api/Mail")).Response.StatusCode);
    }

    [Fact]
    public async Task Message_AccessDenied_Is403()
    {
        var message = Rich();
        Host.Graph.EnqueueItem(() => GraphStub.Error(HttpStatusCode.Forbidden, "ErrorAccessDenied", "Access is denied. Check credentials and try again."));

        var (response, page) = await GetAsync(Path(message));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("FuncMail may not read this mailbox", page.QuerySelector("h1")!.TextContent);
    }

    [Fact]
    public async Task Message_Throttled_IsTheBusyPageThatRetriesThisMessage()
    {
        var message = Rich();
        Host.Graph.EnqueueItem(() =>
        {
            var busy = GraphStub.Error(HttpStatusCode.TooManyRequests, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.");
            busy.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(30));
            return busy;
        });

        var (response, page) = await GetAsync(Path(message));

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Contains("30 seconds", page.Body!.TextContent, StringComparison.Ordinal);
        Assert.Equal(Path(message), page.QuerySelector("main a.button")!.GetAttribute("href"));
    }

    [Fact]
    public async Task Message_AccessTokenRevokedEarly_RefreshesOnceAndShows()
    {
        var message = Rich();
        var refreshes = Host.Entra.TokenPosts("refresh_token");
        Host.Graph.EnqueueItem(() => GraphStub.Error(HttpStatusCode.Unauthorized, "InvalidAuthenticationToken", "Access token has expired or is not yet valid."));

        var (response, page) = await GetAsync(Path(message));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Q3 numbers and chart", page.QuerySelector("h1")!.TextContent);
        Assert.Equal(refreshes + 1, Host.Entra.TokenPosts("refresh_token"));
    }

    [Fact]
    public async Task Download_GraphBreaksBeforeTheFirstByte_IsTheUnavailablePage()
    {
        var message = Rich();
        message.Attachments.Add(StubAttachment.File("broken.pdf", "application/pdf", Pdf) with { FailBeforeFirstByte = true });

        var (response, page) = await GetAsync(MailPageView.DownloadUrl(message.Id, message.Attachments[^1].Id));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("Microsoft Graph is not answering", page.QuerySelector("h1")!.TextContent);
    }

    [Fact]
    public async Task Message_FileWithoutASize_IsOfferedForDownload()
    {
        var message = Rich();
        message.Attachments.Add(StubAttachment.File("unsized.txt", "text/plain", "x"u8.ToArray()) with { SizeUnknown = true });

        var (_, page) = await GetAsync(Path(message));

        var row = page.QuerySelectorAll("ul.attachments li").Single(li => li.QuerySelector(".name")!.TextContent == "unsized.txt");
        Assert.NotNull(row.QuerySelector("a[download]"));
    }

    [Fact]
    public async Task Body_StorageDown_SaysSoAsAFrameDocument()
    {
        var message = Rich();
        Host.TableFaults.FailNext(10);

        var (response, page) = await GetAsync(MailPageView.BodyUrl(message.Id, false));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("SAMEORIGIN", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Contains("frame-ancestors 'self'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Contains("FuncMail's storage is not answering", page.Body!.TextContent, StringComparison.Ordinal);
        Host.TableFaults.Clear();
    }

    [Fact]
    public async Task Message_SignedOut_GoesToSignInAndBack()
    {
        var message = Rich();
        var (stranger, _) = Host.CreateBrowser();
        ResetCounts();

        using var response = await stranger.GetAsync(Path(message));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(Routes.SignInUrl(Path(message)), response.Headers.Location!.OriginalString);
        Assert.Empty(Host.Graph.Requests);
    }

    [Fact]
    [Trait("Checklist", "H7")]
    public async Task Body_HasItsOwnPolicyAndIsSanitized()
    {
        var message = Rich();
        ResetCounts();

        var (response, page) = await GetAsync(MailPageView.BodyUrl(message.Id, false));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; font-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'; sandbox allow-popups allow-popups-to-escape-sandbox",
            response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("SAMEORIGIN", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-store", response.Headers.CacheControl!.ToString());

        var first = page.QuerySelector("p:not(.funcmail-notice)")!;
        Assert.Equal("Numbers attached.", first.TextContent);
        Assert.Contains("color", first.GetAttribute("style"), StringComparison.Ordinal);
        Assert.DoesNotContain("images.contoso.example", page.DocumentElement.OuterHtml, StringComparison.Ordinal);
        Assert.DoesNotContain("track.contoso.example", page.DocumentElement.OuterHtml, StringComparison.Ordinal);
        Assert.Null(page.QuerySelector("[class*=funcmail-notice]"));
        Assert.Equal("_blank", page.QuerySelector("a[href='https://contoso.example/report']")!.GetAttribute("target"));

        // One Table read, one Graph call with the body as HTML and the inline images' Content-IDs by type cast.
        Assert.Equal(1, Host.Tables.Reads);
        var call = Assert.Single(Host.Graph.Requests);
        Assert.Contains("outlook.body-content-type=\"html\"", call.Prefer, StringComparison.Ordinal);
        Assert.Contains("IdType=\"ImmutableId\"", call.Prefer, StringComparison.Ordinal);
        Assert.Contains("microsoft.graph.fileAttachment/contentId", Uri.UnescapeDataString(call.Uri.Query), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ShowImages_IsThePageForThisMessageWithHttpsImagesOn()
    {
        var message = Rich();
        var other = Rich();
        var (_, page) = await GetAsync(Path(message));
        var notice = page.QuerySelector("main p.notice")!;
        Assert.StartsWith("1 remote image was blocked to protect your privacy.", notice.TextContent, StringComparison.Ordinal);
        var show = notice.QuerySelector("a")!.GetAttribute("href")!;
        Assert.Equal(MailPageView.MessageUrl(message.Id, new MessageQuery("inbox", 25, 0, null, null), showImages: true), show);

        var (_, withImages) = await GetAsync(show);
        var frame = withImages.QuerySelector("iframe.body")!.GetAttribute("src")!;
        Assert.Equal(MailPageView.BodyUrl(message.Id, true), frame);
        Assert.Null(withImages.QuerySelector("main p.notice"));
        ResetCounts();
        var (response, body) = await GetAsync(frame);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("img-src 'self' https:;", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.NotNull(body.QuerySelector("img[src='https://images.contoso.example/logo.png']"));
        Assert.DoesNotContain("track.contoso.example", body.DocumentElement.OuterHtml, StringComparison.Ordinal);
        Assert.Equal(1, Host.Tables.Reads);

        // Only that message: another one's body still has its images off.
        var (otherResponse, otherBody) = await GetAsync(MailPageView.BodyUrl(other.Id, false));
        Assert.DoesNotContain("https:", otherResponse.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Null(otherBody.QuerySelector("img[src^='https:']"));
    }

    [Fact]
    public async Task Body_WithoutASession_SaysSoInsideTheFrame()
    {
        var message = Rich();
        var (stranger, _) = Host.CreateBrowser();
        ResetCounts();

        var (response, page) = await GetAsync(MailPageView.BodyUrl(message.Id, false), stranger);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("SAMEORIGIN", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Contains("Reload the page to sign in again", page.Body!.TextContent, StringComparison.Ordinal);
        Assert.Empty(Host.Graph.Requests);
    }

    [Fact]
    public async Task Body_Deleted_SaysSoInsideTheFrame()
    {
        var (response, page) = await GetAsync(MailPageView.BodyUrl(StubIds.Message(), false));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("SAMEORIGIN", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Contains("That message isn't there any more", page.Body!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Body_InlineImage_LoadsByItsTokenWithoutACookie()
    {
        var message = Rich();
        var (_, page) = await GetAsync(MailPageView.BodyUrl(message.Id, false));
        var src = page.QuerySelector("img[alt=Chart]")!.GetAttribute("src")!;
        Assert.StartsWith(MailPageView.InlineImageUrl(message.Id, message.Attachments[1].Id, "")[..^1], src, StringComparison.Ordinal);
        var (sandboxed, _) = Host.CreateBrowser();
        ResetCounts();

        using var image = await sandboxed.GetAsync(src);

        Assert.Equal(HttpStatusCode.OK, image.StatusCode);
        Assert.Equal("image/png", image.Content.Headers.ContentType!.MediaType);
        Assert.Equal(StubAttachment.Png, await image.Content.ReadAsByteArrayAsync());
        Assert.Equal("nosniff", image.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("default-src 'none'; sandbox", image.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Null(image.Content.Headers.ContentDisposition);
        Assert.Equal(1, Host.Tables.Reads);
        Assert.Single(Host.Graph.Requests);

        // Altered, for another attachment, or expired: not found, with no I/O for the first two.
        ResetCounts();
        Assert.Equal(HttpStatusCode.NotFound, (await sandboxed.GetAsync(src[..^3] + (src[^3] == 'A' ? "B" : "A") + src[^2..])).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await sandboxed.GetAsync(src.Replace(Uri.EscapeDataString(message.Attachments[1].Id), Uri.EscapeDataString(message.Attachments[0].Id), StringComparison.Ordinal))).StatusCode);
        Assert.Equal(0, Host.Tables.Reads);
        Host.Time.Advance(FuncMail.Sessions.InlineImageTokens.Lifetime + TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.NotFound, (await sandboxed.GetAsync(src)).StatusCode);
    }

    [Theory]
    [InlineData("image/svg+xml", "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>")]
    [InlineData("image/png", "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>")]
    [InlineData("image/png", "<html><script>alert(1)</script>")]
    [Trait("Checklist", "H7")]
    public async Task Body_InlineSvgOrAnythingNotRaster_IsNeverServed(string claimedType, string content)
    {
        var message = Rich(body: ("html", "<p>x</p><img src=\"cid:logo\" alt=\"Logo\" width=\"40\">"));
        message.Attachments.Add(StubAttachment.File("logo", claimedType, Encoding.UTF8.GetBytes(content)) with { ContentId = "<logo>", IsInline = true });
        var (_, page) = await GetAsync(MailPageView.BodyUrl(message.Id, false));

        if (page.QuerySelector("img[alt=Logo]")?.GetAttribute("src") is { } src)
        {
            using var image = await Browser.GetAsync(src);
            Assert.Equal(HttpStatusCode.NotFound, image.StatusCode);
            Assert.DoesNotContain("svg", await image.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal("image/svg+xml", claimedType);
        }
    }

    [Fact]
    public async Task Body_PlainText_IsEncodedWithItsLineBreaks()
    {
        var message = Rich(body: ("text", "Hi <b>team</b>,\r\nsee https://contoso.example/plan\r\n-- Megan"));
        var ignoring = Rich(body: ("text", "Line one\r\nLine <two>"));
        Host.Graph.Inbox[0] = ignoring with { IgnoresBodyPreference = true };

        var (_, converted) = await GetAsync(MailPageView.BodyUrl(message.Id, false));
        var (_, text) = await GetAsync(MailPageView.BodyUrl(ignoring.Id, false));

        Assert.Contains("Hi <b>team</b>,", converted.Body!.TextContent, StringComparison.Ordinal);
        Assert.Null(converted.QuerySelector("b"));
        Assert.Contains("https://contoso.example/plan", converted.Body.TextContent, StringComparison.Ordinal);
        var pre = text.QuerySelector("pre.funcmail-text")!;
        Assert.Equal("Line one\r\nLine <two>", pre.TextContent.Replace("\n", "\r\n", StringComparison.Ordinal).Replace("\r\r", "\r", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Body_Huge_ShowsTheFirstPartAndOutlookForTheRest()
    {
        var message = Rich(body: ("html", "<table>" + string.Concat(Enumerable.Repeat("<tr><td>row</td></tr>", 20_000)) + "</table>"));

        var (_, page) = await GetAsync(Path(message));
        var (response, body) = await GetAsync(MailPageView.BodyUrl(message.Id, false));

        Assert.Contains("FuncMail shows its first part", page.QuerySelector("main p.notice")!.TextContent, StringComparison.Ordinal);
        Assert.StartsWith("https://outlook.office365.com/", page.QuerySelectorAll("a").Single(a => a.TextContent == "Open in Outlook for the rest").GetAttribute("href"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.InRange(body.QuerySelectorAll("td").Length, 1, MailHtml.MaxTags);
    }

    [Fact]
    public async Task Body_LargerThanFuncMailReads_SaysToOpenOutlook()
    {
        var message = Rich(body: ("html", "<p>" + new string('x', GraphMailClient.MaxBodyJsonBytes) + "</p>"));

        var (response, body) = await GetAsync(MailPageView.BodyUrl(message.Id, false));
        ResetCounts();
        var (pageResponse, page) = await GetAsync(Path(message));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("too large to show here", body.Body!.TextContent, StringComparison.Ordinal);
        Assert.Equal("SAMEORIGIN", response.Headers.GetValues("X-Frame-Options").Single());

        // The page still shows the header, from a second call without the body: the one case with two Graph calls.
        Assert.Equal(HttpStatusCode.OK, pageResponse.StatusCode);
        Assert.Equal("Q3 numbers and chart", page.QuerySelector("h1")!.TextContent);
        Assert.Contains("too large to show here", page.QuerySelector("main p.notice")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(2, Host.Graph.Requests.Count);
        Assert.Equal(1, Host.Tables.Reads);
    }

    [Fact]
    [Trait("Checklist", "H7")]
    public async Task Download_IsAnAttachmentWithItsTypeAndRfc6266Name()
    {
        var message = Rich();
        ResetCounts();

        using var response = await Browser.GetAsync(MailPageView.DownloadUrl(message.Id, message.Attachments[0].Id));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/pdf", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("attachment; filename=\"Q3 numbers.pdf\"; filename*=UTF-8''Q3%20numbers.pdf", response.Content.Headers.ContentDisposition!.ToString());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("default-src 'none'; sandbox", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal(Pdf, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(1, Host.Tables.Reads);
        Assert.Equal(2, Host.Graph.Requests.Count);
    }

    [Fact]
    [Trait("Checklist", "H7")]
    public async Task Download_HostileName_ComesOutSafeAndUnknownTypesAsOctetStream()
    {
        var message = Rich();

        using var response = await Browser.GetAsync(MailPageView.DownloadUrl(message.Id, message.Attachments[5].Id));

        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType!.MediaType);
        var disposition = string.Join(",", response.Content.Headers.GetValues("Content-Disposition"));
        Assert.Equal("attachment; filename=\"invoicefdp.exeSet-Cookie_ x=1\"; filename*=UTF-8''invoicefdp.exeSet-Cookie_%20x%3D1", disposition);
        Assert.DoesNotContain("%E2%80%AE", disposition, StringComparison.Ordinal);
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    [Theory]
    [InlineData("a\"b\".pdf", "a_b_.pdf")]
    [InlineData("..\\..\\windows/system32.txt", "_.._windows_system32.txt")]
    [InlineData("Grüße – 報告.pdf", "Grüße – 報告.pdf")]
    [InlineData("  . ", "attachment")]
    [InlineData("x\u2066y\u200Ez\u0000.txt", "xyz.txt")]
    [InlineData(null, "attachment")]
    [InlineData("report\uFFFE.pdf", "report.pdf")]
    [InlineData("half\uD800.pdf", "half.pdf")]
    public void CleanName_RemovesWhatCouldMisleadOrEscape(string? name, string expected) =>
        Assert.Equal(expected, AttachmentFiles.CleanName(name));

    [Fact]
    public void CleanName_Long_KeepsTheExtension()
    {
        var name = AttachmentFiles.CleanName(new string('a', 300) + ".pdf");

        Assert.Equal(AttachmentFiles.MaxNameLength, name.Length);
        Assert.EndsWith("a.pdf", name, StringComparison.Ordinal);
    }

    [Fact]
    public void CleanName_Long_NeverSplitsAnEmoji()
    {
        var name = AttachmentFiles.CleanName(new string('a', 140) + "👍👍👍👍👍👍.pdf");

        Assert.EndsWith("👍.pdf", name, StringComparison.Ordinal);
        Assert.DoesNotContain('\uFFFD', name);
        Assert.True(name.Length <= AttachmentFiles.MaxNameLength);
    }

    [Fact]
    public async Task Message_AttachmentNameWithANonCharacter_StillOpens()
    {
        var message = Rich();
        message.Attachments.Add(StubAttachment.File("report\uFFFE.pdf", "application/pdf", Pdf));

        var (response, page) = await GetAsync(Path(message));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(page.QuerySelectorAll("ul.attachments .name"), n => n.TextContent == "report.pdf");
        using var download = await Browser.GetAsync(MailPageView.DownloadUrl(message.Id, message.Attachments[^1].Id));
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
    }

    [Fact]
    public async Task Download_Streams_TheFirstBytesArriveBeforeGraphHasSentTheRest()
    {
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var bytes = new byte[256 * 1024];
        new Random(7).NextBytes(bytes);
        var message = Rich();
        message.Attachments.Add(StubAttachment.File("big.zip", "application/zip", bytes) with { HoldAfterFirstChunk = hold });

        using var response = await Browser.GetAsync(MailPageView.DownloadUrl(message.Id, message.Attachments[^1].Id), HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var first = new byte[1024];
        await body.ReadExactlyAsync(first);

        Assert.False(hold.Task.IsCompleted);
        Assert.Equal(bytes[..1024], first);
        hold.SetResult();
        using var rest = new MemoryStream();
        await body.CopyToAsync(rest);
        Assert.Equal(bytes.Length - 1024, rest.Length);
        Assert.Null(response.Content.Headers.ContentLength);
    }

    [Fact]
    public async Task Download_OverTheCap_IsItsPageAndGraphSendsNoBytes()
    {
        var message = Rich();
        ResetCounts();

        var (response, page) = await GetAsync(MailPageView.DownloadUrl(message.Id, message.Attachments[4].Id));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("That file is too large to download here", page.QuerySelector("h1")!.TextContent);
        Assert.Contains("25 MB", page.Body!.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain(Host.Graph.Requests, r => r.Uri.AbsolutePath.EndsWith("/$value", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Download_ItemOrReference_IsNotAFileToDownload(int index)
    {
        var message = Rich();

        var (response, page) = await GetAsync(MailPageView.DownloadUrl(message.Id, message.Attachments[index].Id));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("That attachment can't be opened here", page.QuerySelector("h1")!.TextContent);
    }

    [Fact]
    public async Task Download_SignedOut_GoesToSignInAndBackToTheFile()
    {
        var message = Rich();
        var (stranger, _) = Host.CreateBrowser();
        var path = MailPageView.DownloadUrl(message.Id, message.Attachments[0].Id);

        using var response = await stranger.GetAsync(path);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(Routes.SignInUrl(path), response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task ReadingAMessage_NeverWritesToTheMailbox()
    {
        var message = Rich();
        ResetCounts();

        await GetAsync(Path(message));
        await GetAsync(MailPageView.BodyUrl(message.Id, false));
        using (await Browser.GetAsync(MailPageView.DownloadUrl(message.Id, message.Attachments[0].Id)))
        {
        }

        Assert.All(Host.Graph.Requests, r => Assert.Equal(HttpMethod.Get, r.Method));
        Assert.DoesNotContain(Host.Graph.Requests, r => r.Uri.Query.Contains("isRead", StringComparison.Ordinal) && r.Uri.AbsolutePath.Contains("/me/messages/", StringComparison.Ordinal));
    }
}
