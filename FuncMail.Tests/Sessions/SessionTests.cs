using Microsoft.Extensions.DependencyInjection;
using System.Net;
using FuncMail.Sessions;
using FuncMail.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace FuncMail.Tests.Sessions;

/// <summary>The session cookie and row over real HTTP and real Azurite (checklist B1, B3, B4, B7, B8, F3, G2).</summary>
public sealed class SessionTests(AzuriteFixture azurite) : HostedTest(azurite, signedIn: true)
{
    private string SessionCookie => Jar.Cookies[Cookies.Session];

    [Theory]
    [Trait("Checklist", "B1")]
    [Trait("Checklist", "B2")]
    [InlineData("tampered-id")]
    [InlineData("truncated-mac")]
    [InlineData("wrong-length-mac")]
    [InlineData("unsigned")]
    [InlineData("garbage")]
    public async Task Mail_WithBadCookie_RedirectsToSignInWithoutTableRead(string kind)
    {
        var parts = SessionCookie.Split('.');
        Jar.Cookies[Cookies.Session] = kind switch
        {
            "tampered-id" => string.Join('.', parts[0], parts[1], (parts[2][0] == 'A' ? "B" : "A") + parts[2][1..], parts[3], parts[4]),
            "truncated-mac" => SessionCookie[..^4],
            "wrong-length-mac" => SessionCookie + "AAAA",
            "unsigned" => string.Join('.', parts[..4]),
            _ => "not-a-cookie",
        };
        Host.Tables.Reset();

        using var response = await Browser.GetAsync("/api/Mail");

        Assert.True(response.StatusCode == HttpStatusCode.Redirect, Host.LogText);
        Assert.Equal("/api/SignIn?returnUrl=%2Fapi%2FMail", response.Location());
        Assert.Equal(0, Host.Tables.Reads);
        Assert.Equal(0, Host.Tables.Writes);
    }

    [Fact]
    [Trait("Checklist", "F3")]
    public async Task Mail_WithTamperedCookie_LogsExactlyOneWarning()
    {
        Jar.Cookies[Cookies.Session] = SessionCookie[..^2] + (SessionCookie.EndsWith("AA", StringComparison.Ordinal) ? "BA" : "AA");

        using var response = await Browser.GetAsync("/api/Mail");

        var warnings = Host.Logs.GetSnapshot().Where(r => r.Level == Microsoft.Extensions.Logging.LogLevel.Warning).ToList();
        Assert.True(warnings.Count == 1, Host.LogText);
        Assert.Equal(2000, warnings[0].Id.Id);
    }

    [Fact]
    [Trait("Checklist", "B3")]
    public async Task Mail_WithCookieSignedByRetiredKey_IsAcceptedAndReissuedUnderActiveKey()
    {
        var sessionId = Cookies.IdOf(SessionCookie);
        var oldRing = new SessionKeyRing(Options.Create(new SessionOptions
        {
            Keys = new() { ["k1"] = FuncMailTestHost.OldSigningKey, ["k2"] = FuncMailTestHost.SigningKey },
            ActiveKeyId = "k1",
        }));
        Jar.Cookies[Cookies.Session] = new CookieSigner(oldRing, Host.Time).Sign(CookiePurpose.Session, sessionId);

        using var response = await Browser.GetAsync("/api/Mail");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("k2", Cookies.KeyIdOf(SessionCookie));
        Assert.Equal(sessionId, Cookies.IdOf(SessionCookie));
    }

    [Fact]
    [Trait("Checklist", "B3")]
    public async Task Mail_WithCookieSignedByUnknownKey_RedirectsToSignIn()
    {
        var ring = new SessionKeyRing(Options.Create(new SessionOptions { Keys = new() { ["k9"] = Convert.ToBase64String(new byte[32]) }, ActiveKeyId = "k9" }));
        Jar.Cookies[Cookies.Session] = new CookieSigner(ring, Host.Time).Sign(CookiePurpose.Session, Cookies.IdOf(SessionCookie));

        using var response = await Browser.GetAsync("/api/Mail");

        Assert.StartsWith("/api/SignIn", response.Location(), StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Checklist", "B1")]
    public async Task Mail_WithPreAuthCookieValuePlayedAsSessionCookie_IsRejected()
    {
        // A sign-in cookie is signed for another purpose, so it can never pass as a session cookie.
        var (other, otherJar) = Host.CreateBrowser();
        await FlowSteps.StartSignInAsync(other);
        Jar.Cookies[Cookies.Session] = otherJar.Cookies[Cookies.SignIn];

        using var response = await Browser.GetAsync("/api/Mail");

        Assert.StartsWith("/api/SignIn", response.Location(), StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Checklist", "B4")]
    public void SessionCookie_HasHostPrefixSecureHttpOnlyLaxAndNoDomain()
    {
        var header = Jar.SetCookieHeaders.Last(h => h.StartsWith(Cookies.Session + "=", StringComparison.Ordinal));
        var attributes = header.Split(';', StringSplitOptions.TrimEntries).Skip(1).ToList();

        Assert.Contains("secure", attributes, StringComparer.OrdinalIgnoreCase);
        Assert.Contains("httponly", attributes, StringComparer.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", attributes, StringComparer.OrdinalIgnoreCase);
        Assert.Contains("path=/", attributes, StringComparer.OrdinalIgnoreCase);
        Assert.DoesNotContain(attributes, a => a.StartsWith("domain", StringComparison.OrdinalIgnoreCase));
        Assert.True(header.Length < 4096);
    }

    [Fact]
    [Trait("Checklist", "B5")]
    public void PreAuthCookie_IsHttpOnlySecureAndLivesAtMostFifteenMinutes()
    {
        var header = Jar.SetCookieHeaders.First(h => h.StartsWith(Cookies.SignIn + "=", StringComparison.Ordinal));
        var attributes = header.Split(';', StringSplitOptions.TrimEntries).Skip(1).ToList();

        Assert.Contains("secure", attributes, StringComparer.OrdinalIgnoreCase);
        Assert.Contains("httponly", attributes, StringComparer.OrdinalIgnoreCase);
        var maxAge = int.Parse(attributes.Single(a => a.StartsWith("max-age=", StringComparison.OrdinalIgnoreCase))[8..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(maxAge, 1, 900);
    }

    [Fact]
    [Trait("Checklist", "B7")]
    public async Task Mail_AfterIdleTimeout_RedirectsToSignInAndDeletesRow()
    {
        Host.Time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));

        using var response = await Browser.GetAsync("/api/Mail");

        Assert.StartsWith("/api/SignIn", response.Location(), StringComparison.Ordinal);
        Assert.Empty(await Host.RowsAsync(Host.SessionsTable));
        Assert.DoesNotContain(Cookies.Session, Jar.Cookies.Keys);
    }

    [Fact]
    [Trait("Checklist", "B7")]
    public async Task Mail_AfterAbsoluteTimeout_RedirectsToSignInEvenWhenActive()
    {
        for (var step = 0; step < 13; step++)
        {
            Host.Time.Advance(TimeSpan.FromMinutes(55));
            using var active = await Browser.GetAsync("/api/Mail");
            Assert.Equal(HttpStatusCode.OK, active.StatusCode);
        }

        Host.Time.Advance(TimeSpan.FromMinutes(55));
        using var response = await Browser.GetAsync("/api/Mail");

        Assert.StartsWith("/api/SignIn", response.Location(), StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Checklist", "B7")]
    public async Task Mail_RowPastItsAbsoluteExpiry_RedirectsEvenWithAFreshCookie()
    {
        // A re-issued cookie (key rotation) has a fresh issued-at, so the row's own expiry is the limit that counts.
        var row = Assert.Single(await Host.RowsAsync(Host.SessionsTable));
        row["ExpiresAt"] = Host.Time.GetUtcNow().AddSeconds(-1);
        await Host.SessionsTable.UpdateEntityAsync(row, row.ETag);

        using var response = await Browser.GetAsync("/api/Mail");

        Assert.StartsWith("/api/SignIn", response.Location(), StringComparison.Ordinal);
        Assert.Empty(await Host.RowsAsync(Host.SessionsTable));
    }

    [Fact]
    [Trait("Checklist", "B7")]
    public async Task Home_AfterHalfTheIdleWindow_RenewsTheIdleClock()
    {
        Host.Time.Advance(TimeSpan.FromMinutes(31));
        using var home = await Browser.GetAsync("/api/Home");
        Assert.Equal((1, 1), (Host.Tables.Reads, Host.Tables.Writes));

        Host.Time.Advance(TimeSpan.FromMinutes(29.5));
        using var mail = await Browser.GetAsync("/api/Mail");

        Assert.Equal(HttpStatusCode.OK, mail.StatusCode);
    }

    [Fact]
    [Trait("Checklist", "B8")]
    public async Task SignOut_ThenReplayOldCookie_RedirectsToSignInAndLeavesNoRow()
    {
        var oldCookie = SessionCookie;
        var (_, home) = await FlowSteps.GetPageAsync(Browser, "/api/Home");
        using var signOut = await Browser.PostAsync("/api/SignOut", new FormUrlEncodedContent(new Dictionary<string, string> { ["csrf"] = PageParsing.SignOutToken(home) }));
        Assert.Equal(HttpStatusCode.SeeOther, signOut.StatusCode);

        // Out of Microsoft's session too, for this account without asking which (the login_hint optional claim).
        var endSession = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(signOut.Location()).Query);
        Assert.Equal(new Uri(Host.BaseAddress, "/api/Home").AbsoluteUri, endSession["post_logout_redirect_uri"]);
        Assert.Equal("O.CiQ" + Host.Entra.DefaultUser.ObjectId.Replace("-", "", StringComparison.Ordinal), endSession["logout_hint"]);

        Jar.Cookies[Cookies.Session] = oldCookie;
        using var replay = await Browser.GetAsync("/api/Mail");

        Assert.StartsWith("/api/SignIn", replay.Location(), StringComparison.Ordinal);
        Assert.Empty(await Host.RowsAsync(Host.SessionsTable));
    }

    [Theory]
    [Trait("Checklist", "B8")]
    [InlineData(null, null)]
    [InlineData("forged", null)]
    [InlineData("valid", "https://evil.example")]
    [InlineData("valid", "sec-fetch-site:cross-site")]
    public async Task SignOut_WithoutValidTokenOrFromAnotherOrigin_IsRefusedAndKeepsSession(string? token, string? origin)
    {
        var (_, home) = await FlowSteps.GetPageAsync(Browser, "/api/Home");
        var form = new Dictionary<string, string>();
        if (token is not null)
        {
            form["csrf"] = token == "valid" ? PageParsing.SignOutToken(home) : token;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/SignOut") { Content = new FormUrlEncodedContent(form) };
        if (origin?.StartsWith("sec-fetch-site:", StringComparison.Ordinal) == true)
        {
            request.Headers.Add("Sec-Fetch-Site", origin["sec-fetch-site:".Length..]);
        }
        else if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        using var response = await Browser.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Single(await Host.RowsAsync(Host.SessionsTable));
    }

    [Fact]
    [Trait("Checklist", "B8")]
    public async Task SignOut_Get_ShowsAPostFormAndChangesNothing()
    {
        var (response, body) = await FlowSteps.GetPageAsync(Browser, "/api/SignOut");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var form = PageParsing.Parse(body).QuerySelector("main form")!;
        Assert.Equal("post", form.GetAttribute("method"));
        Assert.Single(await Host.RowsAsync(Host.SessionsTable));
    }

    [Fact]
    [Trait("Checklist", "C3")]
    public async Task Touch_AfterAdoptingAnotherRequestsRefresh_SavesThatCacheNotTheOneItRead()
    {
        // A request that waited its turn took the cache the one before it refreshed; when it renews the idle clock it
        // must write that cache, or the refresh is undone and the next request refreshes again.
        var gate = Host.Services.GetRequiredService<SessionGate>();
        var store = Host.Services.GetRequiredService<SessionStore>();
        Host.Time.Advance(TimeSpan.FromMinutes(31)); // the idle clock is due for renewal
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        context.Request.Headers.Cookie = $"{Cookies.Session}={SessionCookie}";
        var cookie = Host.Services.GetRequiredService<FuncMail.Web.SessionCookies>().ReadSession(context)!.Value;
        var active = (await gate.FindAsync(cookie, CancellationToken.None))!;
        var adopted = "{\"adopted\":true}"u8.ToArray();

        Assert.True(await gate.TouchAsync(active, adopted, cacheChanged: false, CancellationToken.None));

        Assert.Equal(adopted, (await store.GetAsync(active.Session.Id, CancellationToken.None))!.TokenCache);
    }

    [Fact]
    [Trait("Checklist", "G2")]
    public async Task Mail_WithOurCookieOnlyAfterAComma_UsesNothingAndLogsWhy()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/Mail");
        request.Headers.TryAddWithoutValidation("Cookie", $"planted=x, {Cookies.Session}={SessionCookie}");

        using var response = await Browser.SendAsync(request);

        Assert.StartsWith("/api/SignIn", response.Location(), StringComparison.Ordinal);
        Assert.Contains(Host.Logs.GetSnapshot(), r => r.Message.Contains("not as a ';'-separated pair", StringComparison.Ordinal));
    }

    [Fact]
    [Trait("Checklist", "G2")]
    public async Task Mail_WithTheSessionCookieInTheStandardSemicolonForm_FindsTheSession()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/Mail");
        request.Headers.TryAddWithoutValidation("Cookie", $"other=1; {Cookies.Session}={SessionCookie}; third=3");

        using var response = await Browser.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
