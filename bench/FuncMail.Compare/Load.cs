using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using FuncMail.Tests.Infrastructure;

namespace FuncMail.Compare;

/// <summary>
/// Many signed-in sessions through the real worker at once, on loopback, for a fixed time: Azurite behind a counting
/// forwarder, the token endpoint at 150 ms, Graph at 40 ms and throttled beyond 4 concurrent requests per mailbox,
/// and access tokens that reach MSAL's refresh margin a third of the way into the run.
/// </summary>
internal static class Load
{
    public static async Task RunAsync(AzuriteFixture azurite, int sessions, TimeSpan duration, bool smoke)
    {
        await using var tables = await TableTraffic.StartAsync(azurite.ConnectionString);
        await using var target = await FuncMailWorkerTarget.StartAsync(azurite, s => s["Storage:ConnectionString"] = tables.ConnectionString);
        var entra = target.Entra;
        var graph = target.Graph;
        entra.TokenLatency = TimeSpan.FromMilliseconds(150);
        graph.Latency = TimeSpan.FromMilliseconds(40);

        // MSAL refreshes an access token within 5 minutes of its expiry: tokens issued for 5 minutes plus a third of the
        // run enter that margin mid-run, so every session's token is refreshed once while the others keep reading.
        entra.AccessTokenLifetime = TimeSpan.FromMinutes(5) + duration / 3;

        Console.Error.WriteLine($"Signing in {sessions} sessions...");
        var browsers = new HttpClient[sessions];
        var users = new TestUser[sessions];
        var signIn = Stopwatch.StartNew();
        using (var gate = new SemaphoreSlim(16))
        {
            await Task.WhenAll(Enumerable.Range(0, sessions).Select(async i =>
            {
                await gate.WaitAsync();
                try
                {
                    browsers[i] = target.NewBrowser();
                    users[i] = TestUser.Work();
                    await target.SignInAsync(browsers[i], users[i]);
                }
                finally
                {
                    gate.Release();
                }
            }));
        }

        // The refreshed tokens last an hour: one expiry per session in the run.
        entra.AccessTokenLifetime = TimeSpan.FromHours(1);
        Console.Error.WriteLine($"Signed in {sessions} sessions in {signIn.Elapsed.TotalSeconds:F1} s; driving Mail for {duration.TotalSeconds:F0} s...");
        var codePosts = entra.TokenPosts("authorization_code");
        var refreshesBefore = entra.TokenPosts("refresh_token");
        tables.Reset();
        var throttledBefore = graph.Throttled;
        var latencies = new ConcurrentBag<double>();
        var errors = new ConcurrentBag<string>();
        var run = Stopwatch.StartNew();
        await Task.WhenAll(browsers.Select(async browser =>
        {
            while (run.Elapsed < duration)
            {
                var watch = Stopwatch.StartNew();
                try
                {
                    using var response = await browser.GetAsync(target.MailPath);
                    var body = await response.Content.ReadAsStringAsync();
                    if (response.StatusCode != HttpStatusCode.OK || !body.Contains("Quarterly numbers", StringComparison.Ordinal))
                    {
                        errors.Add($"{(int)response.StatusCode} {response.Headers.Location}");
                    }
                }
                catch (HttpRequestException e)
                {
                    errors.Add(e.Message);
                }

                latencies.Add(watch.Elapsed.TotalMilliseconds);
            }
        }));
        var elapsed = run.Elapsed;
        var mails = latencies.Count;
        var (reads, writes) = (tables.Reads, tables.Writes);
        var refreshes = entra.TokenPosts("refresh_token") - refreshesBefore;

        // Nothing lost: every session still has its row, and its tokens still answer without a sign-in.
        var rows = (await target.Host.RowsAsync(target.Host.SessionsTable)).Count;
        var lost = 0;
        foreach (var browser in browsers)
        {
            using var after = await browser.GetAsync(target.MailPath);
            lost += after.StatusCode == HttpStatusCode.OK ? 0 : 1;
        }

        var sorted = latencies.Order().ToList();
        Console.WriteLine($"Load on loopback against the real worker: {sessions} signed-in sessions for {elapsed.TotalSeconds:F0} s, token endpoint 150 ms, Graph 40 ms with 4 concurrent requests per mailbox, access tokens due for refresh at {duration.TotalSeconds / 3:F0} s; {Environment.ProcessorCount} cores ({DateTimeOffset.UtcNow:yyyy-MM-dd})");
        Console.WriteLine();
        Console.WriteLine("| Figure | Value |");
        Console.WriteLine("| --- | ---: |");
        Console.WriteLine($"| Mail pages | {mails} |");
        Console.WriteLine($"| Throughput (pages/s) | {Stats.F(mails / elapsed.TotalSeconds)} |");
        Console.WriteLine($"| p50 / p99 (ms) | {Stats.F(Stats.Percentile(sorted, 0.5), "F0")} / {Stats.F(Stats.Percentile(sorted, 0.99), "F0")} |");
        Console.WriteLine($"| Errors | {errors.Count} |");
        Console.WriteLine($"| Table requests per Mail (reads + writes) | {Stats.F((double)(reads + writes) / mails, "F3")} ({reads} reads, {writes} writes) |");
        Console.WriteLine($"| Token POSTs per session during the run (refreshes) | {Stats.F((double)refreshes / sessions, "F2")} ({refreshes}; code redemptions during the run: {entra.TokenPosts("authorization_code") - codePosts}) |");
        Console.WriteLine($"| Graph requests throttled (429) | {graph.Throttled - throttledBefore} |");
        Console.WriteLine($"| Sessions that lost their row or tokens | {lost} (rows: {rows} of {sessions}) |");
        foreach (var error in errors.GroupBy(e => e).Take(5))
        {
            Console.WriteLine($"error x{error.Count()}: {error.Key}");
        }

        Check.That(entra.Unexpected.IsEmpty && graph.Unexpected.IsEmpty, "a stub saw an unexpected request: " + string.Join("; ", entra.Unexpected.Concat(graph.Unexpected)));
        Check.That(errors.IsEmpty && lost == 0 && rows == sessions, "errors, or a session was lost");
        if (!smoke)
        {
            Check.That(refreshes <= sessions, $"{refreshes} refreshes for {sessions} sessions: more than one per expiry");
        }

        foreach (var browser in browsers)
        {
            browser.Dispose();
        }
    }
}
