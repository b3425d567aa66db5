using System.Net;
using FuncMail.Tests.Infrastructure;
using FuncMail.Tests.Infrastructure.Worker;

namespace FuncMail.Tests.Worker;

/// <summary>
/// No client secret in Azure: the app registration trusts the app's user-assigned managed identity as a federated
/// identity credential, and MSAL sends the identity's token as the client assertion. Through the real worker, with the
/// platform's identity endpoint found through the environment as on Flex Consumption.
/// </summary>
[Collection(AzuriteCollection.Name)]
[Trait("Host", "Worker")]
public sealed class WorkerManagedIdentityTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task SignInAndRefresh_UseTheManagedIdentitysAssertion_FetchedOncePerLifetime_AndNoSecret()
    {
        await using var host = await FuncMailWorkerHost.StartAsync(azurite, managedIdentity: true);
        var identity = host.ManagedIdentity!;

        // Tokens within MSAL's 5-minute margin: every mail page refreshes, so each one posts to the token endpoint.
        host.Entra.AccessTokenLifetime = TimeSpan.FromMinutes(4);
        foreach (var user in new[] { TestUser.Work(), TestUser.Personal() })
        {
            var (browser, _) = host.CreateBrowser();
            using var callback = await FlowSteps.SignInAsync(host, browser, user);
            Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
            for (var page = 0; page < 2; page++)
            {
                using var mail = await browser.GetAsync("/api/Mail");
                Assert.Equal(HttpStatusCode.OK, mail.StatusCode);
            }
        }

        var posts = host.Entra.TokenRequests.ToList();
        Assert.Equal(2, host.Entra.TokenPosts("authorization_code"));
        Assert.True(host.Entra.TokenPosts("refresh_token") >= 4, $"{host.Entra.TokenPosts("refresh_token")} refreshes");
        Assert.All(posts, form =>
        {
            Assert.Equal(EntraStub.JwtBearer, form["client_assertion_type"]);
            Assert.DoesNotContain("client_secret", form.Keys);
        });
        Assert.Single(posts.Select(form => form["client_assertion"]).Distinct());
        Assert.Equal(1, identity.TokenRequests);
        Assert.DoesNotContain("Entra:ClientSecret", host.Settings.Keys);
        Assert.All(host.Entra.IssuedSecrets, secret => Assert.DoesNotContain(secret, host.LogText, StringComparison.Ordinal));
        host.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task SignIn_WhenTheAppRegistrationDoesNotTrustTheIdentity_ShowsUnavailable_AndLogsTheCode()
    {
        await using var host = await FuncMailWorkerHost.StartAsync(azurite, managedIdentity: true);
        host.Entra.FederatedCredentials.Clear(); // the post-provision step that adds the credential has not run
        var (browser, _) = host.CreateBrowser();

        using var callback = await FlowSteps.SignInAsync(host, browser);
        var body = await callback.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, callback.StatusCode);
        Assert.Contains("Microsoft sign-in", body, StringComparison.Ordinal);
        Assert.Contains(host.Emulator.Logs, l => l.Message.Contains("The identity platform failed (invalid_client, HTTP 401)", StringComparison.Ordinal));
        Assert.DoesNotContain(await host.RowsAsync(host.SessionsTable), _ => true);
        host.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task SignIn_WhenTheIdentityIsNotTheAppsOwn_ShowsUnavailable_AndLogsWhatToCheck()
    {
        await using var host = await FuncMailWorkerHost.StartAsync(azurite, s => s["Entra:ManagedIdentityClientId"] = Guid.NewGuid().ToString(), managedIdentity: true);
        var (browser, _) = host.CreateBrowser();

        using var callback = await FlowSteps.SignInAsync(host, browser);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, callback.StatusCode);
        Assert.Contains(host.Emulator.Logs, l => l.Message.Contains("The managed identity could not get the assertion", StringComparison.Ordinal));
        Assert.Equal(0, host.Entra.TokenPosts("authorization_code"));
        host.AssertNoUnexpectedCalls();
    }
}
