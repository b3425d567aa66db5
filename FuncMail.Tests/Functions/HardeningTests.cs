using System.Net;
using FuncMail.Tests.Infrastructure;

namespace FuncMail.Tests.Functions;

/// <summary>Every endpoint's response headers, redirects and errors included (checklist D1-D4), and no secret in any log (F1).</summary>
public sealed class HardeningTests(AzuriteFixture azurite) : HostedTest(azurite)
{
    [Fact]
    [Trait("Checklist", "D1")]
    [Trait("Checklist", "D2")]
    [Trait("Checklist", "D3")]
    [Trait("Checklist", "D4")]
    public async Task EveryEndpoint_SignedOutAndSignedIn_CarriesSecurityHeaders()
    {
        var (anonymous, _) = Host.CreateBrowser();
        var (signedIn, _) = Host.CreateBrowser();
        using var signIn = await FlowSteps.SignInAsync(Host, signedIn);
        FuncMailAssert.Hardened(signIn, "GetToken (success)");

        foreach (var (name, browser) in new[] { ("signed out", anonymous), ("signed in", signedIn) })
        {
            foreach (var path in new[] { "/api/Home", "/api/Mail", "/api/SignIn", "/api/GetToken", "/api/GetToken?state=x&code=y", "/api/SignOut", "/api/Message?id=AAMkAGI2", "/api/Message?id=bad.id", "/api/Attachment?message=AAMkA&id=AAMkB&download=1" })
            {
                using var response = await browser.GetAsync(path);
                FuncMailAssert.Hardened(response, $"GET {path} ({name})");
                Assert.True((int)response.StatusCode < 500, $"GET {path} ({name}): HTTP {(int)response.StatusCode}");
            }

            using var post = await browser.PostAsync("/api/SignOut", new FormUrlEncodedContent([]));
            FuncMailAssert.Hardened(post, $"POST /api/SignOut ({name})");
            Assert.True((int)post.StatusCode < 500, $"POST /api/SignOut ({name}): HTTP {(int)post.StatusCode}");
        }

        FuncMailAssert.NoOffOriginReferences(await anonymous.GetStringAsync("/api/Home"));
        FuncMailAssert.NoOffOriginReferences(await signedIn.GetStringAsync("/api/Mail"));
    }

    [Fact]
    [Trait("Checklist", "D4")]
    public async Task Pages_AreUtf8Html()
    {
        var (browser, _) = Host.CreateBrowser();

        using var response = await browser.GetAsync("/api/Home");

        Assert.Equal("text/html", response.ContentType()!.MediaType);
        Assert.Equal("utf-8", response.ContentType()!.CharSet);
    }

    [Fact]
    [Trait("Checklist", "F1")]
    public async Task FullFlow_LogsNoCodeStateTokenCookieOrSecret()
    {
        var (browser, jar) = Host.CreateBrowser();
        var authorize = await FlowSteps.StartSignInAsync(browser);
        var callback = Host.Entra.Authorize(authorize);
        var (code, state) = (QueryParam(callback, "code"), QueryParam(callback, "state"));
        var preAuthCookie = jar.Cookies[Cookies.SignIn];
        using (await browser.GetAsync(callback.PathAndQuery)) { }
        using (await browser.GetAsync("/api/Mail")) { }
        var sessionCookie = jar.Cookies[Cookies.Session];
        var tokenPost = Host.Entra.TokenRequests.Single();
        var graphToken = Host.Graph.MessageRequests.Single().Authorization!["Bearer ".Length..];
        var home = await browser.GetStringAsync("/api/Home");
        using (await browser.PostAsync("/api/SignOut", new FormUrlEncodedContent(new Dictionary<string, string> { ["csrf"] = PageParsing.SignOutToken(home) }))) { }

        var canaries = new Dictionary<string, string>
        {
            ["code"] = code,
            ["state"] = state,
            ["nonce"] = QueryParam(authorize, "nonce"),
            ["code_verifier"] = tokenPost["code_verifier"],
            ["code_challenge"] = QueryParam(authorize, "code_challenge"),
            ["client secret"] = FuncMailTestHost.ClientSecret,
            ["access token"] = graphToken,
            ["session cookie MAC"] = sessionCookie.Split('.')[4],
            ["session id"] = Cookies.IdOf(sessionCookie),
            ["pre-auth cookie"] = Cookies.IdOf(preAuthCookie),
            ["anti-forgery token"] = PageParsing.SignOutToken(home),
        };
        var logs = Host.Logs.GetSnapshot().Select(r => $"{r.Message} {r.Exception}").ToList();
        Assert.NotEmpty(logs);
        foreach (var (what, value) in canaries)
        {
            Assert.False(logs.Any(line => line.Contains(value, StringComparison.Ordinal)), $"The {what} appears in the logs.");
        }
    }

    private static string QueryParam(Uri uri, string name) => Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(uri.Query)[name].ToString();
}
