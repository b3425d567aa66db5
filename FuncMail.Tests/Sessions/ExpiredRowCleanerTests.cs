using System.Net;
using System.Text.Json;
using FuncMail.Functions;
using FuncMail.Storage;
using FuncMail.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FuncMail.Tests.Sessions;

[Collection(AzuriteCollection.Name)]
public sealed class ExpiredRowCleanerTests(AzuriteFixture azurite)
{
    [Fact]
    [Trait("Checklist", "C5")]
    public async Task Run_AfterTimeouts_DeletesEndedSessionsAndAbandonedSignInsAndKeepsLiveOnes()
    {
        await using var host = await FuncMailTestHost.StartAsync(azurite);
        var (idle, _) = host.CreateBrowser();
        using (await FlowSteps.SignInAsync(host, idle)) { }
        host.Time.Advance(TimeSpan.FromMinutes(40));
        var (live, liveJar) = host.CreateBrowser();
        using (await FlowSteps.SignInAsync(host, live)) { }
        var (abandoning, _) = host.CreateBrowser();
        await FlowSteps.StartSignInAsync(abandoning); // never comes back; expires 15 minutes later
        host.Time.Advance(TimeSpan.FromMinutes(21));

        var deleted = await host.Services.GetRequiredService<ExpiredRowCleaner>().RunAsync(CancellationToken.None);

        Assert.Equal(2, deleted);
        var remaining = Assert.Single(await host.RowsAsync(host.SessionsTable));
        Assert.Equal(Cookies.IdOf(liveJar.Cookies[Cookies.Session]), remaining.PartitionKey);
        Assert.Empty(await host.RowsAsync(host.SignInsTable));
        using var stillSignedIn = await live.GetAsync("/api/Mail");
        Assert.Equal(HttpStatusCode.OK, stillSignedIn.StatusCode);
    }

    [Fact]
    [Trait("Checklist", "C5")]
    public async Task Run_BeforeAnyTableExists_DeletesNothing()
    {
        await using var host = await FuncMailTestHost.StartAsync(azurite);

        Assert.Equal(0, await host.Services.GetRequiredService<ExpiredRowCleaner>().RunAsync(CancellationToken.None));
    }

    [Fact]
    public void CleanupFunction_IsATimerTriggerInTheBuildMetadata()
    {
        using var metadata = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "functions.metadata")));
        var cleanup = metadata.RootElement.EnumerateArray().Single(f => f.GetProperty("name").GetString() == "Cleanup");
        var trigger = cleanup.GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString() == "timerTrigger");

        Assert.Equal(CleanupFunction.Schedule, trigger.GetProperty("schedule").GetString());
        Assert.Equal(typeof(CleanupFunction).FullName + ".Run", cleanup.GetProperty("entryPoint").GetString());
    }
}
