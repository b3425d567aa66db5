using System.Net;
using FuncMail.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;

namespace FuncMail.Tests.Worker;

/// <summary>
/// What the real worker tells the host: its logs (RpcLog, the worker's only log channel, which the host forwards to
/// Application Insights) and its replies to invocations. Neither may carry a secret (checklist F1), even with every
/// category logging at Trace.
/// </summary>
[Collection(AzuriteCollection.Name)]
[Trait("Host", "Worker")]
public sealed class WorkerLoggingTests(AzuriteFixture azurite)
{
    [Fact]
    [Trait("Checklist", "F1")]
    public async Task FullFlowAtTraceLevel_NoSecretInAnyLogOrReplyToTheHost()
    {
        await using var host = await FuncMailWorkerHost.StartAsync(azurite, s => s["Logging:LogLevel:Default"] = "Trace");
        host.Entra.AccessTokenLifetime = TimeSpan.FromMinutes(4); // MSAL refreshes it on the first Mail request
        var (browser, jar) = host.CreateBrowser();

        var authorize = await FlowSteps.StartSignInAsync(browser);
        var preAuthCookie = jar.Cookies[Cookies.SignIn];
        var callback = host.Entra.Authorize(authorize);
        using (await browser.GetAsync(callback.PathAndQuery)) { }
        var sessionCookie = jar.Cookies[Cookies.Session];
        using (await browser.GetAsync("/api/Mail")) { }
        using (await browser.GetAsync(callback.PathAndQuery)) { } // a replayed callback
        host.Graph.Enqueue(() => GraphStub.Error(HttpStatusCode.Unauthorized, "InvalidAuthenticationToken", "Access token has expired."));
        using (await browser.GetAsync("/api/Mail?folder=sentitems")) { } // a 401 forces one more refresh
        var home = await browser.GetStringAsync("/api/Home");
        using (await browser.PostAsync("/api/SignOut", new FormUrlEncodedContent(new Dictionary<string, string> { ["csrf"] = PageParsing.SignOutToken(home) }))) { }
        await host.Emulator.InvokeTimerAsync("Cleanup");

        var query = QueryHelpers.ParseQuery(authorize.Query);
        var canaries = new Dictionary<string, string>
        {
            ["state"] = query["state"]!,
            ["nonce"] = query["nonce"]!,
            ["code_challenge"] = query["code_challenge"]!,
            ["code_verifier"] = host.Entra.TokenRequests.First()["code_verifier"],
            ["client secret"] = FuncMailTestHost.ClientSecret,
            ["signing key"] = FuncMailTestHost.SigningKey,
            ["old signing key"] = FuncMailTestHost.OldSigningKey,
            ["session cookie MAC"] = sessionCookie.Split('.')[4],
            ["session id"] = Cookies.IdOf(sessionCookie),
            ["pre-auth cookie"] = Cookies.IdOf(preAuthCookie),
            ["anti-forgery token"] = PageParsing.SignOutToken(home),
        };
        var issued = host.Entra.IssuedSecrets.ToList();
        Assert.True(issued.Count >= 7, "a code and at least two rounds of access, refresh and ID tokens");
        foreach (var (secret, i) in issued.Select((s, i) => (s, i)))
        {
            canaries[$"issued secret #{i}"] = secret;
        }

        var logs = host.Emulator.Logs.Select(l => l.ToString()).ToList();
        var replies = host.Emulator.Invocations.Select(i => $"{i.ReturnValue} {i.Exception} {i.OutputData}").Append(host.Emulator.ProcessOutput).ToList();
        Assert.True(logs.Count > 50, $"Trace logging reached the host ({logs.Count} lines)");
        Assert.True(host.Entra.TokenPosts("refresh_token") >= 2, "refreshed tokens are canaries too");
        foreach (var (what, value) in canaries)
        {
            Assert.False(logs.Any(line => line.Contains(value, StringComparison.Ordinal)), $"The {what} appears in the worker's logs.");
            Assert.False(replies.Any(line => line.Contains(value, StringComparison.Ordinal)), $"The {what} appears in a reply to the host or on the worker's stdout.");
        }
    }
}
