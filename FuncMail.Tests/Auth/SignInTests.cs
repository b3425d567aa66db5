using System.Net;
using System.Security.Cryptography;
using System.Text;
using FuncMail.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;

namespace FuncMail.Tests.Auth;

/// <summary>SignIn and GetToken against the real MSAL, real Azurite and the Entra stub (checklist A1-A10, B5, B6).</summary>
public sealed class SignInTests(AzuriteFixture azurite) : HostedTest(azurite)
{
    [Fact]
    public async Task SignIn_Always_OneTableWriteAndNoRead()
    {
        var (browser, _) = Host.CreateBrowser();
        await FlowSteps.StartSignInAsync(browser); // creates the table on first use
        Host.Tables.Reset();

        await FlowSteps.StartSignInAsync(browser);

        Assert.Equal(0, Host.Tables.Reads);
        Assert.Equal(1, Host.Tables.Writes);
    }

    [Fact]
    [Trait("Checklist", "A2")]
    public async Task SignIn_AuthorizeRequest_UsesPkceS256AndRedemptionSendsMatchingVerifier()
    {
        var (browser, _) = Host.CreateBrowser();
        var authorize = await FlowSteps.StartSignInAsync(browser);
        var query = QueryHelpers.ParseQuery(authorize.Query);
        Assert.Equal("S256", query["code_challenge_method"]);

        using var callback = await browser.GetAsync(Host.Entra.Authorize(authorize).PathAndQuery);

        Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
        var post = Assert.Single(Host.Entra.TokenRequests);
        var hashed = Base64UrlTextEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(post["code_verifier"])));
        Assert.Equal(query["code_challenge"].ToString(), hashed);
    }

    [Fact]
    [Trait("Checklist", "A10")]
    public async Task SignIn_AuthorizeRequest_AsksOnlyForTheAllowListedScopes()
    {
        var (browser, _) = Host.CreateBrowser();
        var authorize = await FlowSteps.StartSignInAsync(browser);

        var scopes = QueryHelpers.ParseQuery(authorize.Query)["scope"].ToString().Split(' ').ToHashSet(StringComparer.OrdinalIgnoreCase);

        Assert.Equal(new HashSet<string>(["openid", "profile", "offline_access", "Mail.Read", "MailboxSettings.Read"], StringComparer.OrdinalIgnoreCase), scopes);
    }

    [Fact]
    [Trait("Checklist", "A4")]
    public async Task SignIn_WithForeignHostHeader_StillUsesConfiguredRedirectUri()
    {
        var (browser, _) = Host.CreateBrowser();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/SignIn");
        request.Headers.Host = "evil.example";
        request.Headers.Add("X-Forwarded-Host", "evil.example");

        using var response = await browser.SendAsync(request);

        var redirectUri = QueryHelpers.ParseQuery(new Uri(response.Location()).Query)["redirect_uri"].ToString();
        Assert.Equal(new Uri(Host.BaseAddress, "/api/GetToken").AbsoluteUri, redirectUri);
    }

    [Theory]
    [Trait("Checklist", "A8")]
    [InlineData("//evil.com")]
    [InlineData("https://evil.com")]
    [InlineData("/\\evil.com")]
    [InlineData("/\t/evil.com")]
    [InlineData("/café")] // not a valid Location header: it must never get that far
    public async Task GetToken_WithForeignReturnUrl_LandsOnMail(string returnUrl)
    {
        var (browser, _) = Host.CreateBrowser();

        using var callback = await FlowSteps.SignInAsync(Host, browser, returnUrl: returnUrl);

        Assert.Equal("/api/Mail", callback.Location());
    }

    [Fact]
    [Trait("Checklist", "A8")]
    public async Task GetToken_WithLocalReturnUrl_LandsThere()
    {
        var (browser, _) = Host.CreateBrowser();

        using var callback = await FlowSteps.SignInAsync(Host, browser, returnUrl: "/api/Home");

        Assert.Equal("/api/Home", callback.Location());
    }

    [Fact]
    [Trait("Checklist", "A1")]
    public async Task GetToken_WithForgedState_RedirectsToSignInWithoutTokenCall()
    {
        var (browser, _) = Host.CreateBrowser();
        var authorize = await FlowSteps.StartSignInAsync(browser);
        var callback = Host.Entra.Authorize(authorize);
        var forged = QueryHelpers.AddQueryString("/api/GetToken", new Dictionary<string, string?> { ["code"] = QueryHelpers.ParseQuery(callback.Query)["code"], ["state"] = "forged-state" });

        using var response = await browser.GetAsync(forged);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/api/SignIn", response.Location(), StringComparison.Ordinal);
        Assert.Empty(Host.Entra.TokenRequests);
        Assert.Empty(await Host.RowsAsync(Host.SessionsTable));
    }

    [Fact]
    [Trait("Checklist", "A1")]
    public async Task GetToken_WithValidStateFromAnotherBrowser_RedirectsToSignInWithoutTokenCall()
    {
        var (victim, _) = Host.CreateBrowser();
        var (attacker, _) = Host.CreateBrowser();
        await FlowSteps.StartSignInAsync(attacker); // the attacker holds a pre-auth cookie of their own
        var callback = Host.Entra.Authorize(await FlowSteps.StartSignInAsync(victim));

        using var response = await attacker.GetAsync(callback.PathAndQuery);

        Assert.StartsWith("/api/SignIn", response.Location(), StringComparison.Ordinal);
        Assert.Empty(Host.Entra.TokenRequests);
    }

    [Fact]
    [Trait("Checklist", "A1")]
    [Trait("Checklist", "B5")]
    public async Task GetToken_AfterTheTransactionsFifteenMinutes_IsRefusedEvenWithTheCookieStillSent()
    {
        // The server's own clock decides, not the cookie's Max-Age: this jar keeps sending the pre-auth cookie.
        var (browser, jar) = Host.CreateBrowser();
        var callback = Host.Entra.Authorize(await FlowSteps.StartSignInAsync(browser));
        Host.Time.Advance(TimeSpan.FromMinutes(15) + TimeSpan.FromSeconds(1));
        Assert.Contains(Cookies.SignIn, jar.Cookies.Keys);

        using var response = await browser.GetAsync(callback.PathAndQuery);

        Assert.StartsWith("/api/SignIn", response.Location(), StringComparison.Ordinal);
        Assert.Empty(Host.Entra.TokenRequests);
        Assert.Empty(await Host.RowsAsync(Host.SessionsTable));
    }

    [Fact]
    public async Task SignIn_CalledAgainAndAgainByOneBrowser_HoldsAtMostThreeRows()
    {
        var (browser, _) = Host.CreateBrowser();
        await FlowSteps.StartSignInAsync(browser); // creates the table on first use
        Host.Tables.Reset();
        for (var i = 0; i < 6; i++)
        {
            await FlowSteps.StartSignInAsync(browser);
        }

        var rows = await Host.RowsAsync(Host.SignInsTable);
        Assert.Equal(3, rows.Count);
        Assert.Single(rows.Select(r => r.PartitionKey).Distinct());
        Assert.Equal(6, Host.Tables.Writes); // one write per call, and no read
        Assert.Equal(0, Host.Tables.Reads);
    }

    [Fact]
    public async Task SignIn_InASecondTab_LeavesTheFirstTabsSignInWorking()
    {
        var (browser, jar) = Host.CreateBrowser();
        var firstTab = Host.Entra.Authorize(await FlowSteps.StartSignInAsync(browser, "/api/Mail?folder=sentitems"));
        await FlowSteps.StartSignInAsync(browser, "/api/Mail?folder=drafts"); // the second tab, never finished

        using var first = await browser.GetAsync(firstTab.PathAndQuery);

        Assert.Equal("/api/Mail?folder=sentitems", first.Location());
        Assert.Contains(Cookies.Session, jar.Cookies.Keys);
    }

    [Fact]
    [Trait("Checklist", "A7")]
    public async Task GetToken_WithWrongState_LeavesTheSignInInProgressUsable()
    {
        var (browser, _) = Host.CreateBrowser();
        var callback = Host.Entra.Authorize(await FlowSteps.StartSignInAsync(browser));
        using var stray = await browser.GetAsync("/api/GetToken?code=x&state=not-the-state");
        Assert.StartsWith("/api/SignIn", stray.Location(), StringComparison.Ordinal);

        using var real = await browser.GetAsync(callback.PathAndQuery);

        Assert.Equal("/api/Mail", real.Location());
        Assert.Single(Host.Entra.TokenRequests);
    }

    [Theory]
    [Trait("Checklist", "A5")]
    [InlineData("organizations", "personal")]
    [InlineData("consumers", "work")]
    [InlineData("3b9a1b6e-1e4b-4a53-9c1e-6f2f4a6f6c11", "work")]
    public async Task GetToken_UserFromATenantTheSettingsExclude_IsRejected(string tenant, string account)
    {
        await using var host = await FuncMailTestHost.StartAsync(Azurite, s => s["Entra:TenantId"] = tenant);
        var (browser, _) = host.CreateBrowser();

        using var response = await FlowSteps.SignInAsync(host, browser, account == "personal" ? TestUser.Personal() : TestUser.Work());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(await host.RowsAsync(host.SessionsTable));
    }

    [Theory]
    [Trait("Checklist", "A5")]
    [InlineData("organizations", "work")]
    [InlineData("consumers", "personal")]
    public async Task GetToken_UserFromAnAllowedTenant_SignsIn(string tenant, string account)
    {
        await using var host = await FuncMailTestHost.StartAsync(Azurite, s => s["Entra:TenantId"] = tenant);
        var (browser, _) = host.CreateBrowser();

        using var response = await FlowSteps.SignInAsync(host, browser, account == "personal" ? TestUser.Personal() : TestUser.Work());

        Assert.Equal("/api/Mail", response.Location());
    }

    [Fact]
    [Trait("Checklist", "A3")]
    public async Task GetToken_IdTokenWithWrongNonce_FailsAndStoresNothing()
    {
        Host.Entra.TamperIdToken = claims => claims["nonce"] = "not-the-nonce";
        var (browser, jar) = Host.CreateBrowser();

        using var response = await FlowSteps.SignInAsync(Host, browser);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("could not be verified", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(await Host.RowsAsync(Host.SessionsTable));
        Assert.DoesNotContain(Cookies.Session, jar.Cookies.Keys);
    }

    [Fact]
    [Trait("Checklist", "A5")]
    public async Task GetToken_IdTokenFromAnotherIssuer_IsRejected()
    {
        Host.Entra.TamperIdToken = claims => claims["iss"] = $"https://evil.example/{claims["tid"]}/v2.0";
        var (browser, _) = Host.CreateBrowser();

        using var response = await FlowSteps.SignInAsync(Host, browser);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(await Host.RowsAsync(Host.SessionsTable));
    }

    [Theory]
    [Trait("Checklist", "H3")]
    [InlineData("aud", "another client")]
    [InlineData("aud", "two audiences")]
    [InlineData("exp", "expired six minutes ago")]
    [InlineData("exp", "missing")]
    [InlineData("iat", "issued six minutes from now")]
    [InlineData("iat", "missing")]
    public async Task GetToken_IdTokenWithAWrongClaim_IsRejectedAndStoresNothing(string claim, string how)
    {
        var now = Host.Time.GetUtcNow().ToUnixTimeSeconds();
        Host.Entra.TamperIdToken = claims =>
        {
            switch (how)
            {
                case "another client": claims["aud"] = Guid.NewGuid().ToString(); break;
                case "two audiences": claims["aud"] = new System.Text.Json.Nodes.JsonArray(FuncMailTestHost.ClientId, Guid.NewGuid().ToString()); break;
                case "expired six minutes ago": claims["exp"] = now - 360; break;
                case "issued six minutes from now": claims["iat"] = now + 360; break;
                case "missing": claims.Remove(claim); break;
            }
        };
        var (browser, jar) = Host.CreateBrowser();

        var (response, body) = await FlowSteps.GetPageAsync(browser, Host.Entra.Authorize(await FlowSteps.StartSignInAsync(browser)).PathAndQuery);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("could not be verified", body, StringComparison.Ordinal);
        Assert.Empty(await Host.RowsAsync(Host.SessionsTable));
        Assert.DoesNotContain(Cookies.Session, jar.Cookies.Keys);
        Assert.Contains(Host.Logs.GetSnapshot(), r => r.Message.Contains($"ID token's {claim} did not match", StringComparison.Ordinal));
    }

    [Theory]
    [Trait("Checklist", "H3")]
    [InlineData(-240, 0)]
    [InlineData(0, 240)]
    public async Task GetToken_IdTokenWithinTheClockSkew_SignsIn(int expiredSecondsAgoOffset, int issuedAheadSeconds)
    {
        var now = Host.Time.GetUtcNow().ToUnixTimeSeconds();
        Host.Entra.TamperIdToken = claims =>
        {
            claims["exp"] = expiredSecondsAgoOffset == 0 ? now + 3600 : now + expiredSecondsAgoOffset;
            claims["iat"] = now + issuedAheadSeconds;
        };
        var (browser, _) = Host.CreateBrowser();

        using var response = await FlowSteps.SignInAsync(Host, browser);

        Assert.Equal("/api/Mail", response.Location());
    }

    [Fact]
    [Trait("Checklist", "A6")]
    public async Task GetToken_SameCallbackTwiceConcurrently_RedeemsTheCodeOnce()
    {
        var (browser, _) = Host.CreateBrowser();
        var callback = Host.Entra.Authorize(await FlowSteps.StartSignInAsync(browser));

        var responses = await Task.WhenAll(browser.GetAsync(callback.PathAndQuery), browser.GetAsync(callback.PathAndQuery));

        Assert.True(Host.Entra.TokenRequests.Count == 1, string.Join(" | ", responses.Select(r => $"{r.StatusCode} {r.Headers.Location}")) + Host.LogText);
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Redirect, r.StatusCode));
        Assert.Single(await Host.RowsAsync(Host.SessionsTable));
    }

    [Fact]
    [Trait("Checklist", "A6")]
    public async Task GetToken_ReplayedAfterSignIn_GoesToMailWithoutTokenCall()
    {
        var (browser, _) = Host.CreateBrowser();
        var callback = Host.Entra.Authorize(await FlowSteps.StartSignInAsync(browser));
        using var first = await browser.GetAsync(callback.PathAndQuery);

        using var replay = await browser.GetAsync(callback.PathAndQuery);

        Assert.Equal("/api/Mail", replay.Location());
        Assert.Single(Host.Entra.TokenRequests);
    }

    [Fact]
    [Trait("Checklist", "A7")]
    public async Task GetToken_AccessDenied_ShowsFriendlyPageWithoutReflectingDescription()
    {
        var (browser, jar) = Host.CreateBrowser();
        var denied = EntraStub.Deny(await FlowSteps.StartSignInAsync(browser), "access_denied", "<script>alert(1)</script>");

        using var response = await browser.GetAsync(denied.PathAndQuery);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("Sign-in was cancelled", body, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("alert(1)", body, StringComparison.Ordinal);
        Assert.Empty(Host.Entra.TokenRequests);
        Assert.Empty(await Host.RowsAsync(Host.SignInsTable)); // the transaction was consumed
        Assert.DoesNotContain(Cookies.SignIn, jar.Cookies.Keys);
    }

    [Fact]
    public async Task GetToken_WithoutCode_ShowsFriendlyPageWithoutTokenCall()
    {
        var (browser, _) = Host.CreateBrowser();
        var callback = Host.Entra.Authorize(await FlowSteps.StartSignInAsync(browser));
        var state = QueryHelpers.ParseQuery(callback.Query)["state"];

        using var response = await browser.GetAsync($"/api/GetToken?state={Uri.EscapeDataString(state!)}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Sign in again", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(Host.Entra.TokenRequests);
    }

    [Fact]
    [Trait("Checklist", "A9")]
    [Trait("Checklist", "B5")]
    public async Task GetToken_Success_IsABareRedirectThatDropsCodeAndStateAndExpiresPreAuthCookie()
    {
        var (browser, jar) = Host.CreateBrowser();

        using var response = await FlowSteps.SignInAsync(Host, browser);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.DoesNotContain("code", response.Location(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("state", response.Location(), StringComparison.OrdinalIgnoreCase);
        Assert.Contains(response.SetCookies(), c => c.StartsWith(Cookies.SignIn + "=;", StringComparison.Ordinal) && c.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(Cookies.SignIn, jar.Cookies.Keys);
        Assert.Contains(Cookies.Session, jar.Cookies.Keys);
    }

    [Fact]
    [Trait("Checklist", "B6")]
    public async Task GetToken_WhileHoldingASession_MintsANewIdAndDeletesTheOldRow()
    {
        var (browser, jar) = Host.CreateBrowser();
        using var first = await FlowSteps.SignInAsync(Host, browser);
        var s0 = Cookies.IdOf(jar.Cookies[Cookies.Session]);

        using var second = await FlowSteps.SignInAsync(Host, browser);
        var s1 = Cookies.IdOf(jar.Cookies[Cookies.Session]);

        Assert.NotEqual(s0, s1);
        var rows = await Host.RowsAsync(Host.SessionsTable);
        Assert.Equal(s1, Assert.Single(rows).PartitionKey);
    }

    [Fact]
    public async Task GetToken_PersonalAccount_SignsIn()
    {
        var (browser, _) = Host.CreateBrowser();

        using var response = await FlowSteps.SignInAsync(Host, browser, TestUser.Personal());

        Assert.Equal("/api/Mail", response.Location());
        Assert.Single(await Host.RowsAsync(Host.SessionsTable));
    }

    [Fact]
    public async Task SignInAndMail_ManyRequests_FetchAuthorityMetadataAtMostOncePerProcess()
    {
        for (var i = 0; i < 3; i++)
        {
            var (browser, _) = Host.CreateBrowser();
            using var callback = await FlowSteps.SignInAsync(Host, browser);
            using var mail = await browser.GetAsync("/api/Mail");
            Assert.Equal(HttpStatusCode.OK, mail.StatusCode);
        }

        Assert.InRange(Host.Entra.DiscoveryRequests + Host.Entra.MetadataRequests, 0, 1);
        Host.AssertNoUnexpectedCalls();
    }
}
