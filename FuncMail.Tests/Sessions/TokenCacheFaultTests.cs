using System.Net;
using Azure.Data.Tables;
using FuncMail.Sessions;
using FuncMail.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FuncMail.Tests.Sessions;

/// <summary>A token cache that cannot be used fails closed, never with a 500 (checklist H4).</summary>
[Trait("Checklist", "H4")]
public sealed class TokenCacheFaultTests(AzuriteFixture azurite) : HostedTest(azurite, signedIn: true)
{
    private string SessionId => Cookies.IdOf(Jar.Cookies[Cookies.Session]);

    [Fact]
    public async Task Mail_WithACacheMsalCannotRead_EndsTheSessionAndSignsInAgain()
    {
        var store = Host.Services.GetRequiredService<SessionStore>();
        var session = (await store.GetAsync(SessionId, CancellationToken.None))!;
        Assert.True(await store.TryReplaceAsync(session with { TokenCache = "{ not an MSAL cache"u8.ToArray() }, CancellationToken.None));

        using var response = await Browser.GetAsync("/api/Mail");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/api/SignIn", response.Location(), StringComparison.Ordinal);
        Assert.Empty(await Host.RowsAsync(Host.SessionsTable));
        Assert.Contains(Host.Logs.GetSnapshot(), r => r.Message.Contains("token cache unreadable", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Mail_WhenARefreshMakesTheCacheTooLargeForTheRow_EndsTheSessionAndSignsInAgain()
    {
        // A session row holds 14 chunks of 60 KiB; an access token of 900 KB cannot be kept (checklist C4).
        var (browser, _) = Host.CreateBrowser();
        Host.Entra.AccessTokenLifetime = TimeSpan.FromMinutes(4); // the next Mail request refreshes
        using (await FlowSteps.SignInAsync(Host, browser)) { }
        Host.Entra.AccessTokenPadding = 900_000;

        using var response = await browser.GetAsync("/api/Mail");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/api/SignIn", response.Location(), StringComparison.Ordinal);
        Assert.Contains(Host.Logs.GetSnapshot(), r => r.Message.Contains("token cache too large to store", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Mail_EndedSessionSealedUnderAKeyNoLongerConfigured_SignsInAgainRatherThan503()
    {
        // A session that has ended needs no key: it is deleted and the user signs in, even after its key was retired.
        var row = (await Host.SessionsTable.GetEntityAsync<TableEntity>(SessionId, "")).Value;
        row["CacheKeyId"] = "retired";
        await Host.SessionsTable.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Merge);
        Host.Time.Advance(TimeSpan.FromHours(2));

        using var response = await Browser.GetAsync("/api/Mail");

        Assert.StartsWith("/api/SignIn", response.Location(), StringComparison.Ordinal);
        Assert.Empty(await Host.RowsAsync(Host.SessionsTable));
    }

    [Fact]
    public async Task GetToken_WhenTheTokensAreTooLargeForARow_ShowsAPageAndStoresNothing()
    {
        Host.Entra.AccessTokenPadding = 900_000;
        var (browser, jar) = Host.CreateBrowser();

        var (response, body) = await FlowSteps.GetPageAsync(browser, Host.Entra.Authorize(await FlowSteps.StartSignInAsync(browser)).PathAndQuery);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("Sign-in could not be kept", body, StringComparison.Ordinal);
        Assert.DoesNotContain(Cookies.Session, jar.Cookies.Keys);
        Assert.Single(await Host.RowsAsync(Host.SessionsTable)); // only the test's own signed-in session
    }

    [Fact]
    public async Task Mail_WithACacheSealedUnderAKeyThisInstanceLacks_Is503AndKeepsTheSession()
    {
        // Another instance already runs with a new key (a rotation rolling out) and sealed this row with it.
        var row = (await Host.SessionsTable.GetEntityAsync<TableEntity>(SessionId, "")).Value;
        var keyId = row.GetString("CacheKeyId");
        row["CacheKeyId"] = "k3";
        await Host.SessionsTable.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Merge);

        var (response, body) = await FlowSteps.GetPageAsync(Browser, "/api/Mail");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("try again", body, StringComparison.OrdinalIgnoreCase);
        Assert.Single(await Host.RowsAsync(Host.SessionsTable));
        Assert.DoesNotContain(response.SetCookies(), c => c.StartsWith(Cookies.Session, StringComparison.Ordinal));

        row = (await Host.SessionsTable.GetEntityAsync<TableEntity>(SessionId, "")).Value;
        row["CacheKeyId"] = keyId;
        await Host.SessionsTable.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Merge);
        using var recovered = await Browser.GetAsync("/api/Mail");
        Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
    }
}
