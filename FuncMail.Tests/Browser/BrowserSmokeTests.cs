using FuncMail.Tests.Infrastructure;
using Microsoft.Playwright;

namespace FuncMail.Tests.Browser;

/// <summary>
/// Real Chromium through the whole flow. Only the trip to the authorize endpoint is answered by the test (Playwright
/// routing); every FuncMail request is real HTTP to Kestrel, and the cookies are the browser's own.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class BrowserSmokeTests(AzuriteFixture azurite, BrowserFixture browsers)
{
    [Fact]
    [Trait("Checklist", "D5")]
    public async Task Browser_SignInSeeMailSignOut_Works()
    {
        await using var host = await FuncMailTestHost.StartAsync(azurite);
        await SignInSeeMailSignOutAsync(host, browsers, screenshot: true);
    }

    /// <summary>The smoke test's steps, for any host: this one and the real worker's (WorkerBrowserTests).</summary>
    internal static async Task SignInSeeMailSignOutAsync(IFuncMailHost host, BrowserFixture browsers, bool screenshot = false)
    {
        host.Graph.Inbox.Add(new StubMessage("<img src=x onerror=\"window.__xss=1\">", "\"><script>window.__xss=2</script>", "attacker@evil.example", DateTimeOffset.UtcNow));
        await using var context = await (await browsers.GetAsync()).NewContextAsync(new BrowserNewContextOptions { BaseURL = host.BaseAddress.AbsoluteUri });
        var microsoft = await EntraInTheBrowser.RouteAsync(context, host);
        var page = await context.NewPageAsync();

        await page.GotoAsync("/api/Home");
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign in with Microsoft" }).ClickAsync();
        await page.WaitForURLAsync("**/api/Mail");

        Assert.Equal(1, microsoft.Authorizations);
        Assert.Equal("Inbox", await page.Locator("h1").TextContentAsync());
        Assert.Equal(4, await page.Locator("ol.rows > li").CountAsync());
        Assert.Contains("<img src=x", await page.Locator("ol.rows > li").First.TextContentAsync(), StringComparison.Ordinal);
        Assert.Null(await page.EvaluateAsync<int?>("() => window.__xss"));
        var cookies = await context.CookiesAsync();
        var session = Assert.Single(cookies, c => c.Name == Cookies.Session);
        Assert.True(session.HttpOnly && session.Secure);
        Assert.Equal(SameSiteAttribute.Lax, session.SameSite);
        Assert.DoesNotContain(cookies, c => c.Name == Cookies.SignIn);

        if (screenshot && Screenshots.PathFor("mail.png") is { } picture)
        {
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = picture, FullPage = true });
        }

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.WaitForURLAsync("**/api/Home");
        Assert.True(await page.GetByRole(AriaRole.Link, new() { Name = "Sign in with Microsoft" }).IsVisibleAsync());
        Assert.DoesNotContain(await context.CookiesAsync(), c => c.Name == Cookies.Session);
        Assert.Empty(await host.RowsAsync(host.SessionsTable));

        // Sign-out went through Microsoft's end-session endpoint and back to the home page (checklist B8).
        Assert.Equal(1, microsoft.SignOuts);
        Assert.Equal([new Uri(host.BaseAddress, "/api/Home").AbsoluteUri], microsoft.PostLogoutRedirects);

        // So on a shared computer the next person's "Sign in" asks who they are, instead of one click on the previous user's tile.
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign in with Microsoft" }).ClickAsync();
        await page.WaitForURLAsync($"https://{EntraStub.Host}/**");
        Assert.Equal("Sign in to your account", await page.TitleAsync());
        Assert.Equal(1, microsoft.SignInPages);
        Assert.DoesNotContain(await context.CookiesAsync(), c => c.Name == Cookies.Session);

        // Signed out, with the browser's own cookies: Mail sends it back to sign-in.
        var mail = await context.APIRequest.GetAsync("/api/Mail", new() { MaxRedirects = 0 });
        Assert.Equal(302, mail.Status);
        Assert.StartsWith("/api/SignIn", mail.Headers["location"], StringComparison.Ordinal);
        host.AssertNoUnexpectedCalls();
    }
}
