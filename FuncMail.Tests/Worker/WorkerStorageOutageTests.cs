using System.Net;
using FuncMail.Sessions;
using FuncMail.Tests.Infrastructure;
using Microsoft.Azure.WebJobs.Script.Grpc.Messages;
using Microsoft.Extensions.Options;

namespace FuncMail.Tests.Worker;

/// <summary>
/// Table Storage failing under the real worker (checklist E4), at the network: refused connections, 503 ServerBusy,
/// and a socket that never answers. The Azure SDK ends each in a different exception shape (a refused connection in
/// an AggregateException of its retries); every shape gives the friendly 503 page, and nobody is signed out.
/// </summary>
[Collection(AzuriteCollection.Name)]
[Trait("Host", "Worker")]
public sealed class WorkerStorageOutageTests(AzuriteFixture azurite)
{
    [Theory]
    [Trait("Checklist", "E4")]
    [InlineData(StorageFault.Refused)]
    [InlineData(StorageFault.ServerBusy)]
    public async Task StorageOutage_SignInMailAndCleanup_Give503PagesKeepTheSessionAndFailNothing(StorageFault fault)
    {
        await using var storage = BrokenStorage.Start(fault);
        await using var host = await StartAsync(storage);
        var (browser, jar) = host.CreateBrowser();
        var cookie = SessionCookie();
        jar.Cookies[Cookies.Session] = cookie;

        var (signIn, signInBody) = await FlowSteps.GetPageAsync(browser, "/api/SignIn");
        var (mail, mailBody) = await FlowSteps.GetPageAsync(browser, "/api/Mail");
        var cleanup = await host.Emulator.InvokeTimerAsync("Cleanup");

        Assert.True(signIn.StatusCode == HttpStatusCode.ServiceUnavailable, $"SignIn: {(int)signIn.StatusCode}\n{host.LogText}");
        Assert.Contains("storage is not answering", signInBody, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, mail.StatusCode);
        Assert.Contains("Your session is kept", mailBody, StringComparison.Ordinal);
        Assert.Equal(cookie, jar.Cookies[Cookies.Session]);
        Assert.DoesNotContain(mail.SetCookies(), c => c.StartsWith(Cookies.Session + "=", StringComparison.Ordinal));
        FuncMailAssert.Hardened(signIn, "SignIn");
        FuncMailAssert.Hardened(mail, "Mail");
        Assert.Equal(StatusResult.Types.Status.Success, cleanup.Status);
        Assert.Contains(host.Emulator.Logs, l => l.Category == "FuncMail.Sessions.ExpiredRowCleaner" && l.Level == RpcLog.Types.Level.Error);
        Assert.DoesNotContain(host.Emulator.Logs, l => l.Message.StartsWith("Unhandled", StringComparison.Ordinal));
        Assert.True(storage.Connections > 0 || fault == StorageFault.Refused);
        host.AssertNoUnexpectedCalls();
    }

    [Fact]
    [Trait("Checklist", "E4")]
    public async Task StorageNeverAnswering_SignIn_Gives503PageAfterTheSdkTimeouts()
    {
        await using var storage = BrokenStorage.Start(StorageFault.Hanging);
        await using var host = await StartAsync(storage);
        var (browser, _) = host.CreateBrowser();

        using var signIn = await browser.GetAsync("/api/SignIn");

        Assert.True(signIn.StatusCode == HttpStatusCode.ServiceUnavailable, host.LogText);
        Assert.Equal(3, storage.Connections); // the first try and the SDK's two retries, each cut by Storage:NetworkTimeout
        host.AssertNoUnexpectedCalls();
    }

    private Task<FuncMailWorkerHost> StartAsync(BrokenStorage storage) =>
        FuncMailWorkerHost.StartAsync(azurite, s =>
        {
            s["Storage:ConnectionString"] = storage.ConnectionString;
            s["Storage:NetworkTimeout"] = "00:00:01";
        });

    /// <summary>A session cookie signed with the worker's key, for a session the broken storage cannot look up.</summary>
    private static string SessionCookie()
    {
        var keys = new SessionKeyRing(Options.Create(new SessionOptions { Keys = { ["k2"] = FuncMailTestHost.SigningKey }, ActiveKeyId = "k2" }));
        return new CookieSigner(keys, TimeProvider.System).Sign(CookiePurpose.Session, SecureIds.New());
    }
}
