using System.Net;
using System.Text.Json.Nodes;
using FuncMail.Tests.Infrastructure;

namespace FuncMail.Tests.Mail;

/// <summary>The Mail page: its counted Table budget, token refresh, re-sign-in, Graph failures and encoding.</summary>
public sealed class MailTests(AzuriteFixture azurite) : HostedTest(azurite)
{
    private async Task SignInAsync()
    {
        using var response = await FlowSteps.SignInAsync(Host, Browser);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Host.Tables.Reset();
    }

    [Fact]
    public async Task Mail_WithValidAccessToken_OneTableReadAndNoWrite()
    {
        await SignInAsync();

        for (var i = 0; i < 3; i++)
        {
            Host.Tables.Reset();
            Host.Time.Advance(TimeSpan.FromMinutes(5));
            using var response = await Browser.GetAsync("/api/Mail");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(1, Host.Tables.Reads);
            Assert.Equal(0, Host.Tables.Writes);
        }

        Assert.Equal(0, Host.Entra.TokenPosts("refresh_token"));
        Host.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task Mail_AfterHalfTheIdleWindow_RenewsTheIdleClockOnceWithOneWrite()
    {
        await SignInAsync();
        Host.Time.Advance(TimeSpan.FromMinutes(31));

        using var renewing = await Browser.GetAsync("/api/Mail");
        Assert.Equal((1, 1), (Host.Tables.Reads, Host.Tables.Writes));

        Host.Tables.Reset();
        Host.Time.Advance(TimeSpan.FromMinutes(29.5)); // 60.5 minutes after sign-in: alive only because the clock was renewed
        using var next = await Browser.GetAsync("/api/Mail");

        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal((1, 0), (Host.Tables.Reads, Host.Tables.Writes));
    }

    [Fact]
    public async Task Mail_WithExpiredAccessToken_RefreshesSilentlyWithOneReadAndOneWrite()
    {
        // MSAL treats a token within 5 minutes of expiry as expired, so a 2-minute token needs a refresh at once.
        Host.Entra.AccessTokenLifetime = TimeSpan.FromMinutes(2);
        await SignInAsync();
        Host.Entra.AccessTokenLifetime = TimeSpan.FromHours(1);

        var (response, body) = await FlowSteps.GetPageAsync(Browser, "/api/Mail");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Quarterly numbers", body, StringComparison.Ordinal);
        Assert.Equal(1, Host.Entra.TokenPosts("refresh_token"));
        Assert.Equal((1, 1), (Host.Tables.Reads, Host.Tables.Writes));

        // The refreshed token was saved: the next request needs no refresh and no write.
        Host.Tables.Reset();
        using var again = await Browser.GetAsync("/api/Mail");
        Assert.Equal(1, Host.Entra.TokenPosts("refresh_token"));
        Assert.Equal((1, 0), (Host.Tables.Reads, Host.Tables.Writes));
    }

    [Fact]
    [Trait("Checklist", "C3")]
    public async Task Mail_TwoParallelRequestsWithExpiredToken_BothSucceedAndRowStaysReadable()
    {
        Host.Entra.AccessTokenLifetime = TimeSpan.FromMinutes(2);
        await SignInAsync();
        Host.Entra.AccessTokenLifetime = TimeSpan.FromHours(1);

        var responses = await Task.WhenAll(Browser.GetAsync("/api/Mail"), Browser.GetAsync("/api/Mail"));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        using var after = await Browser.GetAsync("/api/Mail");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    [Trait("Checklist", "E3")]
    public async Task Mail_WithRevokedRefreshToken_EndsSessionAndRedirectsToSignIn()
    {
        Host.Entra.AccessTokenLifetime = TimeSpan.FromMinutes(2);
        await SignInAsync();
        Host.Time.Advance(TimeSpan.FromMinutes(5));
        Host.Entra.RevokeRefreshTokens();

        using var response = await Browser.GetAsync("/api/Mail");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/api/SignIn?returnUrl=%2Fapi%2FMail", response.Location());
        Assert.Empty(await Host.RowsAsync(Host.SessionsTable));
        Assert.Empty(Host.Graph.MessageRequests);
    }

    [Fact]
    [Trait("Checklist", "E3")]
    public async Task Mail_InteractionRequiredRightAfterSignIn_ShowsErrorPageInsteadOfLooping()
    {
        Host.Entra.AccessTokenLifetime = TimeSpan.FromMinutes(2);
        await SignInAsync();
        Host.Entra.RevokeRefreshTokens();

        var (response, body) = await FlowSteps.GetPageAsync(Browser, "/api/Mail");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("Sign-in keeps being asked for", body, StringComparison.Ordinal);
        Assert.Empty(await Host.RowsAsync(Host.SessionsTable));
    }

    [Fact]
    public async Task Mail_GraphRejectsACachedToken_RefreshesOnceAndShowsMail()
    {
        await SignInAsync();
        Host.Graph.Enqueue(() => GraphStub.Error(HttpStatusCode.Unauthorized, "InvalidAuthenticationToken", "Lifetime validation failed."));

        var (response, body) = await FlowSteps.GetPageAsync(Browser, "/api/Mail");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Quarterly numbers", body, StringComparison.Ordinal);
        Assert.Equal(1, Host.Entra.TokenPosts("refresh_token"));
        Assert.Equal(2, Host.Graph.MessageRequests.Count());
    }

    [Fact]
    public async Task Mail_GraphForbids_ShowsPermissionPage()
    {
        await SignInAsync();
        Host.Graph.Enqueue(() => GraphStub.Error(HttpStatusCode.Forbidden, "ErrorAccessDenied", "Access is denied. Check credentials and try again."));

        var (response, body) = await FlowSteps.GetPageAsync(Browser, "/api/Mail");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("may not read this mailbox", body, StringComparison.Ordinal);
    }

    // Graph's error codes a user can meet, each with its own page (Graph error bodies: {"error":{"code":…}}).
    [Theory]
    [InlineData(HttpStatusCode.NotFound, "MailboxNotEnabledForRESTAPI", HttpStatusCode.Forbidden, "no mailbox FuncMail can read")]
    [InlineData(HttpStatusCode.NotFound, "ErrorItemNotFound", HttpStatusCode.NotFound, "deleted or moved")]
    [InlineData(HttpStatusCode.BadRequest, "InefficientFilter", HttpStatusCode.BadRequest, "could not run that query")]
    public async Task Mail_GraphErrorCode_ShowsItsOwnPage(HttpStatusCode graphStatus, string code, HttpStatusCode expected, string text)
    {
        await SignInAsync();
        Host.Graph.Enqueue(() => GraphStub.Error(graphStatus, code, "as Graph says it"));

        var (response, body) = await FlowSteps.GetPageAsync(Browser, "/api/Mail");

        Assert.Equal(expected, response.StatusCode);
        Assert.Contains(text, body, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Checklist", "E2")]
    public async Task Mail_WhenTokenEndpointFails_ShowsUnavailablePageAndKeepsSession()
    {
        Host.Entra.AccessTokenLifetime = TimeSpan.FromMinutes(2);
        await SignInAsync();
        Host.Entra.FailNextTokenRequests(HttpStatusCode.InternalServerError, HttpStatusCode.InternalServerError);

        using var response = await Browser.GetAsync("/api/Mail");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("Your session is kept", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Single(await Host.RowsAsync(Host.SessionsTable));

        // MSAL's own account of it reaches FuncMail's log, without a token or code in it.
        Assert.Contains(Host.Logs.GetSnapshot(), r => r.Category == FuncMail.Auth.MsalLogger.Category && r.Level >= Microsoft.Extensions.Logging.LogLevel.Warning);
        Assert.All(Host.Entra.IssuedSecrets, secret => Assert.DoesNotContain(secret, Host.LogText, StringComparison.Ordinal));
    }

    [Fact]
    [Trait("Checklist", "D5")]
    public async Task Mail_HostileSubjectAndSender_AreRenderedEncoded()
    {
        Host.Graph.Inbox.Add(new StubMessage("<img src=x onerror=alert(1)>", "\"><script>alert(2)</script>", "x\"onmouseover=\"alert(3)@evil.example", DateTimeOffset.UtcNow));
        await SignInAsync();

        var (_, body) = await FlowSteps.GetPageAsync(Browser, "/api/Mail");

        Assert.DoesNotContain("<img", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<script", body, StringComparison.OrdinalIgnoreCase);
        var document = PageParsing.Parse(body);
        Assert.Empty(document.QuerySelectorAll("script, img, [onerror], [onmouseover]"));
        Assert.Contains(document.QuerySelectorAll(".subject"), e => e.TextContent.Contains("<img src=x onerror=alert(1)>", StringComparison.Ordinal));
        Assert.Contains(document.QuerySelectorAll(".from"), e => e.TextContent.StartsWith("\"><script>alert(2)</script>", StringComparison.Ordinal));
    }

    [Fact]
    [Trait("Checklist", "F2")]
    public async Task Mail_GraphCall_CarriesBearerTokenAndGuidClientRequestIdSharedWithMsal()
    {
        Host.Entra.AccessTokenLifetime = TimeSpan.FromMinutes(2);
        await SignInAsync();

        using var response = await Browser.GetAsync("/api/Mail");

        var call = Assert.Single(Host.Graph.MessageRequests);
        Assert.StartsWith("Bearer at-", call.Authorization, StringComparison.Ordinal);
        Assert.True(Guid.TryParse(call.ClientRequestId, out _));
        Assert.Contains("$select=from,subject,receivedDateTime", call.Uri.Query, StringComparison.Ordinal);
        Assert.Contains("$top=10", call.Uri.Query, StringComparison.Ordinal);
        Assert.All(Host.Graph.Requests.Where(r => r.Uri.AbsolutePath.EndsWith("/mailFolders", StringComparison.Ordinal)), r => Assert.Equal(call.ClientRequestId, r.ClientRequestId));
        var refresh = Host.Entra.TokenRequests.Single(r => r.GetValueOrDefault("grant_type") == "refresh_token");
        Assert.Equal(call.ClientRequestId, refresh[EntraStub.ClientRequestIdHeader]);
    }

    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable, "not answering")]
    [InlineData(HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests, "Try again in 7 seconds")]
    [InlineData(HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable, "not answering")]
    public async Task Mail_WhenGraphFails_ShowsFriendlyErrorPage(HttpStatusCode graphStatus, HttpStatusCode expected, string message)
    {
        await SignInAsync();
        for (var attempt = 0; attempt <= 2; attempt++) // every attempt the resilience handler makes
        {
            Host.Graph.Enqueue(() =>
        {
            var response = graphStatus == HttpStatusCode.OK
                ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{\"value\": [ {\"subject\": ", System.Text.Encoding.UTF8, "application/json") }
                : GraphStub.Json(graphStatus, new JsonObject { ["error"] = new JsonObject { ["code"] = "Throttled" } });
            response.Headers.RetryAfter = graphStatus == HttpStatusCode.TooManyRequests ? new(TimeSpan.FromSeconds(7)) : null;
            return response;
        });
        }

        var (page, body) = await FlowSteps.GetPageAsync(Browser, "/api/Mail");

        Assert.Equal(expected, page.StatusCode);
        Assert.Contains(message, body, StringComparison.Ordinal);
        Assert.Contains("Support id", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
        Assert.Single(await Host.RowsAsync(Host.SessionsTable));
    }

    [Fact]
    public async Task Mail_SignedOut_RedirectsToSignInWithReturnUrl()
    {
        using var response = await Browser.GetAsync("/api/Mail");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/api/SignIn?returnUrl=%2Fapi%2FMail", response.Location());
        Assert.Equal(0, Host.Tables.Reads);
    }
}
