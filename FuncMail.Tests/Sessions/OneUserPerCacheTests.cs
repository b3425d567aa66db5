using System.Net;
using System.Text.Json;
using FuncMail.Sessions;
using FuncMail.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FuncMail.Tests.Sessions;

/// <summary>Two people through one app and one MSAL client factory: neither ever gets the other's token (checklist C2).</summary>
[Trait("Checklist", "C2")]
public sealed class OneUserPerCacheTests(AzuriteFixture azurite) : HostedTest(azurite)
{
    [Fact]
    public async Task TwoUsersAtOnce_EachSeesOnlyTheirOwnMailboxAndEachRowHoldsOnlyTheirAccount()
    {
        Host.Graph.SubjectsNameTheOwner = true;
        Host.Entra.AccessTokenLifetime = TimeSpan.FromMinutes(4); // every request refreshes, so every request writes its cache
        var ada = TestUser.Work();
        var grace = TestUser.Personal();
        var (adaBrowser, adaJar) = Host.CreateBrowser();
        var (graceBrowser, graceJar) = Host.CreateBrowser();
        using (await FlowSteps.SignInAsync(Host, adaBrowser, ada)) { }
        using (await FlowSteps.SignInAsync(Host, graceBrowser, grace)) { }

        var pages = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            var (browser, user, other) = i % 2 == 0 ? (adaBrowser, ada, grace) : (graceBrowser, grace, ada);
            var (response, body) = await FlowSteps.GetPageAsync(browser, "/api/Mail");
            return (response.StatusCode, body, user, other);
        }));

        foreach (var (status, body, user, other) in pages)
        {
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Contains($"(for {user.Username})", body, StringComparison.Ordinal);
            Assert.DoesNotContain(other.Username, body, StringComparison.Ordinal);
        }

        var store = Host.Services.GetRequiredService<SessionStore>();
        foreach (var (jar, user) in new[] { (adaJar, ada), (graceJar, grace) })
        {
            var cache = (await store.GetAsync(Cookies.IdOf(jar.Cookies[Cookies.Session]), CancellationToken.None))!.TokenCache!;
            using var document = JsonDocument.Parse(cache);
            var accounts = document.RootElement.GetProperty("Account").EnumerateObject().Select(a => a.Value.GetProperty("home_account_id").GetString()).ToList();
            Assert.Equal([user.HomeAccountId], accounts);
            Assert.All(document.RootElement.GetProperty("RefreshToken").EnumerateObject(), t => Assert.Equal(user.HomeAccountId, t.Value.GetProperty("home_account_id").GetString()));
        }
    }
}
