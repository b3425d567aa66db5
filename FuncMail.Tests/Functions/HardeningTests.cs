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
        AssertHardened(signIn, "GetToken (success)");

        foreach (var (name, browser) in new[] { ("signed out", anonymous), ("signed in", signedIn) })
        {
            foreach (var path in new[] { "/api/Home", "/api/Mail", "/api/SignIn", "/api/GetToken", "/api/GetToken?state=x&code=y", "/api/SignOut" })
            {
                using var response = await browser.GetAsync(path);
                AssertHardened(response, $"GET {path} ({name})");
            }

            using var post = await browser.PostAsync("/api/SignOut", new FormUrlEncodedContent([]));
            AssertHardened(post, $"POST /api/SignOut ({name})");
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

    private static void AssertHardened(HttpResponseMessage response, string what)
    {
        var csp = response.Header("Content-Security-Policy");
        Assert.True(csp is not null, $"{what}: no CSP");
        foreach (var directive in new[] { "default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'self'" })
        {
            Assert.True(csp!.Contains(directive, StringComparison.Ordinal), $"{what}: CSP lacks {directive}");
        }

        Assert.True(response.Header("Referrer-Policy") == "no-referrer", $"{what}: Referrer-Policy");
        Assert.True(response.Header("X-Content-Type-Options") == "nosniff", $"{what}: nosniff");
        Assert.True(response.Header("Cache-Control") == "no-store", $"{what}: Cache-Control");
        Assert.True((int)response.StatusCode < 500, $"{what}: HTTP {(int)response.StatusCode}");
        if (response.StatusCode == HttpStatusCode.OK)
        {
            Assert.True(response.ContentType()?.ToString() == "text/html; charset=utf-8", $"{what}: content type {response.ContentType()}");
        }
    }
}
