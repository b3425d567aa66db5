using System.Net;
using FuncMail.Tests.Infrastructure;
using Microsoft.Azure.WebJobs.Script.Grpc.Messages;

namespace FuncMail.Tests.Worker;

/// <summary>
/// One deadline per request (checklist H2), through the real worker on the real clock. Each hop is made slower than
/// the request budget but faster to fail by its own timeouts than never: a 504 "took too long" page can only come from
/// the request's deadline (Graph's own limits end in a 503 after 8 to 20 s, the token endpoint's after 15 s, Table
/// Storage's after three 5 s attempts), so no assertion needs a stopwatch.
/// </summary>
[Collection(AzuriteCollection.Name)]
[Trait("Host", "Worker")]
[Trait("Checklist", "H2")]
public sealed class WorkerDeadlineTests(AzuriteFixture azurite)
{
    private const string Budget = "00:00:02";

    [Fact]
    public async Task SlowGraph_PastTheRequestBudget_Gives504AndKeepsTheSession()
    {
        await using var host = await FuncMailWorkerHost.StartAsync(azurite, s => s["Web:RequestTimeout"] = Budget);
        var (browser, jar) = host.CreateBrowser();
        using (await FlowSteps.SignInAsync(host, browser)) { }
        host.Graph.Latency = TimeSpan.FromSeconds(30);

        var (response, body) = await FlowSteps.GetPageAsync(browser, "/api/Mail");

        Assert.True(response.StatusCode == HttpStatusCode.GatewayTimeout, $"{(int)response.StatusCode}\n{host.LogText}");
        Assert.Contains("That took too long", body, StringComparison.Ordinal);
        FuncMailAssert.Hardened(response, "504");
        Assert.Contains(Cookies.Session, jar.Cookies.Keys);
        Assert.Equal(StatusResult.Types.Status.Success, (await host.Emulator.InvocationsAsync(response.InvocationId())).Single().Status);
    }

    [Fact]
    public async Task SlowTokenEndpoint_PastTheRequestBudget_Gives504()
    {
        await using var host = await FuncMailWorkerHost.StartAsync(azurite, s => s["Web:RequestTimeout"] = Budget);
        var (browser, _) = host.CreateBrowser();
        var authorize = await FlowSteps.StartSignInAsync(browser);
        host.Entra.TokenLatency = TimeSpan.FromSeconds(30);

        using var callback = await browser.GetAsync(host.Entra.Authorize(authorize).PathAndQuery);

        Assert.True(callback.StatusCode == HttpStatusCode.GatewayTimeout, $"{(int)callback.StatusCode}\n{host.LogText}");
        Assert.Empty(await host.RowsAsync(host.SessionsTable));
    }

    [Fact]
    public async Task StorageNeverAnswering_PastTheRequestBudget_Gives504()
    {
        await using var storage = BrokenStorage.Start(StorageFault.Hanging);
        await using var host = await FuncMailWorkerHost.StartAsync(azurite, s =>
        {
            s["Web:RequestTimeout"] = Budget;
            s["Storage:ConnectionString"] = storage.ConnectionString;
        });
        var (browser, _) = host.CreateBrowser();

        using var signIn = await browser.GetAsync("/api/SignIn");

        Assert.True(signIn.StatusCode == HttpStatusCode.GatewayTimeout, $"{(int)signIn.StatusCode}\n{host.LogText}");
        Assert.Equal(1, storage.Connections); // the first attempt was still waiting for its 5 s network timeout
    }

    [Fact]
    public async Task BrowserGoingAway_EndsTheInvocationQuietly()
    {
        await using var host = await FuncMailWorkerHost.StartAsync(azurite, s => s["Logging:LogLevel:FuncMail"] = "Debug");
        var (browser, _) = host.CreateBrowser();
        using (await FlowSteps.SignInAsync(host, browser)) { }
        host.Graph.Latency = TimeSpan.FromSeconds(30);
        using var impatient = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => browser.GetAsync("/api/Mail", impatient.Token));

        // The host cancels the invocation; FuncMail logs no error, shows no page and does not fail the invocation.
        var mail = await host.Emulator.InvocationAsync(i => i.FunctionName == "Mail");
        Assert.Equal(StatusResult.Types.Status.Success, mail.Status);
        Assert.Contains(host.Emulator.LogsOf(mail.InvocationId), l => l.Message.StartsWith("Request abandoned", StringComparison.Ordinal));
        Assert.DoesNotContain(host.Emulator.Logs, l => l.Level >= RpcLog.Types.Level.Error);
    }
}
