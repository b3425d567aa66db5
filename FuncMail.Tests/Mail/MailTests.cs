using System.Net;
using System.Text.Json.Nodes;
using FuncMail.Tests.Infrastructure;

namespace FuncMail.Tests.Mail;

/// <summary>The Mail page: its counted Table budget, token refresh, re-sign-in, Graph failures and encoding.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class MailTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private FuncMailTestHost _host = null!;
    private HttpClient _browser = null!;
    private CookieJar _jar = null!;

    public async Task InitializeAsync()
    {
        _host = await FuncMailTestHost.StartAsync(azurite);
        (_browser, _jar) = _host.CreateBrowser();
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task SignInAsync()
    {
        using var response = await FlowSteps.SignInAsync(_host, _browser);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        _host.Tables.Reset();
    }

    [Fact]
    public async Task Mail_WithValidAccessToken_OneTableReadAndNoWrite()
    {
        await SignInAsync();

        for (var i = 0; i < 3; i++)
        {
            _host.Tables.Reset();
            _host.Time.Advance(TimeSpan.FromMinutes(5));
            using var response = await _browser.GetAsync("/api/Mail");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(1, _host.Tables.Reads);
            Assert.Equal(0, _host.Tables.Writes);
        }

        Assert.Equal(0, _host.Entra.TokenPosts("refresh_token"));
        _host.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task Mail_AfterHalfTheIdleWindow_RenewsTheIdleClockOnceWithOneWrite()
    {
        await SignInAsync();
        _host.Time.Advance(TimeSpan.FromMinutes(31));

        using var renewing = await _browser.GetAsync("/api/Mail");
        Assert.Equal((1, 1), (_host.Tables.Reads, _host.Tables.Writes));

        _host.Tables.Reset();
        _host.Time.Advance(TimeSpan.FromMinutes(29.5)); // 60.5 minutes after sign-in: alive only because the clock was renewed
        using var next = await _browser.GetAsync("/api/Mail");

        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal((1, 0), (_host.Tables.Reads, _host.Tables.Writes));
    }

    [Fact]
    public async Task Mail_WithExpiredAccessToken_RefreshesSilentlyWithOneReadAndOneWrite()
    {
        // MSAL treats a token within 5 minutes of expiry as expired, so a 2-minute token needs a refresh at once.
        _host.Entra.AccessTokenLifetime = TimeSpan.FromMinutes(2);
        await SignInAsync();
        _host.Entra.AccessTokenLifetime = TimeSpan.FromHours(1);

        var (response, body) = await FlowSteps.GetPageAsync(_browser, "/api/Mail");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Quarterly numbers", body, StringComparison.Ordinal);
        Assert.Equal(1, _host.Entra.TokenPosts("refresh_token"));
        Assert.Equal((1, 1), (_host.Tables.Reads, _host.Tables.Writes));

        // The refreshed token was saved: the next request needs no refresh and no write.
        _host.Tables.Reset();
        using var again = await _browser.GetAsync("/api/Mail");
        Assert.Equal(1, _host.Entra.TokenPosts("refresh_token"));
        Assert.Equal((1, 0), (_host.Tables.Reads, _host.Tables.Writes));
    }

    [Fact]
    [Trait("Checklist", "C3")]
    public async Task Mail_TwoParallelRequestsWithExpiredToken_BothSucceedAndRowStaysReadable()
    {
        _host.Entra.AccessTokenLifetime = TimeSpan.FromMinutes(2);
        await SignInAsync();
        _host.Entra.AccessTokenLifetime = TimeSpan.FromHours(1);

        var responses = await Task.WhenAll(_browser.GetAsync("/api/Mail"), _browser.GetAsync("/api/Mail"));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        using var after = await _browser.GetAsync("/api/Mail");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    [Trait("Checklist", "E3")]
    public async Task Mail_WithRevokedRefreshToken_EndsSessionAndRedirectsToSignIn()
    {
        _host.Entra.AccessTokenLifetime = TimeSpan.FromMinutes(2);
        await SignInAsync();
        _host.Time.Advance(TimeSpan.FromMinutes(5));
        _host.Entra.RevokeRefreshTokens();

        using var response = await _browser.GetAsync("/api/Mail");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/api/SignIn?returnUrl=%2Fapi%2FMail", response.Location());
        Assert.Empty(await _host.RowsAsync(_host.SessionsTable));
        Assert.Empty(_host.Graph.Requests);
    }

    [Fact]
    [Trait("Checklist", "E3")]
    public async Task Mail_InteractionRequiredRightAfterSignIn_ShowsErrorPageInsteadOfLooping()
    {
        _host.Entra.AccessTokenLifetime = TimeSpan.FromMinutes(2);
        await SignInAsync();
        _host.Entra.RevokeRefreshTokens();

        var (response, body) = await FlowSteps.GetPageAsync(_browser, "/api/Mail");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("Sign-in keeps being asked for", body, StringComparison.Ordinal);
        Assert.Empty(await _host.RowsAsync(_host.SessionsTable));
    }

    [Fact]
    [Trait("Checklist", "E2")]
    public async Task Mail_WhenTokenEndpointFails_ShowsUnavailablePageAndKeepsSession()
    {
        _host.Entra.AccessTokenLifetime = TimeSpan.FromMinutes(2);
        await SignInAsync();
        _host.Entra.FailNextTokenRequests(HttpStatusCode.InternalServerError, HttpStatusCode.InternalServerError);

        using var response = await _browser.GetAsync("/api/Mail");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("Your session is kept", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Single(await _host.RowsAsync(_host.SessionsTable));
    }

    [Fact]
    [Trait("Checklist", "D5")]
    public async Task Mail_HostileSubjectAndSender_AreRenderedEncoded()
    {
        _host.Graph.Inbox.Add(new StubMessage("<img src=x onerror=alert(1)>", "\"><script>alert(2)</script>", "x\"onmouseover=\"alert(3)@evil.example", DateTimeOffset.UtcNow));
        await SignInAsync();

        var (_, body) = await FlowSteps.GetPageAsync(_browser, "/api/Mail");

        Assert.DoesNotContain("<img", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<script", body, StringComparison.OrdinalIgnoreCase);
        var document = PageParsing.Parse(body);
        Assert.Empty(document.QuerySelectorAll("script, img, [onerror], [onmouseover]"));
        Assert.Contains(document.QuerySelectorAll("td"), td => td.TextContent == "<img src=x onerror=alert(1)>");
        Assert.Contains(document.QuerySelectorAll("td"), td => td.TextContent == "\"><script>alert(2)</script>");
    }

    [Fact]
    [Trait("Checklist", "F2")]
    public async Task Mail_GraphCall_CarriesBearerTokenAndGuidClientRequestIdSharedWithMsal()
    {
        _host.Entra.AccessTokenLifetime = TimeSpan.FromMinutes(2);
        await SignInAsync();

        using var response = await _browser.GetAsync("/api/Mail");

        var call = Assert.Single(_host.Graph.Requests);
        Assert.StartsWith("Bearer at-", call.Authorization, StringComparison.Ordinal);
        Assert.True(Guid.TryParse(call.ClientRequestId, out _));
        Assert.Contains("$select=from,subject,receivedDateTime", call.Uri.Query, StringComparison.Ordinal);
        Assert.Contains("$top=10", call.Uri.Query, StringComparison.Ordinal);
        var refresh = _host.Entra.TokenRequests.Single(r => r.GetValueOrDefault("grant_type") == "refresh_token");
        Assert.Equal(call.ClientRequestId, refresh[EntraStub.ClientRequestIdHeader]);
    }

    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable, "not answering")]
    [InlineData(HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests, "Try again in 7 seconds")]
    [InlineData(HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable, "not answering")]
    public async Task Mail_WhenGraphFails_ShowsFriendlyErrorPage(HttpStatusCode graphStatus, HttpStatusCode expected, string message)
    {
        await SignInAsync();
        _host.Graph.Enqueue(() =>
        {
            var response = graphStatus == HttpStatusCode.OK
                ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{\"value\": [ {\"subject\": ", System.Text.Encoding.UTF8, "application/json") }
                : GraphStub.Json(graphStatus, new JsonObject { ["error"] = new JsonObject { ["code"] = "Throttled" } });
            response.Headers.RetryAfter = graphStatus == HttpStatusCode.TooManyRequests ? new(TimeSpan.FromSeconds(7)) : null;
            return response;
        });

        var (page, body) = await FlowSteps.GetPageAsync(_browser, "/api/Mail");

        Assert.Equal(expected, page.StatusCode);
        Assert.Contains(message, body, StringComparison.Ordinal);
        Assert.Contains("Support id", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
        Assert.Single(await _host.RowsAsync(_host.SessionsTable));
    }

    [Fact]
    public async Task Mail_SignedOut_RedirectsToSignInWithReturnUrl()
    {
        using var response = await _browser.GetAsync("/api/Mail");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/api/SignIn?returnUrl=%2Fapi%2FMail", response.Location());
        Assert.Equal(0, _host.Tables.Reads);
    }
}
