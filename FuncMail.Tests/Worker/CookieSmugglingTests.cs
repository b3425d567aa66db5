using System.Net;
using FuncMail.Tests.Infrastructure;
using Microsoft.Playwright;

namespace FuncMail.Tests.Worker;

/// <summary>
/// A cookie without the <c>__Host-</c> prefix (which a sibling subdomain, or an http man-in-the-middle before HTTPS,
/// can set) must never pass for one of FuncMail's: cookies are split on ';' only, and a name that appears twice is
/// refused without expiring or overwriting anything (checklist G2). Each attack is played over HTTP and in Chromium,
/// through the real worker.
/// </summary>
[Collection(AzuriteCollection.Name)]
[Trait("Host", "Worker")]
[Trait("Checklist", "G2")]
public sealed class CookieSmugglingTests(WorkerHostFixture worker, BrowserFixture browsers) : IClassFixture<WorkerHostFixture>
{
    private FuncMailWorkerHost Host => worker.Host;

    [Fact]
    public async Task LoginCsrf_AttackersPreAuthCookieSmuggledInAComma_RedeemsNothing()
    {
        var (attackerCallback, attackerPreAuth) = await AttackerHalfSignInAsync();
        var redemptions = Host.Entra.TokenPosts("authorization_code");
        var (victim, jar) = Host.CreateBrowser();

        using var request = new HttpRequestMessage(HttpMethod.Get, attackerCallback.PathAndQuery);
        request.Headers.TryAddWithoutValidation("Cookie", $"planted=x,{Cookies.SignIn}={attackerPreAuth}");
        using var response = await victim.SendAsync(request);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/api/SignIn", response.Location(), StringComparison.Ordinal);
        Assert.Equal(redemptions, Host.Entra.TokenPosts("authorization_code"));
        Assert.DoesNotContain(Cookies.Session, jar.Cookies.Keys);
    }

    [Fact]
    public async Task SessionSwap_AttackersSessionSmuggledAheadOfTheVictims_ShowsTheVictimsOwnMail()
    {
        var attacker = TestUser.Personal();
        var attackerSession = await SignedInCookieAsync(attacker);
        var victimUser = TestUser.Work();
        var victimSession = await SignedInCookieAsync(victimUser);
        var (victim, _) = Host.CreateBrowser();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/Mail");
        request.Headers.TryAddWithoutValidation("Cookie", $"planted=x,{Cookies.Session}={attackerSession}; {Cookies.Session}={victimSession}");
        using var response = await victim.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(victimUser.Username, body, StringComparison.Ordinal);
        Assert.DoesNotContain(attacker.Username, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ForcedSignOut_GarbageSmuggledAheadOfTheRealCookie_KeepsTheSession()
    {
        var session = await SignedInCookieAsync(TestUser.Work());
        var (victim, _) = Host.CreateBrowser();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/Mail");
        request.Headers.TryAddWithoutValidation("Cookie", $"planted=x,{Cookies.Session}=v1.k2.garbage.0.AAAA; {Cookies.Session}={session}");
        using var response = await victim.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(response.SetCookies());
    }

    [Theory]
    [InlineData("GET", "/api/Mail")]
    [InlineData("GET", "/api/Home")]
    [InlineData("GET", "/api/SignOut")]
    [InlineData("POST", "/api/SignOut")]
    public async Task DuplicatedSessionCookie_AsksToClearCookiesAndChangesNothing(string method, string path)
    {
        // Sent round a sign-in, the browser would meet the same two cookies again: it gets a page that says what to do.
        var session = await SignedInCookieAsync(TestUser.Work());
        var (browser, _) = Host.CreateBrowser();

        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "POST" ? new FormUrlEncodedContent([]) : null };
        request.Headers.TryAddWithoutValidation("Cookie", $"{Cookies.Session}={session}; {Cookies.Session}=v1.k2.planted.0.AAAA");
        using var response = await browser.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Clear this site", body, StringComparison.Ordinal);
        Assert.Empty(response.SetCookies());
        Assert.Contains(await Host.RowsAsync(Host.SessionsTable), r => r.PartitionKey == Cookies.IdOf(session));
        await Host.Emulator.InvocationsAsync(response.InvocationId());
        Assert.Single(Host.Emulator.LogsOf(response.InvocationId()), l => l.Message.Contains($"{Cookies.Session} 2 times", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DuplicatedPreAuthCookie_AtTheCallback_RedeemsNothing()
    {
        var (attackerCallback, attackerPreAuth) = await AttackerHalfSignInAsync();
        var (victim, victimJar) = Host.CreateBrowser();
        await FlowSteps.StartSignInAsync(victim);
        var redemptions = Host.Entra.TokenPosts("authorization_code");

        using var request = new HttpRequestMessage(HttpMethod.Get, attackerCallback.PathAndQuery);
        request.Headers.TryAddWithoutValidation("Cookie", $"{Cookies.SignIn}={victimJar.Cookies[Cookies.SignIn]}; {Cookies.SignIn}={attackerPreAuth}");
        using var response = await victim.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(redemptions, Host.Entra.TokenPosts("authorization_code"));
        Assert.Empty(response.SetCookies());
    }

    [Fact]
    public async Task CookieHeaderTooLargeToRead_IsRefusedRatherThanTakenForNoCookie()
    {
        // A cookie bomb: ordinary cookies pushed until the header is huge must not look like "signed out".
        var session = await SignedInCookieAsync(TestUser.Work());
        var (browser, _) = Host.CreateBrowser();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/Mail");
        request.Headers.TryAddWithoutValidation("Cookie", $"{Cookies.Session}={session}; " + string.Join("; ", Enumerable.Range(0, 20).Select(i => $"bomb{i}={new string('x', 1000)}")));
        using var response = await browser.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(response.SetCookies());
    }

    [Fact]
    public async Task Chromium_SmuggledCookiesFromALongerPath_NeitherSignInTheAttackerNorSignOutTheVictim()
    {
        var (attackerCallback, attackerPreAuth) = await AttackerHalfSignInAsync();
        var attacker = TestUser.Personal();
        var attackerSession = await SignedInCookieAsync(attacker);
        await using var context = await (await browsers.GetAsync()).NewContextAsync(new BrowserNewContextOptions { BaseURL = Host.BaseAddress.AbsoluteUri });
        var authorizations = await BrowserSignIn.RouteAuthorizeAsync(context, Host);

        // Path=/api sorts the planted cookie ahead of the real ones in Chromium's Cookie header.
        await context.AddCookiesAsync([new Microsoft.Playwright.Cookie { Name = "planted", Value = $"x,{Cookies.SignIn}={attackerPreAuth}", Domain = Host.BaseAddress.Host, Path = "/api" }]);
        var redemptions = Host.Entra.TokenPosts("authorization_code");
        // The victim follows a link on the attacker's page to the attacker's callback.
        var page = await context.NewPageAsync();
        await page.SetContentAsync($"<a href=\"{new Uri(Host.BaseAddress, attackerCallback.PathAndQuery)}\">Open the shared document</a>");
        await page.GetByRole(AriaRole.Link).ClickAsync();

        // The attacker's code was never redeemed; the victim was sent to a sign-in of their own.
        await page.WaitForURLAsync("**/api/Mail");
        Assert.Equal(1, authorizations());
        Assert.Equal(redemptions + 1, Host.Entra.TokenPosts("authorization_code"));
        Assert.DoesNotContain(Host.Entra.TokenRequests, r => r.GetValueOrDefault("code") == QueryValue(attackerCallback, "code"));
        Assert.Contains(Host.Entra.DefaultUser.Username, await page.ContentAsync(), StringComparison.Ordinal);

        // Now the attacker plants a session cookie: the victim still sees their own mail, and stays signed in.
        await context.AddCookiesAsync([new Microsoft.Playwright.Cookie { Name = "planted", Value = $"x,{Cookies.Session}={attackerSession}", Domain = Host.BaseAddress.Host, Path = "/api" }]);
        await page.GotoAsync("/api/Mail");
        var mail = await page.ContentAsync();
        Assert.Contains(Host.Entra.DefaultUser.Username, mail, StringComparison.Ordinal);
        Assert.DoesNotContain(attacker.Username, mail, StringComparison.Ordinal);
        Assert.Contains(await context.CookiesAsync(), c => c.Name == Cookies.Session);
    }

    /// <summary>The attacker starts a sign-in, signs in at Microsoft as themselves, and keeps the callback instead of following it.</summary>
    private async Task<(Uri Callback, string PreAuthCookie)> AttackerHalfSignInAsync()
    {
        var (attacker, jar) = Host.CreateBrowser();
        var authorize = await FlowSteps.StartSignInAsync(attacker);
        return (Host.Entra.Authorize(authorize, TestUser.Personal()), jar.Cookies[Cookies.SignIn]);
    }

    private async Task<string> SignedInCookieAsync(TestUser user)
    {
        var (browser, jar) = Host.CreateBrowser();
        using var callback = await FlowSteps.SignInAsync(Host, browser, user);
        Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
        return jar.Cookies[Cookies.Session];
    }

    private static string QueryValue(Uri uri, string name) => Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(uri.Query)[name].ToString();
}
