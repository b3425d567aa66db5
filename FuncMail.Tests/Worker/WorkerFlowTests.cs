using System.Net;
using FuncMail.Tests.Infrastructure;

namespace FuncMail.Tests.Worker;

/// <summary>The walking skeleton through the real worker process: Program.cs, the worker middleware and the ASP.NET Core integration all run.</summary>
[Collection(AzuriteCollection.Name)]
[Trait("Host", "Worker")]
public sealed class WorkerFlowTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task FullFlow_ThroughTheRealWorker_SignInReadMailPageSignOut()
    {
        await using var host = await FuncMailWorkerHost.StartAsync(azurite);
        var (browser, jar) = host.CreateBrowser();

        var (home, homeBody) = await FlowSteps.GetPageAsync(browser, "/api/Home");
        Assert.True(home.StatusCode == HttpStatusCode.OK, $"{home.StatusCode} {string.Join(";", host.Emulator.Invocations)} {host.Emulator.Functions.Count} {string.Join(",", host.Emulator.Functions.Select(f => f.Route + ":" + string.Join("/", f.Methods)))}" + host.LogText + host.Emulator.ProcessOutput);
        Assert.Contains("Sign in with Microsoft", homeBody, StringComparison.Ordinal);

        using var callback = await FlowSteps.SignInAsync(host, browser);
        Assert.True(callback.StatusCode == HttpStatusCode.Redirect, host.LogText);
        Assert.Equal("/api/Mail", callback.Location());

        var (mail, mailBody) = await FlowSteps.GetPageAsync(browser, "/api/Mail");
        Assert.True(mail.StatusCode == HttpStatusCode.OK, host.LogText);
        Assert.Contains("Quarterly numbers", mailBody, StringComparison.Ordinal);
        host.AssertNoUnexpectedCalls();
    }
}
