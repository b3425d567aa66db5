using System.Net;
using FuncMail.Tests.Infrastructure;

namespace FuncMail.Tests.Functions;

/// <summary>The walking skeleton over real HTTP: Home → SignIn → authorize (stub) → GetToken → Mail → SignOut → Mail.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class EndToEndFlowTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task FullFlow_SignInReadMailSignOut_EndsSignedOut()
    {
        await using var host = await FuncMailTestHost.StartAsync(azurite);
        var (browser, jar) = host.CreateBrowser();

        var (home, homeBody) = await FlowSteps.GetPageAsync(browser, "/api/Home");
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        Assert.Contains("Sign in with Microsoft", homeBody, StringComparison.Ordinal);

        using var callback = await FlowSteps.SignInAsync(host, browser);
        Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
        Assert.Equal("/api/Mail", callback.Location());

        var (mail, mailBody) = await FlowSteps.GetPageAsync(browser, "/api/Mail");
        Assert.Equal(HttpStatusCode.OK, mail.StatusCode);
        Assert.Contains("Quarterly numbers", mailBody, StringComparison.Ordinal);
        Assert.Contains("Megan Bowen", mailBody, StringComparison.Ordinal);
        Assert.Contains("(no subject)", mailBody, StringComparison.Ordinal);
        Assert.Contains(host.Entra.DefaultUser.Username, mailBody, StringComparison.Ordinal);

        var (signedInHome, signedInBody) = await FlowSteps.GetPageAsync(browser, "/api/Home");
        Assert.Contains(host.Entra.DefaultUser.Name, signedInBody, StringComparison.Ordinal);
        var csrf = PageParsing.SignOutToken(signedInBody);

        using var signOut = await browser.PostAsync("/api/SignOut", new FormUrlEncodedContent(new Dictionary<string, string> { ["csrf"] = csrf }));
        Assert.Equal(HttpStatusCode.SeeOther, signOut.StatusCode);
        Assert.StartsWith("https://login.microsoftonline.com/common/oauth2/v2.0/logout?post_logout_redirect_uri=", signOut.Location(), StringComparison.Ordinal);
        Assert.DoesNotContain(jar.Cookies.Keys, k => k == "__Host-FuncMail");

        using var after = await browser.GetAsync("/api/Mail");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.StartsWith("/api/SignIn?returnUrl=", after.Location(), StringComparison.Ordinal);
        host.AssertNoUnexpectedCalls();
    }
}
