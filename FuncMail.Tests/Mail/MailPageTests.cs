using System.Net;
using System.Text;
using FuncMail.Mail;
using FuncMail.Tests.Infrastructure;

namespace FuncMail.Tests.Mail;

/// <summary>The mail page's features over real HTTP: folders, paging, search, empty states, error pages, encoding.</summary>
public sealed class MailPageTests(AzuriteFixture azurite) : HostedTest(azurite, signedIn: true)
{
    private async Task<AngleSharp.Html.Dom.IHtmlDocument> PageAsync(string path, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var (response, body) = await FlowSteps.GetPageAsync(Browser, path);
        Assert.True(response.StatusCode == expected, $"HTTP {(int)response.StatusCode} for {path}\n{body}");
        return PageParsing.Parse(body);
    }

    private static List<string> Subjects(AngleSharp.Html.Dom.IHtmlDocument page) =>
        [.. page.QuerySelectorAll("ol.rows > li .subject .text").Select(s => s.TextContent)];

    private void FillInbox(int count)
    {
        Host.Graph.Inbox.Clear();
        for (var i = 0; i < count; i++)
        {
            Host.Graph.Inbox.Add(new StubMessage($"Message {i:00}", "Sender", "s@contoso.example", new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero).AddHours(-i)));
        }
    }

    [Fact]
    public async Task Mail_Default_ShowsInboxRowsWithMarkersPreviewAndOutlookLink()
    {
        var page = await PageAsync("/api/Mail");

        var rows = page.QuerySelectorAll("ol.rows > li");
        Assert.Equal(3, rows.Length);
        Assert.Contains("unread", rows[0].ClassList);
        Assert.NotNull(rows[0].QuerySelector("[title='Has attachments']"));
        Assert.NotNull(rows[1].QuerySelector("[title='High importance']"));
        Assert.Equal("(no subject)", rows[2].QuerySelector(".subject .text")!.TextContent);
        Assert.Equal("Preview of Quarterly numbers", rows[0].QuerySelector(".preview")!.TextContent);
        Assert.Equal("megan@contoso.example", rows[0].QuerySelector(".from")!.GetAttribute("title"));
        Assert.StartsWith("https://outlook.office365.com/", rows[0].QuerySelector("a.open")!.GetAttribute("href"), StringComparison.Ordinal);
        Assert.Contains("Times are in your mailbox's time zone", page.Body!.TextContent, StringComparison.Ordinal);
        Assert.Equal("Inbox", page.QuerySelector("nav.folders a[aria-current=page]")!.TextContent.Trim()[..5]);
    }

    [Fact]
    public async Task Mail_WithoutMailboxTimeZone_ShowsUtcAndSaysSo()
    {
        Host.Graph.MailboxTimeZone = null;
        var (other, _) = Host.CreateBrowser();
        using (await FlowSteps.SignInAsync(Host, other)) { }

        var page = PageParsing.Parse(await other.GetStringAsync("/api/Mail"));

        Assert.Contains("Times are in UTC", page.Body!.TextContent, StringComparison.Ordinal);
        Assert.EndsWith("+00:00", page.QuerySelector("time")!.GetAttribute("datetime"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mail_PagingOlderThenNewer_WalksThePages()
    {
        FillInbox(23);

        var first = await PageAsync("/api/Mail?size=10");
        Assert.Equal("Message 00", Subjects(first)[0]);
        Assert.Null(first.QuerySelector("a[rel=prev]"));
        var olderUrl = first.QuerySelector("a[rel=next]")!.GetAttribute("href")!;

        var second = await PageAsync(olderUrl);
        Assert.Equal("Message 10", Subjects(second)[0]);
        var third = await PageAsync(second.QuerySelector("a[rel=next]")!.GetAttribute("href")!);
        Assert.Equal(["Message 20", "Message 21", "Message 22"], Subjects(third));
        Assert.Null(third.QuerySelector("a[rel=next]"));

        var back = await PageAsync(third.QuerySelector("a[rel=prev]")!.GetAttribute("href")!);
        Assert.Equal("Message 10", Subjects(back)[0]);

        // A folder pages by $skip, and Graph's nextLink for it (with $skip, not $skiptoken) is nothing to warn about.
        Assert.DoesNotContain(Host.Logs.GetSnapshot(), r => r.Level >= Microsoft.Extensions.Logging.LogLevel.Warning);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(25)]
    [InlineData(50)]
    public async Task Mail_PageSizes_AskGraphForThatMany(int size)
    {
        FillInbox(60);

        var page = await PageAsync($"/api/Mail?size={size}");

        Assert.Equal(size, Subjects(page).Count);
        Assert.Contains($"$top={size}", Host.Graph.MessageRequests.Last().Uri.Query, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/Mail?size=11")]
    [InlineData("/api/Mail?size=1000")]
    [InlineData("/api/Mail?skip=1001")]
    [InlineData("/api/Mail?skip=-10")]
    [InlineData("/api/Mail?size=10&size=25")]
    public async Task Mail_OutOfBoundsPaging_Is400WithoutGraphCall(string path)
    {
        var page = await PageAsync(path, path.Contains("size=10&size=25", StringComparison.Ordinal) ? HttpStatusCode.OK : HttpStatusCode.BadRequest);

        Assert.NotNull(page.QuerySelector("h1"));
        if (!path.Contains("&size", StringComparison.Ordinal))
        {
            Assert.Empty(Host.Graph.MessageRequests);
        }
    }

    [Fact]
    [Trait("Checklist", "D6")]
    public async Task Mail_ForgedNextLink_GoesToGraphOnlyAsASkipTokenAndGetsThePageLinkPage()
    {
        // "next" carries a $skiptoken, never a URL: whatever a browser puts there, FuncMail builds the request itself.
        var forged = "https://evil.example/v1.0/me/mailFolders/inbox/messages?$skiptoken=1";

        var page = await PageAsync($"/api/Mail?q=lunch&next={Uri.EscapeDataString(forged)}", HttpStatusCode.BadRequest);

        Assert.Contains("no longer valid", page.Body!.TextContent, StringComparison.Ordinal);
        Assert.All(Host.Graph.Requests, r => Assert.Equal("graph.microsoft.com", r.Uri.Host));
        var request = Host.Graph.MessageRequests.Last().Uri;
        Assert.Equal("/v1.0/me/mailFolders/inbox/messages", request.AbsolutePath);
        Assert.Equal(forged, System.Web.HttpUtility.ParseQueryString(request.Query)["$skiptoken"]);
    }

    [Theory]
    [Trait("Checklist", "D6")]
    [InlineData("/api/Mail?next=abc")]
    [InlineData("/api/Mail?q=lunch&next=a%0Db")]
    public async Task Mail_NextWithoutSearchOrWithControlCharacters_Is400BeforeAnyIo(string path)
    {
        var before = Host.Graph.Requests.Count;

        await PageAsync(path, HttpStatusCode.BadRequest);

        Assert.Equal(before, Host.Graph.Requests.Count);
        Assert.Equal(0, Host.Tables.Reads);
    }

    [Theory]
    [Trait("Checklist", "G1")]
    [InlineData("/api/Mail?size=11")]
    [InlineData("/api/Mail?skip=5000")]
    [InlineData("/api/Mail?q=a%09b")]
    public async Task Mail_WithABadLink_Is400_AndTheSessionAndItsCookieStay(string path)
    {
        using var response = await Browser.GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"), string.Join("; ", response.Headers.TryGetValues("Set-Cookie", out var set) ? set : []));
        using var next = await Browser.GetAsync("/api/Mail");
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    [Trait("Checklist", "D6")]
    public async Task Mail_SearchPaging_FollowsGraphsContinuationAndComesBack()
    {
        FillInbox(14);

        var first = await PageAsync("/api/Mail?q=Message&size=10");
        Assert.Equal(10, Subjects(first).Count);
        var next = first.QuerySelector("a[rel=next]")!.GetAttribute("href")!;
        Assert.Contains("next=MSZZVlJCUVV", next, StringComparison.Ordinal); // Graph's $skiptoken, not its URL

        var second = await PageAsync(next);
        Assert.Equal(4, Subjects(second).Count);
        Assert.StartsWith(GraphStub.BaseUrl + "/me/mailFolders/inbox/messages?", Host.Graph.MessageRequests.Last().Uri.AbsoluteUri, StringComparison.Ordinal);
        var back = await PageAsync(second.QuerySelector("a[rel=prev]")!.GetAttribute("href")!);
        Assert.Equal(10, Subjects(back).Count);
    }

    [Fact]
    public async Task Mail_Search_UsesGraphSearchWithoutOrderAndSaysHowResultsAreOrdered()
    {
        var page = await PageAsync("/api/Mail?q=lunch");

        Assert.Equal(["Lunch?"], Subjects(page));
        var request = Host.Graph.MessageRequests.Last().Uri.Query;
        Assert.Contains("$search=%22lunch%22", request, StringComparison.Ordinal);
        Assert.DoesNotContain("$orderby", request, StringComparison.Ordinal);
        Assert.Contains("Graph cannot sort a search", page.Body!.TextContent, StringComparison.Ordinal);
        Assert.Equal("lunch", page.QuerySelector("input[name=q]")!.GetAttribute("value"));
    }

    [Fact]
    public async Task Mail_SearchWithQuotes_IsEscapedForGraph()
    {
        await PageAsync("/api/Mail?q=" + Uri.EscapeDataString("say \"hi\" \\ there"));

        Assert.Contains(Uri.EscapeDataString("\"say \\\"hi\\\" \\\\ there\""), Host.Graph.MessageRequests.Last().Uri.Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mail_FolderPicker_ListsWellKnownAndUserFoldersWithUnreadCounts()
    {
        var page = await PageAsync("/api/Mail");

        var folders = page.QuerySelectorAll("nav.folders a").Select(a => a.TextContent.Trim()).ToList();
        Assert.Equal(["Inbox1", "Sent Items", "Drafts", "Archive", "Deleted Items", "Projects1"], folders);
    }

    [Fact]
    public async Task Mail_FolderSwitch_ShowsThatFoldersMessages()
    {
        var sent = await PageAsync("/api/Mail?folder=sentitems");
        Assert.Equal(["Re: Lunch?"], Subjects(sent));
        Assert.Equal("Sent Items", sent.QuerySelector("h1")!.TextContent);

        var projectsLink = sent.QuerySelectorAll("nav.folders a").Single(a => a.TextContent.StartsWith("Projects", StringComparison.Ordinal)).GetAttribute("href")!;
        var projects = await PageAsync(projectsLink);
        Assert.Equal(["Roadmap"], Subjects(projects));
        Assert.Equal("Projects", projects.QuerySelector("h1")!.TextContent);
        Assert.StartsWith("Projects", projects.QuerySelector("nav.folders a[aria-current=page]")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mail_EmptyFolder_SaysSo()
    {
        var page = await PageAsync("/api/Mail?folder=drafts");

        Assert.Empty(Subjects(page));
        Assert.Equal("This folder is empty.", page.QuerySelector(".empty")!.TextContent);
    }

    [Fact]
    public async Task Mail_SearchWithNoResults_SaysSo()
    {
        var page = await PageAsync("/api/Mail?q=zebra");

        Assert.Equal("No messages match your search.", page.QuerySelector(".empty")!.TextContent);
    }

    [Fact]
    public async Task Mail_FolderThatDoesNotExist_Is404Page()
    {
        var page = await PageAsync("/api/Mail?folder=AAMkGone0099", HttpStatusCode.NotFound);

        Assert.Equal("That folder doesn't exist", page.QuerySelector("h1")!.TextContent);
        Assert.Contains("Support id", page.Body!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Checklist", "E1")]
    public async Task Mail_Graph429WithShortRetryAfterThen200_RetriesOnceAndShowsMail()
    {
        Host.Graph.Enqueue(() => Throttled(TimeSpan.FromSeconds(1)));

        var page = await PageAsync("/api/Mail");

        Assert.Equal(3, Subjects(page).Count);
        Assert.Equal(2, Host.Graph.MessageRequests.Count());
        var retry = Assert.Single(Host.Logs.GetSnapshot(), r => r.Id.Id == 3006);
        Assert.EndsWith("waiting 1000 ms", retry.Message, StringComparison.Ordinal); // Retry-After, not the backoff
    }

    [Fact]
    [Trait("Checklist", "E1")]
    public async Task Mail_Graph429WithLongRetryAfter_ShowsTryAgainInThatManySecondsWithoutRetrying()
    {
        Host.Graph.Enqueue(() => Throttled(TimeSpan.FromSeconds(90)));

        var page = await PageAsync("/api/Mail", HttpStatusCode.TooManyRequests);

        Assert.Contains("Try again in 90 seconds", page.Body!.TextContent, StringComparison.Ordinal);
        Assert.Single(Host.Graph.MessageRequests);
    }

    [Fact]
    [Trait("Checklist", "E1")]
    public async Task Mail_Graph429WithoutRetryAfter_BacksOffBoundedThenShowsThrottledPage()
    {
        for (var i = 0; i < 5; i++)
        {
            Host.Graph.Enqueue(() => Throttled(null));
        }

        var page = await PageAsync("/api/Mail", HttpStatusCode.TooManyRequests);

        Assert.Contains("Try again in 30 seconds", page.Body!.TextContent, StringComparison.Ordinal);
        Assert.Equal(3, Host.Graph.MessageRequests.Count());

        // The waits the pipeline chose (QuickRetryClock skips them here): each within the longest wait, and together
        // far inside the 20 s Graph budget and the request's 40 s deadline.
        var waits = Host.Logs.GetSnapshot().Where(r => r.Id.Id == 3006).Select(r => long.Parse(r.Message[(r.Message.LastIndexOf("waiting ", StringComparison.Ordinal) + 8)..^3], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(2, waits.Count);
        Assert.All(waits, wait => Assert.InRange(wait, 1, (long)GraphResilience.LongestWait.TotalMilliseconds));
        Assert.True(waits.Sum() < GraphResilience.TotalTimeout.TotalMilliseconds / 2, $"{waits.Sum()} ms of waits");
    }

    [Fact]
    [Trait("Checklist", "E1")]
    public async Task Mail_FiveGraph503s_MakeBoundedAttemptsAndEndOnTheUnavailablePage()
    {
        for (var i = 0; i < 5; i++)
        {
            Host.Graph.Enqueue(() => GraphStub.Error(HttpStatusCode.ServiceUnavailable, "ServiceUnavailable", "Try later."));
        }

        var page = await PageAsync("/api/Mail", HttpStatusCode.ServiceUnavailable);

        Assert.Contains("Microsoft Graph is not answering", page.Body!.TextContent, StringComparison.Ordinal);
        Assert.Equal(3, Host.Graph.MessageRequests.Count());
        Assert.Single(await Host.RowsAsync(Host.SessionsTable));
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest)]
    [InlineData(HttpStatusCode.Conflict)]
    public async Task Mail_GraphOther4xx_IsNeverRetried(HttpStatusCode status)
    {
        Host.Graph.Enqueue(() => GraphStub.Error(status, "Nope", "No."));

        await PageAsync("/api/Mail", status == HttpStatusCode.BadRequest ? HttpStatusCode.NotFound : HttpStatusCode.ServiceUnavailable);

        Assert.Single(Host.Graph.MessageRequests);
    }

    [Fact]
    public async Task Mail_SessionExpired_RedirectsToSignInKeepingTheWholeReturnUrlAndLandsThere()
    {
        Host.Time.Advance(TimeSpan.FromHours(2));

        using var expired = await Browser.GetAsync("/api/Mail?folder=sentitems&size=25");

        Assert.Equal("/api/SignIn?returnUrl=%2Fapi%2FMail%3Ffolder%3Dsentitems%26size%3D25", expired.Location());
        using var signedIn = await FlowSteps.SignInAsync(Host, Browser, returnUrl: "/api/Mail?folder=sentitems&size=25");
        Assert.Equal("/api/Mail?folder=sentitems&size=25", signedIn.Location());
    }

    [Fact]
    [Trait("Checklist", "D1")]
    [Trait("Checklist", "D3")]
    public async Task Mail_ErrorPages_KeepTheSecurityHeaders()
    {
        Host.Graph.Enqueue(() => GraphStub.Error(HttpStatusCode.NotFound, "ErrorItemNotFound", "Not found."));

        using var response = await Browser.GetAsync("/api/Mail?folder=AAMkGone");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.StartsWith("default-src 'self'", response.Header("Content-Security-Policy"), StringComparison.Ordinal);
        Assert.Equal("no-store", response.Header("Cache-Control"));
        Assert.Equal("no-referrer", response.Header("Referrer-Policy"));
    }

    [Fact]
    [Trait("Checklist", "F2")]
    public async Task Mail_GraphCalls_LogGraphsRequestIdWithOurClientRequestId()
    {
        await PageAsync("/api/Mail");

        var call = Host.Graph.MessageRequests.Last();
        var graphIds = Host.Graph.ResponseRequestIds.ToList();
        Assert.Contains(Host.Logs.GetSnapshot(), r => r.Id.Id == 3000
            && r.Message.Contains($"client-request-id {call.ClientRequestId}", StringComparison.Ordinal)
            && graphIds.Any(id => r.Message.EndsWith($", request-id {id}", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Mail_GraphConnectionCutMidBody_ShowsUnavailablePage()
    {
        Host.Graph.Enqueue(() => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new CutOffStream("{\"value\": [ {\"subject\": \"Hel"u8.ToArray())) });

        var page = await PageAsync("/api/Mail", HttpStatusCode.ServiceUnavailable);

        Assert.Contains("Microsoft Graph is not answering", page.Body!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mail_GraphMalformedJson_ShowsUnavailablePage()
    {
        Host.Graph.Enqueue(() => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{\"value\": [ {\"subject\": ", Encoding.UTF8, "application/json") });

        var page = await PageAsync("/api/Mail", HttpStatusCode.ServiceUnavailable);

        Assert.DoesNotContain("Exception", page.Source.Text, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Checklist", "D5")]
    public async Task Mail_HostileFields_AreEncodedAndUnsafeLinksDropped()
    {
        var rtl = "\u202eevil.exe\u202c " + string.Concat(Enumerable.Repeat("\u05e9\u05dc\u05d5\u05dd \ud83d\udce7 ", 400));
        Host.Graph.Inbox.Clear();
        Host.Graph.Inbox.Add(new StubMessage("<script>alert(1)</script>", "\" onmouseover=\"alert(2)", "a'><svg onload=alert(3)>@x.example", DateTimeOffset.UtcNow)
        {
            Preview = "</div><img src=x onerror=alert(4)>",
            WebLink = "javascript:alert(5)",
        });
        Host.Graph.Inbox.Add(new StubMessage(rtl, rtl, "rtl@x.example", DateTimeOffset.UtcNow.AddMinutes(-1)) { WebLink = "https://outlook.office365.com\" onclick=\"alert(6)" });

        var (_, body) = await FlowSteps.GetPageAsync(Browser, "/api/Mail");
        var page = PageParsing.Parse(body);

        Assert.Empty(page.QuerySelectorAll("script, img, svg, [onmouseover], [onload], [onerror], [onclick]"));
        Assert.Empty(page.QuerySelectorAll("a[href^='javascript']"));
        var rows = page.QuerySelectorAll("ol.rows > li");
        Assert.Equal(2, rows.Length);
        Assert.Null(rows[0].QuerySelector("a.open"));
        Assert.Equal("<script>alert(1)</script>", rows[0].QuerySelector(".subject .text")!.TextContent);
        Assert.Equal("</div><img src=x onerror=alert(4)>", rows[0].QuerySelector(".preview")!.TextContent);
        Assert.Equal("a'><svg onload=alert(3)>@x.example", rows[0].QuerySelector(".from")!.GetAttribute("title"));
        Assert.Equal(rtl, rows[1].QuerySelector(".subject .text")!.TextContent);
        Assert.Null(rows[1].QuerySelector("a.open"));
        FuncMailAssert.NoOffOriginReferences(body);
    }

    [Fact]
    public async Task Mail_RecordedFiftyMessagePayload_RendersEveryRowMarkerAndSafeLink()
    {
        var recorded = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Mail", "Recorded", "inbox-50.json"));
        Host.Graph.Enqueue(() => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(recorded, Encoding.UTF8, "application/json") });

        var page = await PageAsync("/api/Mail?size=50");

        var rows = page.QuerySelectorAll("ol.rows > li");
        Assert.Equal(50, rows.Length);
        Assert.Equal(8, rows.Count(r => r.ClassList.Contains("unread")));
        Assert.Equal(5, page.QuerySelectorAll("[title='Has attachments']").Length);
        Assert.Equal(3, page.QuerySelectorAll("[title='High importance']").Length);
        Assert.Equal(48, page.QuerySelectorAll("a.open").Length); // the javascript: and plain-http webLinks are dropped
        Assert.All(page.QuerySelectorAll("a.open"), a => Assert.StartsWith("https://outlook.office365.com/owa/", a.GetAttribute("href"), StringComparison.Ordinal));
        Assert.Single(rows, r => r.QuerySelector(".subject .text")!.TextContent == "(no subject)");
        Assert.All(rows, r => Assert.False(string.IsNullOrEmpty(r.QuerySelector("time")!.GetAttribute("datetime"))));
        Assert.NotNull(page.QuerySelector("a[rel=next]"));
    }

    /// <summary>A body that breaks off like a reset connection.</summary>
    private sealed class CutOffStream(byte[] start) : MemoryStream(start)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, count) is > 0 and var n ? n : throw new IOException("Connection reset by peer");

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(base.Read(buffer.Span) is > 0 and var n ? n : throw new IOException("Connection reset by peer"));
    }

    private static HttpResponseMessage Throttled(TimeSpan? retryAfter)
    {
        var response = GraphStub.Error(HttpStatusCode.TooManyRequests, "ApplicationThrottled", "Too many requests.");
        response.Headers.RetryAfter = retryAfter is { } wait ? new(wait) : null;
        return response;
    }
}
