using System.Net;
using System.Text.Json;
using FuncMail.Mail;
using FuncMail.Tests.Infrastructure;

namespace FuncMail.Tests.Mail;

/// <summary>The mail page against Graph as it really answers: paged folder lists, localized mailboxes, odd messages, Microsoft's own examples.</summary>
public sealed class GraphAsItAnswersTests(AzuriteFixture azurite) : HostedTest(azurite)
{
    [Fact]
    public async Task Mail_MailboxWith259TopLevelFolders_ShowsEveryOne()
    {
        for (var i = 1; i <= 253; i++)
        {
            Host.Graph.Folders.Add(new StubFolder($"AAMkFolder{i:D4}", $"Project {i:D3}", null));
        }

        using (await FlowSteps.SignInAsync(Host, Browser)) { }

        var page = PageParsing.Parse(await Browser.GetStringAsync("/api/Mail"));

        Assert.Equal(259, page.QuerySelectorAll("nav.folders li").Length);
        Assert.Equal(2, Host.Graph.Requests.Count(r => r.Uri.AbsolutePath == "/v1.0/me/mailFolders")); // 250, then the rest
        Assert.Contains("folders inside folders are not listed", page.QuerySelector("nav.folders")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mail_MailboxWithMoreFoldersThanTenPages_SaysHowManyItShows()
    {
        for (var i = 1; i <= 2_600; i++)
        {
            Host.Graph.Folders.Add(new StubFolder($"AAMkFolder{i:D5}", $"Folder {i:D5}", null));
        }

        using (await FlowSteps.SignInAsync(Host, Browser)) { }

        var page = PageParsing.Parse(await Browser.GetStringAsync("/api/Mail"));

        Assert.Equal(GraphMailClient.MaxFolderPages, Host.Graph.Requests.Count(r => r.Uri.AbsolutePath == "/v1.0/me/mailFolders"));
        Assert.Contains("The first 2500 top-level folders", page.QuerySelector("nav.folders")!.TextContent, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("de", "Posteingang", "Gesendete Elemente", "Entwürfe", "Archiv", "Gelöschte Elemente")]
    [InlineData("ja", "受信トレイ", "送信済みアイテム", "下書き", "アーカイブ", "削除済みアイテム")]
    public async Task Mail_LocalizedMailbox_ShowsTheFiveWellKnownFoldersOnceInItsLanguageWithCounts(string language, params string[] names)
    {
        Host.Graph.Localize(language);
        using (await FlowSteps.SignInAsync(Host, Browser)) { }

        var page = PageParsing.Parse(await Browser.GetStringAsync("/api/Mail"));
        var links = page.QuerySelectorAll("nav.folders li a").Select(a => (Text: a.TextContent.Trim(), Href: a.GetAttribute("href")!)).ToList();

        Assert.Equal(names, links.Take(5).Select(l => l.Text.TrimEnd('0', '1', '2', '3', '4', '5', '6', '7', '8', '9')));
        Assert.Equal(names[0] + "1", links[0].Text); // one unread message in the inbox
        Assert.Equal(6, links.Count); // and Projects: each folder once
        Assert.DoesNotContain(links, l => l.Text.StartsWith("Inbox", StringComparison.Ordinal));
        Assert.Equal(names[0], page.QuerySelector("h1")!.TextContent);
    }

    [Fact]
    public async Task SignIn_ResolvesTheWellKnownFoldersInOneBatchAndKeepsTheirIds()
    {
        using (await FlowSteps.SignInAsync(Host, Browser)) { }

        Assert.Single(Host.Graph.Requests, r => r.Method == HttpMethod.Post && r.Uri.AbsolutePath == "/v1.0/$batch");
        var ids = JsonSerializer.Deserialize<Dictionary<string, string>>(Assert.Single(await Host.RowsAsync(Host.SessionsTable)).GetString("WellKnownFolderIds")!)!;
        Assert.Equal("AAMkInbox0001", ids["inbox"]);
        Assert.Equal(5, ids.Count);
    }

    [Fact]
    public async Task SignIn_BatchAndTimeZoneTogether_StayWithinGraphsFourRequestsPerMailbox()
    {
        // With latency the sign-in's two Graph calls overlap; a batch of five parallel items would then make six.
        Host.Graph.Latency = TimeSpan.FromMilliseconds(50);

        using (await FlowSteps.SignInAsync(Host, Browser)) { }

        Assert.Equal(0, Host.Graph.Throttled);
        Assert.Contains("\"inbox\"", Assert.Single(await Host.RowsAsync(Host.SessionsTable)).GetString("WellKnownFolderIds"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mail_SessionFromBeforeTheIdsWereKept_FallsBackToEnglishNames()
    {
        using (await FlowSteps.SignInAsync(Host, Browser)) { }
        var row = Assert.Single(await Host.RowsAsync(Host.SessionsTable));
        row.Remove("WellKnownFolderIds");
        await Host.SessionsTable.UpdateEntityAsync(row, row.ETag, Azure.Data.Tables.TableUpdateMode.Replace);

        var page = PageParsing.Parse(await Browser.GetStringAsync("/api/Mail"));

        Assert.Equal("Inbox1", page.QuerySelector("nav.folders li a")!.TextContent.Trim());
    }

    [Fact]
    public async Task WellKnownFolderIds_AnItemThrottledOrFailing_MakesTheAnswerUnknownNotPartial()
    {
        var answer = """{"responses":[{"id":"inbox","status":200,"body":{"id":"AAMkInbox"}},{"id":"sentitems","status":429,"body":{"error":{"code":"ApplicationThrottled"}}},{"id":"archive","status":404,"body":{"error":{"code":"ErrorItemNotFound"}}}]}""";
        using var http = new HttpClient(new Answering(answer)) { BaseAddress = new Uri(GraphStub.BaseUrl + "/") };
        var client = new GraphMailClient(http, Microsoft.Extensions.Logging.Abstractions.NullLogger<GraphMailClient>.Instance);

        Assert.Null(await client.GetWellKnownFolderIdsAsync("token", Guid.NewGuid(), CancellationToken.None));
    }

    [Fact]
    public async Task WellKnownFolderIds_AFolderTheMailboxLacks_IsLeftOut()
    {
        var answer = """{"responses":[{"id":"inbox","status":200,"body":{"id":"AAMkInbox"}},{"id":"inbox","status":200,"body":{"id":"AAMkInbox"}},{"id":"archive","status":404,"body":{"error":{"code":"ErrorItemNotFound"}}}]}""";
        using var http = new HttpClient(new Answering(answer)) { BaseAddress = new Uri(GraphStub.BaseUrl + "/") };
        var client = new GraphMailClient(http, Microsoft.Extensions.Logging.Abstractions.NullLogger<GraphMailClient>.Instance);

        Assert.Equal(new Dictionary<string, string> { ["inbox"] = "AAMkInbox" }, await client.GetWellKnownFolderIdsAsync("token", Guid.NewGuid(), CancellationToken.None));
    }

    private sealed class Answering(string json) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") });
    }

    [Fact]
    public async Task Mail_MessagesWithoutSenderOrSubject_ShowPlaceholders()
    {
        Host.Graph.Inbox.Add(new StubMessage(null, null, null, DateTimeOffset.UtcNow));
        using (await FlowSteps.SignInAsync(Host, Browser)) { }

        var body = await Browser.GetStringAsync("/api/Mail");

        Assert.Contains("(unknown sender)", body, StringComparison.Ordinal);
        Assert.Contains("(no subject)", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mail_AccountWithoutAnExchangeOnlineMailbox_GetsItsOwnPage()
    {
        Host.Graph.HasMailbox = false;
        using (await FlowSteps.SignInAsync(Host, Browser)) { }

        var (response, body) = await FlowSteps.GetPageAsync(Browser, "/api/Mail");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("no mailbox FuncMail can read", body, StringComparison.Ordinal);
        Assert.Contains("Exchange Online licence", body, StringComparison.Ordinal);
    }

    [Fact]
    public void MicrosoftsListMailFoldersExample_FillsThePicker()
    {
        var page = JsonSerializer.Deserialize(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Mail", "Recorded", "list-mailfolders.json")), GraphJsonContext.Default.GraphFolderPage)!;

        var links = MailPageView.Folders(page.Value, new MessageQuery("inbox", 10, 0, null, null), wellKnownIds: null);

        Assert.Equal(("Inbox", 70), (links[0].Name, links[0].Unread));
        Assert.Equal(["Inbox", "Sent Items", "Drafts", "Archive", "Deleted Items", "Conversation History", "Junk Email", "Outbox", "Weekly digests"], links.Select(l => l.Name));
    }

    [Fact]
    public void MicrosoftsListMessagesExample_WithOnlySenderAndSubject_Renders()
    {
        var page = JsonSerializer.Deserialize(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Mail", "Recorded", "list-messages.json")), GraphJsonContext.Default.GraphMessagePage)!;

        var row = Assert.Single(MailPageView.Rows(page.Value, new MessageQuery("inbox", 25, 0, null, null), TimeZoneInfo.Utc, DateTimeOffset.UtcNow));

        Assert.Equal("You have late tasks!", row.Subject);
        Assert.Equal("(unknown sender)", row.FromName);
        Assert.Equal("", row.ReceivedText);
    }
}
