using System.Net;
using FuncMail.Tests.Infrastructure;

namespace FuncMail.Tests.Worker;

/// <summary>
/// The sign-in flow and the mail page through the real worker process: Program.cs, AddFuncMail, the worker middleware,
/// the worker's DI scope and function activation, and its ASP.NET Core integration all run as in Azure.
/// </summary>
[Collection(AzuriteCollection.Name)]
[Trait("Host", "Worker")]
public sealed class WorkerFlowTests(WorkerHostFixture worker, AzuriteFixture azurite) : IClassFixture<WorkerHostFixture>
{
    private FuncMailWorkerHost Host => worker.Host;

    [Fact]
    [Trait("Checklist", "F2")]
    public async Task ErrorPage_SupportId_IsTheHostsTraceId_ApplicationInsightsOperationId()
    {
        var (browser, _) = Host.CreateBrowser();
        var before = Host.Emulator.Invocations.Count;

        using var response = await browser.GetAsync("/api/Mail?size=15");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var invocation = Host.Emulator.Invocations.Skip(before).Single(i => i.FunctionName == "Mail");
        Assert.Matches("^[0-9a-f]{32}$", invocation.TraceId);
        Assert.Contains($"Support id: {invocation.TraceId}", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FullFlow_SignInReadPageThroughSignOut_EndsSignedOut()
    {
        var (browser, jar) = Host.CreateBrowser();
        var older = Enumerable.Range(1, 12).Select(i => new StubMessage($"Older news {i}", "Nestor Wilke", "nestor@contoso.example", new DateTimeOffset(2026, 10, 1, 8, 0, 0, TimeSpan.Zero).AddHours(-i))).ToList();
        Host.Graph.Inbox.AddRange(older);
        try
        {
            var (home, homeBody) = await FlowSteps.GetPageAsync(browser, "/api/Home");
            Assert.True(HttpStatusCode.OK == home.StatusCode, string.Join("\n", Host.Emulator.Invocations) + Host.LogText);
            Assert.Contains("Sign in with Microsoft", homeBody, StringComparison.Ordinal);

            using var callback = await FlowSteps.SignInAsync(Host, browser);
            Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
            Assert.Equal("/api/Mail", callback.Location());

            var (mail, mailBody) = await FlowSteps.GetPageAsync(browser, "/api/Mail");
            Assert.Equal(HttpStatusCode.OK, mail.StatusCode);
            Assert.Contains("Quarterly numbers", mailBody, StringComparison.Ordinal);
            Assert.Contains(Host.Entra.DefaultUser.Username, mailBody, StringComparison.Ordinal);

            var olderLink = PageParsing.Parse(mailBody).QuerySelector("a[rel=next]")!.GetAttribute("href")!;
            var (page2, page2Body) = await FlowSteps.GetPageAsync(browser, olderLink);
            Assert.Equal(HttpStatusCode.OK, page2.StatusCode);
            Assert.Contains("Older news 12", page2Body, StringComparison.Ordinal);
            var newerLink = PageParsing.Parse(page2Body).QuerySelector("a[rel=prev]")!.GetAttribute("href")!;
            var (page1, page1Body) = await FlowSteps.GetPageAsync(browser, newerLink);
            Assert.Equal(HttpStatusCode.OK, page1.StatusCode);
            Assert.Contains("Quarterly numbers", page1Body, StringComparison.Ordinal);

            var signedInHome = await browser.GetStringAsync("/api/Home");
            Assert.Contains(Host.Entra.DefaultUser.Name, signedInHome, StringComparison.Ordinal);
            var sessionId = Cookies.IdOf(jar.Cookies[Cookies.Session]);
            Assert.Contains(await Host.RowsAsync(Host.SessionsTable), r => r.PartitionKey == sessionId);

            using var signOut = await browser.PostAsync("/api/SignOut", new FormUrlEncodedContent(new Dictionary<string, string> { ["csrf"] = PageParsing.SignOutToken(signedInHome) }));
            Assert.Equal(HttpStatusCode.SeeOther, signOut.StatusCode);
            Assert.StartsWith($"https://login.microsoftonline.com/common/oauth2/v2.0/logout?post_logout_redirect_uri={Uri.EscapeDataString(new Uri(Host.BaseAddress, "/api/Home").AbsoluteUri)}&logout_hint=", signOut.Location(), StringComparison.Ordinal);
            Assert.DoesNotContain(Cookies.Session, jar.Cookies.Keys);
            Assert.DoesNotContain(await Host.RowsAsync(Host.SessionsTable), r => r.PartitionKey == sessionId);

            using var after = await browser.GetAsync("/api/Mail");
            Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
            Assert.StartsWith("/api/SignIn?returnUrl=", after.Location(), StringComparison.Ordinal);
            Host.AssertNoUnexpectedCalls();
        }
        finally
        {
            Host.Graph.Inbox.RemoveAll(older.Contains);
        }
    }

    [Fact]
    public async Task EveryInvocation_RepliesToTheHostWithoutAReturnValue()
    {
        // The worker serializes a returned IActionResult into its reply to the host. For SignIn that would be the whole
        // authorize URL (state, nonce, code_challenge); FuncMail's middleware executes the result itself and clears it.
        var (browser, _) = Host.CreateBrowser();
        var authorize = await FlowSteps.StartSignInAsync(browser);
        var responses = new List<HttpResponseMessage>();
        try
        {
            responses.Add(await browser.GetAsync(Host.Entra.Authorize(authorize).PathAndQuery));
            responses.Add(await browser.GetAsync("/api/Mail"));
            responses.Add(await browser.GetAsync("/api/Home"));
            responses.Add(await browser.GetAsync("/api/SignOut"));
            responses.Add(await browser.GetAsync("/api/SignIn"));

            var invocations = await Host.Emulator.InvocationsAsync([.. responses.Select(r => r.InvocationId())]);

            Assert.Equal(["GetToken", "Mail", "Home", "SignOut", "SignIn"], invocations.Select(i => i.FunctionName));
            Assert.All(invocations, i =>
            {
                Assert.Equal(Microsoft.Azure.WebJobs.Script.Grpc.Messages.StatusResult.Types.Status.Success, i.Status);
                Assert.True(i.ReturnValue is null, $"{i.FunctionName} returned {i.ReturnValue} to the host");
                Assert.Equal("[ ]", i.OutputData);
            });
        }
        finally
        {
            responses.ForEach(r => r.Dispose());
        }
    }

    [Fact]
    [Trait("Checklist", "A6")]
    public async Task GetToken_CallbackFiredTwice_RedeemsOnceAndSendsTheSecondToTheMail()
    {
        var (browser, _) = Host.CreateBrowser();
        var authorize = await FlowSteps.StartSignInAsync(browser);
        var callback = Host.Entra.Authorize(authorize);
        var redemptions = Host.Entra.TokenPosts("authorization_code");

        using var first = await browser.GetAsync(callback.PathAndQuery);
        using var second = await browser.GetAsync(callback.PathAndQuery);

        Assert.Equal("/api/Mail", first.Location());
        Assert.Equal(HttpStatusCode.Redirect, second.StatusCode);
        Assert.Equal("/api/Mail", second.Location());
        Assert.Equal(redemptions + 1, Host.Entra.TokenPosts("authorization_code"));
    }

    [Theory]
    [Trait("Checklist", "A8")]
    [InlineData("/api/Mail?folder=sentitems&size=25", "/api/Mail?folder=sentitems&size=25")]
    [InlineData("//evil.example/phish", "/api/Mail")]
    [InlineData("https://evil.example/", "/api/Mail")]
    public async Task SignIn_ReturnUrl_SurvivesTheRoundTripOnlyWhenLocal(string returnUrl, string expected)
    {
        var (browser, _) = Host.CreateBrowser();

        using var callback = await FlowSteps.SignInAsync(Host, browser, returnUrl: returnUrl);

        Assert.Equal(expected, callback.Location());
    }

    [Fact]
    [Trait("Checklist", "F3")]
    public async Task Mail_WithTamperedCookie_RedirectsToSignInAndLogsOneWarning()
    {
        var (browser, jar) = Host.CreateBrowser();
        using (await FlowSteps.SignInAsync(Host, browser)) { }
        var genuine = jar.Cookies[Cookies.Session];
        jar.Cookies[Cookies.Session] = genuine[..^4] + (genuine[^4..] == "AAAA" ? "BBBB" : "AAAA");

        using var response = await browser.GetAsync("/api/Mail");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/api/SignIn", response.Location(), StringComparison.Ordinal);
        await Host.Emulator.InvocationsAsync(response.InvocationId());
        var warnings = Host.Emulator.LogsOf(response.InvocationId()).Where(l => l.Level >= Microsoft.Azure.WebJobs.Script.Grpc.Messages.RpcLog.Types.Level.Warning).ToList();
        var warning = Assert.Single(warnings);
        Assert.Equal("FuncMail.Web.SessionCookies", warning.Category);
    }

    [Fact]
    public async Task GetToken_ThroughTheWorker_SetsEachCookieOnce()
    {
        // The isolated worker has duplicated response cookies before (azure-functions-dotnet-worker #3353).
        var (browser, _) = Host.CreateBrowser();

        using var callback = await FlowSteps.SignInAsync(Host, browser);

        var cookies = callback.SetCookies().Select(c => c[..c.IndexOf('=', StringComparison.Ordinal)]).Order().ToList();
        Assert.Equal([Cookies.Session, Cookies.SignIn], cookies);
    }

    [Fact]
    [Trait("Checklist", "E5")]
    public async Task SignInOnOneWorker_CallbackAndMailOnAnother_Works()
    {
        // Two instances of one app behind a load balancer: nothing of a sign-in or a session lives in one process.
        await using var other = await FuncMailWorkerHost.StartAsync(azurite, sameAppAs: Host);
        var (browserA, jar) = Host.CreateBrowser();
        var browserB = new HttpClient(new CookieJar(jar.Cookies) { InnerHandler = HostParts.Handler() }) { BaseAddress = other.BaseAddress };

        var authorize = await FlowSteps.StartSignInAsync(browserA);
        using var callback = await browserB.GetAsync(Host.Entra.Authorize(authorize).PathAndQuery);
        using var mail = await browserB.GetAsync("/api/Mail");
        using var mailOnA = await browserA.GetAsync("/api/Mail");

        Assert.Equal("/api/Mail", callback.Location());
        Assert.Equal(HttpStatusCode.OK, mail.StatusCode);
        Assert.Equal(HttpStatusCode.OK, mailOnA.StatusCode);
        other.AssertNoUnexpectedCalls();
    }
}
