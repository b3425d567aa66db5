using FuncMail.Tests.Browser;
using FuncMail.Tests.Infrastructure;

namespace FuncMail.Tests.Worker;

/// <summary>Real Chromium through the emulator's front door to the real worker: sign in, see mail, sign out.</summary>
[Collection(AzuriteCollection.Name)]
[Trait("Host", "Worker")]
public sealed class WorkerBrowserTests(AzuriteFixture azurite, BrowserFixture browsers)
{
    [Fact]
    [Trait("Checklist", "D5")]
    public async Task Browser_ThroughTheRealWorker_SignInSeeMailSignOut()
    {
        await using var host = await FuncMailWorkerHost.StartAsync(azurite);

        await BrowserSmokeTests.SignInSeeMailSignOutAsync(host, browsers);
    }
}
