using System.Net;
using FuncMail.Tests.Infrastructure;

namespace FuncMail.Tests.Worker;

/// <summary>
/// Many requests of one session at once, through the real worker, with stubs at realistic latency (150 ms for the
/// token endpoint, 40 ms for Graph; with none the race would hide): one token refresh per instance, and never more
/// than Graph's four concurrent requests per mailbox.
/// </summary>
[Collection(AzuriteCollection.Name)]
[Trait("Host", "Worker")]
public sealed class WorkerConcurrencyTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task FiftyParallelMailRequests_WithAnExpiredToken_RefreshOnceAndAllGetThePage()
    {
        await using var host = await FuncMailWorkerHost.StartAsync(azurite);
        var cookie = await SignedInWithATokenAboutToExpireAsync(host);

        var pages = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => MailAsync(host, cookie)));

        Assert.All(pages, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal(1, host.Entra.TokenPosts("refresh_token"));
        Assert.Equal(0, host.Graph.Throttled);
        Assert.InRange(host.Graph.PeakConcurrency, 1, GraphStub.MailboxConcurrency);
        host.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task FiftyParallelMailRequests_AcrossTwoInstances_RefreshAtMostTwice()
    {
        await using var first = await FuncMailWorkerHost.StartAsync(azurite);
        await using var second = await FuncMailWorkerHost.StartAsync(azurite, sameAppAs: first);
        var cookie = await SignedInWithATokenAboutToExpireAsync(first);

        var pages = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => MailAsync(i % 2 == 0 ? first : second, cookie)));

        Assert.All(pages, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.InRange(first.Entra.TokenPosts("refresh_token"), 1, 2);
    }

    /// <summary>Signs in with an access token MSAL will refresh at once, then makes the stubs realistic: slow, and issuing hour-long tokens.</summary>
    private static async Task<string> SignedInWithATokenAboutToExpireAsync(FuncMailWorkerHost host)
    {
        host.Entra.AccessTokenLifetime = TimeSpan.FromMinutes(4); // MSAL refreshes within 5 minutes of expiry
        var (browser, jar) = host.CreateBrowser();
        using (await FlowSteps.SignInAsync(host, browser)) { }
        host.Entra.AccessTokenLifetime = TimeSpan.FromHours(1);
        host.Entra.TokenLatency = TimeSpan.FromMilliseconds(150);
        host.Graph.Latency = TimeSpan.FromMilliseconds(40);
        return jar.Cookies[Cookies.Session];
    }

    private static async Task<HttpStatusCode> MailAsync(FuncMailWorkerHost host, string sessionCookie)
    {
        using var client = new HttpClient(new CookieJar(new() { [Cookies.Session] = sessionCookie }) { InnerHandler = HostParts.Handler() }) { BaseAddress = host.BaseAddress };
        using var response = await client.GetAsync("/api/Mail");
        return response.StatusCode;
    }
}
