using FuncMail.Tests.Browser;
using FuncMail.Tests.Infrastructure;

namespace FuncMail.Tests.Worker;

/// <summary>Real Chromium through the emulator's front door to the real worker: sign in, see mail, sign out.</summary>
[Collection(AzuriteCollection.Name)]
[Trait("Host", "Worker")]
public sealed class WorkerBrowserTests(AzuriteFixture azurite, BrowserFixture browsers)
{
    [Fact]
    [Trait("Checklist", "D5")]
    public async Task Browser_ThroughTheRealWorker_SignInSeeMailSignOut()
    {
        await using var host = await FuncMailWorkerHost.StartAsync(azurite);

        await BrowserSmokeTests.SignInSeeMailSignOutAsync(host, browsers);
    }

    [Fact]
    public async Task Browser_ThroughTheRealWorker_SearchPagesForwardAndBack()
    {
        await using var host = await FuncMailWorkerHost.StartAsync(azurite);
        for (var i = 1; i <= 14; i++)
        {
            host.Graph.Inbox.Add(new StubMessage($"Status report {i:D2}", "Nestor Wilke", "nestor@contoso.example", new DateTimeOffset(2026, 11, 1, 8, 0, 0, TimeSpan.Zero).AddHours(i)));
        }

        await using var context = await (await browsers.GetAsync()).NewContextAsync(new Microsoft.Playwright.BrowserNewContextOptions { BaseURL = host.BaseAddress.AbsoluteUri });
        var page = await BrowserSignIn.SignInAsync(context, host);

        await page.GetByLabel("Search").FillAsync("Status report");
        await page.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await page.WaitForURLAsync("**q=Status*");
        Assert.Equal(10, await page.Locator("ol.rows > li").CountAsync());

        await page.GetByRole(Microsoft.Playwright.AriaRole.Link, new() { Name = "Older" }).ClickAsync();
        await page.WaitForURLAsync("**next=*");
        Assert.Equal(4, await page.Locator("ol.rows > li").CountAsync());

        await page.GetByRole(Microsoft.Playwright.AriaRole.Link, new() { Name = "Newer" }).ClickAsync();
        await page.WaitForFunctionAsync("() => !location.search.includes('next=')");
        Assert.Equal(10, await page.Locator("ol.rows > li").CountAsync());
        host.AssertNoUnexpectedCalls();
    }
}
