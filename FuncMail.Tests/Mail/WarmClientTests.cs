using System.Net;
using FuncMail.Auth;
using FuncMail.Sessions;
using FuncMail.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FuncMail.Tests.Mail;

/// <summary>
/// A warm request takes over the MSAL client its session's last request left on this instance (SessionTokens.Park
/// and Take), when the row is still at the version that request read: no client is built and no cache deserialized.
/// The client must never serve another session, a newer row version, or a session that ended.
/// </summary>
public sealed class WarmClientTests(AzuriteFixture azurite) : HostedTest(azurite, signedIn: true)
{
    private MsalClientFactory Factory => Host.Services.GetRequiredService<MsalClientFactory>();

    private SessionTokens Tokens => Host.Services.GetRequiredService<SessionTokens>();

    [Fact]
    public async Task Mail_WarmRequests_BuildNoMsalClient()
    {
        await AssertMailAsync(Browser);
        var built = Factory.Built;

        for (var i = 0; i < 3; i++)
        {
            await AssertMailAsync(Browser);
        }

        Assert.Equal(built, Factory.Built);
        Assert.Equal(0, Host.Entra.TokenPosts("refresh_token"));
    }

    [Fact]
    [Trait("Checklist", "C2")]
    public async Task TwoUsersTakingTurns_EachWarmRequestSeesOnlyItsOwnMailbox()
    {
        Host.Graph.SubjectsNameTheOwner = true;
        var ada = Host.Entra.DefaultUser;
        var grace = TestUser.Personal();
        var (graceBrowser, _) = Host.CreateBrowser();
        using (await FlowSteps.SignInAsync(Host, graceBrowser, grace)) { }

        for (var i = 0; i < 3; i++)
        {
            foreach (var (browser, user, other) in new[] { (Browser, ada, grace), (graceBrowser, grace, ada) })
            {
                var body = await AssertMailAsync(browser);
                Assert.Contains($"(for {user.Username})", body, StringComparison.Ordinal);
                Assert.DoesNotContain(other.Username, body, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task SignOut_DropsTheSessionsWarmClient()
    {
        var page = await AssertMailAsync(Browser);
        Assert.Equal(1, Tokens.ParkedCount);

        using var signOut = await Browser.PostAsync("/api/SignOut", new FormUrlEncodedContent(new Dictionary<string, string> { ["csrf"] = PageParsing.SignOutToken(page) }));

        Assert.Equal(HttpStatusCode.SeeOther, signOut.StatusCode);
        Assert.Equal(0, Tokens.ParkedCount);
    }

    [Fact]
    public async Task SigningInAgain_DropsThePreviousSessionsWarmClient()
    {
        await AssertMailAsync(Browser);
        Assert.Equal(1, Tokens.ParkedCount);

        using (await FlowSteps.SignInAsync(Host, Browser)) { }

        Assert.Equal(0, Tokens.ParkedCount);
    }

    [Fact]
    [Trait("Checklist", "C3")]
    public async Task AnotherInstanceRefreshed_TheWarmClientsOlderCacheIsNotUsed()
    {
        // This instance leaves a warm client holding the cache as it read it.
        await AssertMailAsync(Browser);

        // Another instance of the app refreshes the session's tokens (Graph rejected the cached one) and saves them.
        await using var other = await FuncMailTestHost.StartAsync(Azurite, sameAppAs: Host);
        var (otherBrowser, _) = other.CreateBrowser();
        otherBrowser.DefaultRequestHeaders.Add("Cookie", $"{Cookies.Session}={Jar.Cookies[Cookies.Session]}");
        Host.Graph.Enqueue(() => GraphStub.Error(HttpStatusCode.Unauthorized, "InvalidAuthenticationToken", "Lifetime validation failed."));
        await AssertMailAsync(otherBrowser);
        Assert.Equal(1, Host.Entra.TokenPosts("refresh_token"));
        var refreshed = Host.Graph.MessageRequests.Last().Authorization;

        // Back on this instance the row has a newer version: its cache is loaded, so Graph sees the refreshed token.
        await AssertMailAsync(Browser);

        Assert.Equal(refreshed, Host.Graph.MessageRequests.Last().Authorization);
        Assert.Equal(1, Host.Entra.TokenPosts("refresh_token"));
    }

    [Fact]
    public async Task CacheAdoptedAfterTheClientLoadedItsOwn_IsLoadedBeforeTheNextAccess()
    {
        // Two versions of the session's cache: as read, and as another request of the session refreshed it.
        var session = (await Host.Services.GetRequiredService<SessionStore>().GetAsync(Cookies.IdOf(Jar.Cookies[Cookies.Session]), CancellationToken.None))!;
        var refresher = Factory.Create(new TokenCacheSlot(session.TokenCache, session.HomeAccountId));
        var refreshed = await refresher.App.AcquireTokenSilent(MsalClientFactory.Scopes, await refresher.App.GetAccountAsync(session.HomeAccountId))
            .WithForceRefresh(true).ExecuteAsync();
        var posts = Host.Entra.TokenPosts("refresh_token");

        // A client that already loaded the cache as read takes the refreshed one (as AcquireTokenAsync does after waiting its turn).
        var slot = new TokenCacheSlot(session.TokenCache, session.HomeAccountId);
        var client = Factory.Create(slot);
        var account = await client.App.GetAccountAsync(session.HomeAccountId);
        slot.Adopt(refresher.Slot.Data!);
        var result = await client.App.AcquireTokenSilent(MsalClientFactory.Scopes, account).ExecuteAsync();

        Assert.Equal(refreshed.AccessToken, result.AccessToken);
        Assert.Equal(posts, Host.Entra.TokenPosts("refresh_token"));
        Assert.False(client.HoldsAsRead(session.TokenCache));
    }

    private static async Task<string> AssertMailAsync(HttpClient browser)
    {
        var (response, body) = await FlowSteps.GetPageAsync(browser, "/api/Mail");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return body;
    }
}
