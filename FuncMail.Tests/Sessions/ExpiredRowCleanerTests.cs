using System.Net;
using System.Text.Json;
using FuncMail.Functions;
using FuncMail.Sessions;
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
    [Trait("Checklist", "C5")]
    public async Task Run_SignInsOfOneBrowser_AreDeletedInOneBatch()
    {
        await using var host = await FuncMailTestHost.StartAsync(azurite);
        var (tabs, _) = host.CreateBrowser();
        for (var i = 0; i < 3; i++)
        {
            await FlowSteps.StartSignInAsync(tabs); // one browser, three slots of one partition
        }

        var (other, _) = host.CreateBrowser();
        await FlowSteps.StartSignInAsync(other);
        host.Time.Advance(TimeSpan.FromMinutes(16));
        host.Tables.Reset();

        var deleted = await host.Services.GetRequiredService<ExpiredRowCleaner>().RunAsync(CancellationToken.None);

        Assert.Equal(4, deleted);
        Assert.Empty(await host.RowsAsync(host.SignInsTable));
        Assert.Equal(2, host.Tables.Writes); // one batch for the three slots, one delete for the other browser
    }

    [Fact]
    [Trait("Checklist", "C5")]
    public async Task Run_PastItsBudget_StopsAndTheNextRunCarriesOn()
    {
        await using var host = await FuncMailTestHost.StartAsync(azurite);
        const int Sessions = 30;
        for (var i = 0; i < Sessions; i++)
        {
            var (browser, _) = host.CreateBrowser();
            using (await FlowSteps.SignInAsync(host, browser)) { }
        }

        host.Time.Advance(TimeSpan.FromHours(2)); // every session is past its idle timeout
        var cleaner = host.Services.GetRequiredService<ExpiredRowCleaner>();
        host.SlowTables.PerRequest = ExpiredRowCleaner.RunBudget / 4; // storage so slow that the budget ends after a few requests

        var first = await cleaner.RunAsync(CancellationToken.None);

        Assert.InRange(first, 0, Sessions - 1);
        Assert.Contains(host.Logs.GetSnapshot(), r => r.Message.Contains("stopped at its 40 s budget", StringComparison.Ordinal));
        // Deletes in flight when the budget ends may or may not have reached storage; the rest are left for the next run.
        Assert.InRange((await host.RowsAsync(host.SessionsTable)).Count, 1, Sessions - first);

        host.SlowTables.PerRequest = TimeSpan.Zero;
        var second = await cleaner.RunAsync(CancellationToken.None);

        Assert.True(second > 0);
        Assert.Empty(await host.RowsAsync(host.SessionsTable));
    }

    [Fact]
    [Trait("Checklist", "C5")]
    public async Task Run_CancelledByTheHost_IsNotReportedAsAnOutage()
    {
        await using var host = await FuncMailTestHost.StartAsync(azurite);
        var (browser, _) = host.CreateBrowser();
        using (await FlowSteps.SignInAsync(host, browser)) { }
        host.Time.Advance(TimeSpan.FromHours(2));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => host.Services.GetRequiredService<ExpiredRowCleaner>().RunAsync(new CancellationToken(canceled: true)));

        Assert.DoesNotContain(host.Logs.GetSnapshot(), r => r.Level >= Microsoft.Extensions.Logging.LogLevel.Error);
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
