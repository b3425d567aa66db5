using System.Net;
using FuncMail.Tests.Infrastructure;

namespace FuncMail.Tests.Worker;

/// <summary>
/// Every endpoint and every kind of outcome (page, redirect, error page) carries the security headers when served by
/// the real worker (checklist D1-D4). They come from FuncMail's worker middleware (UseFuncMail in Program.cs), which
/// nothing in the in-process host can prove.
/// </summary>
[Collection(AzuriteCollection.Name)]
[Trait("Host", "Worker")]
public sealed class WorkerHardeningTests(WorkerHostFixture worker, AzuriteFixture azurite) : IClassFixture<WorkerHostFixture>
{

    public static TheoryData<string, HttpStatusCode> Outcomes => new()
    {
        { "Home, signed out", HttpStatusCode.OK },
        { "Home, signed in", HttpStatusCode.OK },
        { "SignIn", HttpStatusCode.Redirect },
        { "GetToken, success", HttpStatusCode.Redirect },
        { "GetToken, forged state", HttpStatusCode.Redirect },
        { "GetToken, access denied", HttpStatusCode.Forbidden },
        { "GetToken, identity platform down", HttpStatusCode.ServiceUnavailable },
        { "Mail, signed out", HttpStatusCode.Redirect },
        { "Mail, signed in", HttpStatusCode.OK },
        { "Mail, bad page size", HttpStatusCode.BadRequest },
        { "Mail, Graph throttled", HttpStatusCode.TooManyRequests },
        { "Mail, Graph down", HttpStatusCode.ServiceUnavailable },
        { "Message, signed in", HttpStatusCode.OK },
        { "Message, bad id", HttpStatusCode.BadRequest },
        { "Message, gone", HttpStatusCode.NotFound },
        { "Download, not a file", HttpStatusCode.NotFound },
        { "SignOut, form", HttpStatusCode.OK },
        { "SignOut, forged", HttpStatusCode.BadRequest },
        { "SignOut, success", HttpStatusCode.SeeOther },
    };

    [Theory]
    [MemberData(nameof(Outcomes))]
    [Trait("Checklist", "D1")]
    [Trait("Checklist", "D2")]
    [Trait("Checklist", "D3")]
    [Trait("Checklist", "D4")]
    public async Task Outcome_ThroughTheWorker_CarriesTheSecurityHeaders(string outcome, HttpStatusCode expected)
    {
        using var response = await ProduceAsync(worker.Host, outcome);

        Assert.Equal(expected, response.StatusCode);
        FuncMailAssert.Hardened(response, outcome);
        if (response.StatusCode == HttpStatusCode.OK)
        {
            FuncMailAssert.NoOffOriginReferences(await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    [Trait("Checklist", "H1")]
    public async Task EveryOutcome_OverHttps_CarriesStrictTransportSecurity()
    {
        // As in Azure: TLS ends at the front end, and the worker learns the scheme from X-Forwarded-Proto.
        await using var host = await FuncMailWorkerHost.StartAsync(azurite, https: true);
        Assert.Equal(Uri.UriSchemeHttps, host.BaseAddress.Scheme);

        foreach (var (outcome, expected) in Outcomes.Select(row => ((string)row[0], (HttpStatusCode)row[1])))
        {
            using var response = await ProduceAsync(host, outcome);

            Assert.Equal(expected, response.StatusCode);
            Assert.Equal("max-age=31536000; includeSubDomains", response.Header("Strict-Transport-Security"));
            FuncMailAssert.Hardened(response, outcome + " over https");
        }
    }

    private static string MessageUrl(string id) => FuncMail.Mail.MailPageView.MessageUrl(id, new FuncMail.Mail.MessageQuery("inbox", 25, 0, null, null));

    /// <summary>
    /// The body's document and a file replace the page policy with their own (checklist H7), and the real worker
    /// sends them as set: the frame's sandboxing CSP and SAMEORIGIN, a file's sandbox, nosniff and disposition.
    /// </summary>
    [Fact]
    [Trait("Checklist", "H7")]
    public async Task BodyAndFiles_ThroughTheWorker_CarryTheirOwnPolicies()
    {
        var host = worker.Host;
        var message = new StubMessage("Headers", "Megan Bowen", "megan@contoso.example", DateTimeOffset.UtcNow)
        {
            Attachments = [StubAttachment.File("notes.txt", "text/plain", "hello"u8.ToArray())],
        };
        host.Graph.Inbox.Add(message);
        var (browser, _) = host.CreateBrowser();
        using (var signedIn = await FlowSteps.SignInAsync(host, browser))
        {
            Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        }

        using var body = await browser.GetAsync(FuncMail.Mail.MailPageView.BodyUrl(message.Id, showImages: false));
        Assert.Equal(HttpStatusCode.OK, body.StatusCode);
        Assert.Equal(FuncMail.Web.FrameDocumentResult.Policy(showImages: false), body.Header("Content-Security-Policy"));
        Assert.Equal("SAMEORIGIN", body.Header("X-Frame-Options"));
        Assert.Equal("no-referrer", body.Header("Referrer-Policy"));
        Assert.Equal("no-store", body.Header("Cache-Control"));
        Assert.Equal("nosniff", body.Header("X-Content-Type-Options"));

        using var file = await browser.GetAsync(FuncMail.Mail.MailPageView.DownloadUrl(message.Id, message.Attachments[0].Id));
        Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        Assert.Equal(FuncMail.Web.AttachmentResult.Policy, file.Header("Content-Security-Policy"));
        Assert.Equal("nosniff", file.Header("X-Content-Type-Options"));
        Assert.Equal("DENY", file.Header("X-Frame-Options"));
        Assert.Equal("attachment; filename=notes.txt; filename*=UTF-8''notes.txt", file.Content.Headers.ContentDisposition!.ToString());
        Assert.Equal("text/plain", file.Content.Headers.ContentType!.MediaType);
        Assert.Equal("hello", await file.Content.ReadAsStringAsync());
    }

    private static async Task<HttpResponseMessage> ProduceAsync(FuncMailWorkerHost host, string outcome)
    {
        try
        {
            return await ProduceCoreAsync(host, outcome);
        }
        finally
        {
            // The stubs are shared by the class: a row that failed early must not leave its scripted failures behind.
            host.Graph.ClearScripted();
            host.Entra.ClearFailures();
        }
    }

    private static async Task<HttpResponseMessage> ProduceCoreAsync(FuncMailWorkerHost host, string outcome)
    {
        var (browser, _) = host.CreateBrowser();
        if (outcome.EndsWith("signed in", StringComparison.Ordinal) || outcome.StartsWith("Mail, ", StringComparison.Ordinal) && outcome != "Mail, signed out"
            || outcome.StartsWith("Message, ", StringComparison.Ordinal) || outcome.StartsWith("Download, ", StringComparison.Ordinal)
            || outcome.StartsWith("SignOut", StringComparison.Ordinal))
        {
            using var signedIn = await FlowSteps.SignInAsync(host, browser);
            Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        }

        switch (outcome)
        {
            case "Home, signed out" or "Home, signed in":
                return await browser.GetAsync("/api/Home");
            case "SignIn":
                return await browser.GetAsync("/api/SignIn?returnUrl=%2Fapi%2FMail");
            case "GetToken, success":
                return await FlowSteps.SignInAsync(host, browser);
            case "GetToken, forged state":
                await FlowSteps.StartSignInAsync(browser);
                return await browser.GetAsync("/api/GetToken?code=forged&state=forged");
            case "GetToken, access denied":
                return await browser.GetAsync(EntraStub.Deny(await FlowSteps.StartSignInAsync(browser), "access_denied", "AADSTS65004: User declined to consent.").PathAndQuery);
            case "GetToken, identity platform down":
                var authorize = await FlowSteps.StartSignInAsync(browser);
                host.Entra.FailNextTokenRequests(HttpStatusCode.InternalServerError, HttpStatusCode.InternalServerError);
                return await browser.GetAsync(host.Entra.Authorize(authorize).PathAndQuery);
            case "Mail, signed out" or "Mail, signed in":
                return await browser.GetAsync("/api/Mail");
            case "Mail, bad page size":
                return await browser.GetAsync("/api/Mail?size=7");
            case "Mail, Graph throttled":
                host.Graph.Enqueue(() =>
                {
                    var throttled = GraphStub.Error(HttpStatusCode.TooManyRequests, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.");
                    throttled.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(30));
                    return throttled;
                });
                return await browser.GetAsync("/api/Mail");
            case "Mail, Graph down":
                for (var i = 0; i < 3; i++)
                {
                    host.Graph.Enqueue(() => GraphStub.Error(HttpStatusCode.ServiceUnavailable, "ServiceUnavailable", "The service is temporarily unavailable."));
                }

                return await browser.GetAsync("/api/Mail");
            case "Message, signed in":
                return await browser.GetAsync(MessageUrl(host.Graph.Inbox[0].Id));
            case "Message, bad id":
                return await browser.GetAsync("/api/Message?id=not.an.id");
            case "Message, gone":
                return await browser.GetAsync(MessageUrl(StubIds.Message()));
            case "Download, not a file":
                var message = host.Graph.Inbox[0];
                if (message.Attachments.Count == 0)
                {
                    message.Attachments.Add(new StubAttachment("item", "Re: Budget", null, []));
                }

                return await browser.GetAsync(FuncMail.Mail.MailPageView.DownloadUrl(message.Id, message.Attachments[0].Id));
            case "SignOut, form":
                return await browser.GetAsync("/api/SignOut");
            case "SignOut, forged":
                return await browser.PostAsync("/api/SignOut", new FormUrlEncodedContent(new Dictionary<string, string> { ["csrf"] = "forged" }));
            case "SignOut, success":
                var home = await browser.GetStringAsync("/api/Home");
                return await browser.PostAsync("/api/SignOut", new FormUrlEncodedContent(new Dictionary<string, string> { ["csrf"] = PageParsing.SignOutToken(home) }));
            default:
                throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "No such outcome.");
        }
    }
}
