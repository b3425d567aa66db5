using System.Net;
using Azure.Data.Tables;
using FuncMail.Tests.Infrastructure;
using Microsoft.Azure.WebJobs.Script.Grpc.Messages;

namespace FuncMail.Tests.Worker;

/// <summary>The Cleanup timer as the host fires it, and start-up as the host sees it: both through the real worker.</summary>
[Collection(AzuriteCollection.Name)]
[Trait("Host", "Worker")]
public sealed class WorkerCleanupAndStartupTests(AzuriteFixture azurite)
{
    [Fact]
    [Trait("Checklist", "C5")]
    public async Task CleanupTimer_FiredByTheHost_DeletesEndedRowsAndKeepsLiveOnes()
    {
        await using var host = await FuncMailWorkerHost.StartAsync(azurite);
        var (live, liveJar) = host.CreateBrowser();
        using (await FlowSteps.SignInAsync(host, live)) { }
        var (abandoning, _) = host.CreateBrowser();
        await FlowSteps.StartSignInAsync(abandoning);

        // Rows as earlier requests left them, hours ago (the worker runs on the real clock).
        var past = DateTimeOffset.UtcNow.AddHours(-13);
        await host.SessionsTable.AddEntityAsync(new TableEntity("ended-by-absolute-timeout", "") { ["CreatedAt"] = past, ["LastSeenAt"] = DateTimeOffset.UtcNow, ["ExpiresAt"] = past.AddHours(12) });
        await host.SessionsTable.AddEntityAsync(new TableEntity("ended-by-idle-timeout", "") { ["CreatedAt"] = past, ["LastSeenAt"] = past, ["ExpiresAt"] = DateTimeOffset.UtcNow.AddHours(1) });
        await host.SignInsTable.AddEntityAsync(new TableEntity("abandoned-sign-in", "") { ["State"] = "s", ["ExpiresAt"] = past });

        var run = await host.Emulator.InvokeTimerAsync("Cleanup");

        Assert.True(run.Status == StatusResult.Types.Status.Success, run.Exception);
        Assert.Equal([Cookies.IdOf(liveJar.Cookies[Cookies.Session])], (await host.RowsAsync(host.SessionsTable)).Select(r => r.PartitionKey));
        Assert.Single(await host.RowsAsync(host.SignInsTable)); // the sign-in still in progress
        Assert.Contains(host.Emulator.Logs, l => l.Message == "Cleanup deleted 3 expired rows");
        using var stillSignedIn = await live.GetAsync("/api/Mail");
        Assert.Equal(HttpStatusCode.OK, stillSignedIn.StatusCode);
        host.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task Worker_ColdStart_MakesNoDataProtectionKeyRing()
    {
        await using var host = await FuncMailWorkerHost.StartAsync(azurite);
        var (browser, _) = host.CreateBrowser();
        using (var home = await browser.GetAsync("/api/Home"))
        {
            Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        }

        using (await FlowSteps.SignInAsync(host, browser)) { }
        using var mail = await browser.GetAsync("/api/Mail");
        Assert.Equal(HttpStatusCode.OK, mail.StatusCode);

        // FuncMail never uses ASP.NET Core Data Protection, so no key ring is made and written on the way to the first page.
        var keys = Path.Combine(host.Emulator.Home, ".aspnet", "DataProtection-Keys");
        Assert.False(Directory.Exists(keys) && Directory.EnumerateFiles(keys).Any(), "The worker wrote a Data Protection key ring.");
        host.AssertNoUnexpectedCalls();
    }

    [Theory]
    [InlineData("Entra:ClientId", "Entra:ClientId is missing")]
    [InlineData("Session:ActiveKeyId", "Session:ActiveKeyId '' names no key")]
    [InlineData("Storage:ConnectionString", "Set exactly one of Storage:ConnectionString")]
    public async Task Worker_MissingSetting_RefusesToStartAndNamesIt(string setting, string message)
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => FuncMailWorkerHost.StartAsync(azurite, s => s.Remove(setting)));

        Assert.Contains(message, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Worker_KeyVaultReferenceThatDidNotResolve_RefusesToStartAndSaysSo()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => FuncMailWorkerHost.StartAsync(azurite, s =>
            s["Session:Keys:k1"] = "@Microsoft.KeyVault(VaultName=kv-fm-abc;SecretName=session-key-k1)"));

        Assert.Contains("Session:Keys:k1: a Key Vault reference did not resolve", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Worker_PublicSampleKeyInProduction_RefusesToStart()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => FuncMailWorkerHost.StartAsync(azurite, s =>
        {
            s["Session:Keys:renamed"] = FuncMail.Sessions.SessionOptions.SampleKeyValue;
            s["Session:ActiveKeyId"] = "renamed";
        }, https: true));

        Assert.Contains("dev-only key, which is public", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Worker_HttpRedirectUriInProduction_RefusesToStart()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => FuncMailWorkerHost.StartAsync(azurite, s => s["AZURE_FUNCTIONS_ENVIRONMENT"] = "Production"));

        Assert.Contains("Entra:RedirectUri is http", failure.Message, StringComparison.Ordinal);
    }
}
