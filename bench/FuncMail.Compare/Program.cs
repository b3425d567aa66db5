using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using FuncMail.Compare;
using FuncMail.Tests.Infrastructure;

// FuncMail against the conventional peer (bench/Conventional), offline: Azurite, the Entra and Graph stubs, loopback.
// Usage, from the repository root (see docs/performance.md for what each figure means):
//   dotnet run -c Release --project bench/FuncMail.Compare -- warm  [--requests 2000] [--concurrency 16] [--only worker|in-process|peer|redis] [--baseline <FuncMail build directory>] [--variant "DOTNET_X=1;DOTNET_Y=0"] [--smoke]
//   dotnet run -c Release --project bench/FuncMail.Compare -- cold  [--samples 15] [--variant "DOTNET_X=0"] [--baseline <FuncMail publish directory>] [--smoke]
//   dotnet run -c Release --project bench/FuncMail.Compare -- trips [--smoke]
//   dotnet run -c Release --project bench/FuncMail.Compare -- startup-log   (where a cold worker's first page goes, from its own logs)
//   dotnet run -c Release --project bench/FuncMail.Compare -- load  [--sessions 200] [--seconds 60] [--smoke]
// --smoke runs each part for about a second, to prove the driver still works (a test does that on every CI run).
var mode = args.FirstOrDefault() ?? "warm";
var smoke = args.Contains("--smoke");
int Option(string name, int value) => args.SkipWhile(a => a != name).Skip(1).Select(int.Parse).FirstOrDefault(value);

Console.Error.WriteLine($"FuncMail.Compare {mode}{(smoke ? " (smoke)" : "")}: {Environment.ProcessorCount} cores, .NET {Environment.Version}");
var azurite = new AzuriteFixture();
await azurite.InitializeAsync();
var home = Directory.CreateTempSubdirectory("funcmail-compare-home-").FullName;
try
{
    switch (mode)
    {
        case "warm":
            await Warm.RunAsync(azurite, home, smoke ? 20 : Option("--requests", 2000), smoke ? 4 : Option("--concurrency", 16), smoke,
                args.SkipWhile(a => a != "--only").Skip(1).FirstOrDefault(), args.SkipWhile(a => a != "--baseline").Skip(1).FirstOrDefault(),
                args.SkipWhile(a => a != "--variant").Skip(1).FirstOrDefault());
            break;
        case "cold":
            await Cold.RunAsync(azurite, home, smoke ? 1 : Option("--samples", 15), smoke, args.SkipWhile(a => a != "--variant").Skip(1).FirstOrDefault(),
                args.SkipWhile(a => a != "--baseline").Skip(1).FirstOrDefault());
            break;
        case "startup-log":
            await StartupLog.RunAsync(azurite);
            break;
        case "trips":
            await Trips.RunAsync(azurite, home);
            break;
        case "load":
            await Load.RunAsync(azurite, smoke ? 8 : Option("--sessions", 200), TimeSpan.FromSeconds(smoke ? 1 : Option("--seconds", 60)), smoke);
            break;
        default:
            Console.Error.WriteLine($"Unknown mode '{mode}': use warm, cold, trips or load.");
            return 2;
    }
}
finally
{
    await azurite.DisposeAsync();
    Directory.Delete(home, recursive: true);
}

return 0;

/// <summary>Warm Mail requests, one at a time and then concurrently, for every app in one run, interleaved.</summary>
internal static class Warm
{
    /// <param name="only">One app alone (worker, in-process, peer or redis), to profile it with dotnet-trace.</param>
    /// <param name="baseline">Another build of FuncMail, run as one more app in the same rounds: before-and-after figures that share the machine's drift.</param>
    /// <param name="variant">Runtime settings for one more worker of this build, to try them side by side.</param>
    public static async Task RunAsync(AzuriteFixture azurite, string home, int requests, int concurrency, bool smoke, string? only, string? baseline, string? variant)
    {
        await using var redis = only is null or "redis" ? await RedisServer.StartAsync() : null;
        await using var peerStubs = await PeerStubs.StartAsync();
        await using var redisStubs = await PeerStubs.StartAsync();
        var targets = new List<Target>();
        if (only is null or "worker")
        {
            var worker = await FuncMailWorkerTarget.StartAsync(azurite);
            Console.Error.WriteLine($"FuncMail worker: process {worker.Host.Emulator.ProcessId}");
            targets.Add(worker);
        }

        if (baseline is not null)
        {
            targets.Add(await FuncMailWorkerTarget.StartAsync(azurite, appDirectory: baseline));
        }

        if (variant is not null)
        {
            targets.Add(await FuncMailWorkerTarget.StartAsync(azurite, variant: variant));
        }

        if (only is null or "in-process")
        {
            targets.Add(await FuncMailInProcessTarget.StartAsync(azurite));
        }

        if (only is null or "peer")
        {
            var peer = await PeerTarget.StartAsync(peerStubs, redis: null, home);
            Console.Error.WriteLine($"Peer: process {peer.ProcessId}");
            targets.Add(peer);
        }

        if (redis is not null)
        {
            targets.Add(await PeerTarget.StartAsync(redisStubs, redis.Endpoint, home));
        }

        try
        {
            var results = new Dictionary<Target, Result>();
            var browsers = new Dictionary<Target, List<HttpClient>>();
            foreach (var target in targets)
            {
                results[target] = new Result();
                browsers[target] = [];
                for (var i = 0; i <= concurrency; i++)
                {
                    var browser = target.NewBrowser();
                    await target.SignInAsync(browser, TestUser.Work());
                    browsers[target].Add(browser);
                }

                // Warm-up: JIT, connection pools, caches; every concurrent browser once.
                foreach (var browser in browsers[target])
                {
                    await GetMailAsync(target, browser);
                }

                for (var i = 0; i < (smoke ? 5 : 300); i++)
                {
                    await GetMailAsync(target, browsers[target][0]);
                }
            }

            // One at a time: rounds, each app in turn, so that drift on the machine spreads over all of them.
            var rounds = smoke ? 1 : 10;
            for (var round = 0; round < rounds; round++)
            {
                foreach (var target in round % 2 == 0 ? targets : Enumerable.Reverse(targets))
                {
                    var result = results[target];
                    var before = await target.StatsAsync();
                    for (var i = 0; i < requests / rounds; i++)
                    {
                        var watch = Stopwatch.StartNew();
                        result.Errors += await GetMailAsync(target, browsers[target][0]) ? 0 : 1;
                        result.Latencies.Add(watch.Elapsed.TotalMilliseconds);
                    }

                    result.Sequential.Add(Delta(before, await target.StatsAsync()), requests / rounds);
                }

                Console.Error.Write('.');
            }

            // Concurrently: every app with the same number of signed-in browsers, each browser one request at a time.
            foreach (var target in targets)
            {
                var result = results[target];
                var perBrowser = Math.Max(1, requests / concurrency);
                var before = await target.StatsAsync();
                var watch = Stopwatch.StartNew();
                var errors = await Task.WhenAll(browsers[target].Skip(1).Select(async browser =>
                {
                    var failed = 0;
                    for (var i = 0; i < perBrowser; i++)
                    {
                        failed += await GetMailAsync(target, browser) ? 0 : 1;
                    }

                    return failed;
                }));
                result.Throughput = perBrowser * concurrency / watch.Elapsed.TotalSeconds;
                result.Errors += errors.Sum();
                result.Concurrent.Add(Delta(before, await target.StatsAsync()), perBrowser * concurrency);
                Console.Error.Write('.');
            }

            Console.Error.WriteLine();
            Console.WriteLine($"Warm Mail request, stubs at zero latency: {requests} one at a time per app ({rounds} interleaved rounds), then {concurrency} browsers at once; {Environment.ProcessorCount} cores, .NET {Environment.Version} ({DateTimeOffset.UtcNow:yyyy-MM-dd})");
            Console.WriteLine();
            Console.WriteLine("| App | p50 ms | p90 ms | p99 ms | Server CPU µs/page | Allocated KB/page | Throughput at " + concurrency + " (pages/s) | Server CPU µs/page at " + concurrency + " | Allocated KB/page at " + concurrency + " | Errors |");
            Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            foreach (var target in targets)
            {
                var r = results[target];
                r.Latencies.Sort();
                Console.WriteLine($"| {target.Name} | {Stats.F(Stats.Percentile(r.Latencies, 0.5), "F2")} | {Stats.F(Stats.Percentile(r.Latencies, 0.9), "F2")} | {Stats.F(Stats.Percentile(r.Latencies, 0.99), "F2")} | {r.Sequential.Cpu} | {r.Sequential.Allocated} | {Stats.F(r.Throughput, "F0")} | {r.Concurrent.Cpu} | {r.Concurrent.Allocated} | {r.Errors} |");
            }

            Console.WriteLine();
            Console.WriteLine("Server CPU and allocations are the server process's own (read inside it by bench/BenchStats): the worker's process for FuncMail (the host's part, played here by the emulator, is not in it), the peer's process for the peer. The in-process host shares this driver's process, so it has none.");
            if (targets.Any(t => t.Entra.Unexpected.Count + t.Graph.Unexpected.Count > 0))
            {
                throw new InvalidOperationException("A stub saw a request it was not built to answer: " + string.Join("; ", targets.SelectMany(t => t.Entra.Unexpected.Concat(t.Graph.Unexpected))));
            }

            if (results.Values.Sum(r => r.Errors) > 0)
            {
                throw new InvalidOperationException("Some requests failed.");
            }
        }
        finally
        {
            foreach (var target in targets)
            {
                await target.DisposeAsync();
            }
        }
    }

    private static ProcessStats? Delta(ProcessStats? before, ProcessStats? after) =>
        before is null || after is null ? null : new ProcessStats(after.AllocatedBytes - before.AllocatedBytes, after.CpuMilliseconds - before.CpuMilliseconds, after.Gen0 - before.Gen0, after.Gen1 - before.Gen1, after.Gen2 - before.Gen2, after.Assemblies);

    /// <summary>GET the mail page; true when it is the page (200 with the inbox on it).</summary>
    internal static async Task<bool> GetMailAsync(Target target, HttpClient browser)
    {
        try
        {
            using var response = await browser.GetAsync(target.MailPath);
            var body = await response.Content.ReadAsStringAsync();
            return response.StatusCode == HttpStatusCode.OK && body.Contains("Quarterly numbers", StringComparison.Ordinal);
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private sealed class Result
    {
        public List<double> Latencies { get; } = [];

        public PerPage Sequential { get; } = new();

        public PerPage Concurrent { get; } = new();

        public double Throughput { get; set; }

        public int Errors { get; set; }
    }

    private sealed class PerPage
    {
        private long _bytes;
        private double _cpu;
        private int _pages;
        private bool _known = true;

        public string Cpu => _known ? Stats.F(_cpu * 1000 / _pages, "F0") : "n/a";

        public string Allocated => _known ? Stats.F(_bytes / 1024.0 / _pages) : "n/a";

        public void Add(ProcessStats? delta, int pages)
        {
            if (delta is null)
            {
                _known = false;
                return;
            }

            _bytes += delta.AllocatedBytes;
            _cpu += delta.CpuMilliseconds;
            _pages += pages;
        }
    }
}

/// <summary>Storage round trips per operation: Table requests for FuncMail, token cache store operations for the peer.</summary>
internal static partial class Trips
{
    public static async Task RunAsync(AzuriteFixture azurite, string home)
    {
        var rows = new List<(string Operation, string FuncMail, string PeerMemory, string PeerRedis)>();
        await using var funcMail = await FuncMailInProcessTarget.StartAsync(azurite);
        var f = await FuncMailTripsAsync(funcMail);
        await using var redis = await RedisServer.StartAsync();
        await using var memoryStubs = await PeerStubs.StartAsync();
        await using var redisStubs = await PeerStubs.StartAsync();
        await using var memory = await PeerTarget.StartAsync(memoryStubs, null, home, stats: false);
        var m = await PeerTripsAsync(memory);
        Dictionary<string, string>? r = null;
        if (redis is not null)
        {
            await using var peer = await PeerTarget.StartAsync(redisStubs, redis.Endpoint, home, stats: false);
            r = await PeerTripsAsync(peer);
        }

        Console.WriteLine("Storage round trips per operation: FuncMail's Table requests (reads/writes, counted in the Azure SDK's pipeline); the peer's token-cache store operations (reads/writes/refreshes/removes of IDistributedCache, under Identity.Web's in-memory L1 cache). Token POSTs to Entra in brackets.");
        Console.WriteLine();
        Console.WriteLine("| Operation | FuncMail (Table reads/writes) | Peer, in-memory cache (store get/set/refresh/remove) | Peer, Redis cache |");
        Console.WriteLine("| --- | --- | --- | --- |");
        foreach (var operation in f.Keys)
        {
            Console.WriteLine($"| {operation} | {f[operation]} | {m.GetValueOrDefault(operation, "—")} | {r?.GetValueOrDefault(operation, "—") ?? "n/a"} |");
        }
    }

    private static async Task<Dictionary<string, string>> FuncMailTripsAsync(FuncMailInProcessTarget target)
    {
        var host = target.Host;
        var results = new Dictionary<string, string>();
        using var browser = target.NewBrowser();
        var posts = host.Entra.TokenRequests.Count;
        string Take()
        {
            var text = $"{host.Tables.Reads}/{host.Tables.Writes} [{host.Entra.TokenRequests.Count - posts}]";
            host.Tables.Reset();
            posts = host.Entra.TokenRequests.Count;
            return text;
        }

        // A first user signs in and reads mail first: the tables are created on first use, which is not per operation.
        using (var first = target.NewBrowser())
        {
            await target.SignInAsync(first, TestUser.Work());
            await first.GetStringAsync("/api/Mail");
        }

        Take();
        var authorize = await FlowSteps.StartSignInAsync(browser);
        results["SignIn"] = Take();
        using (var callback = await browser.GetAsync(host.Entra.Authorize(authorize, TestUser.Work()).PathAndQuery))
        {
            Check.That(callback.StatusCode == HttpStatusCode.Redirect, "GetToken");
        }

        results["GetToken (the redirect URI)"] = Take();
        var page = await browser.GetStringAsync("/api/Mail");
        Take();
        await browser.GetStringAsync("/api/Mail");
        results["Mail, warm"] = Take();
        var message = WebUtility.HtmlDecode(MessageLink().Match(page).Groups[1].Value);
        using (var read = await browser.GetAsync(message))
        {
            Check.That(read.StatusCode == HttpStatusCode.OK, "Message");
        }

        results["Message"] = Take();
        using (var signOut = await browser.PostAsync("/api/SignOut", new FormUrlEncodedContent(new Dictionary<string, string> { ["csrf"] = PageParsing.SignOutToken(page) })))
        {
            Check.That(signOut.StatusCode == HttpStatusCode.SeeOther, "SignOut");
        }

        results["SignOut"] = Take();

        // Access tokens that MSAL must refresh on every use (issued for less than its 5-minute refresh margin).
        host.Entra.AccessTokenLifetime = TimeSpan.FromMinutes(4);
        using var expiring = target.NewBrowser();
        await target.SignInAsync(expiring, TestUser.Work());
        await expiring.GetStringAsync("/api/Mail");
        Take();
        await expiring.GetStringAsync("/api/Mail");
        results["Mail after the access token expired"] = Take();
        return results;
    }

    private static async Task<Dictionary<string, string>> PeerTripsAsync(PeerTarget peer)
    {
        var results = new Dictionary<string, string>();
        using (var first = peer.NewBrowser())
        {
            await peer.SignInAsync(first, TestUser.Work());
            await first.GetStringAsync("/Mail");
        }

        using var browser = peer.NewBrowser();
        var last = await peer.CacheOperationsAsync();
        var posts = peer.Entra.TokenRequests.Count;
        async Task<string> TakeAsync()
        {
            var now = await peer.CacheOperationsAsync();
            var text = $"{string.Join('/', now.Zip(last, (a, b) => a - b))} [{peer.Entra.TokenRequests.Count - posts}]";
            last = now;
            posts = peer.Entra.TokenRequests.Count;
            return text;
        }

        using (var challenge = await browser.GetAsync("/signin?returnUrl=/Mail"))
        {
            results["SignIn"] = await TakeAsync();
            var back = peer.Entra.Authorize(new Uri(challenge.Location()), TestUser.Work());
            using var form = new FormUrlEncodedContent(Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(back.Query).ToDictionary(p => p.Key, p => p.Value.ToString()));
            using var callback = await browser.PostAsync(back.AbsolutePath, form);
            Check.That(callback.StatusCode == HttpStatusCode.Redirect, "peer callback");
            results["GetToken (the redirect URI)"] = await TakeAsync();
        }

        await browser.GetStringAsync("/Mail");
        await TakeAsync();
        await browser.GetStringAsync("/Mail");
        results["Mail, warm"] = await TakeAsync();
        using (var signOut = await browser.PostAsync("/signout", null))
        {
            Check.That(signOut.StatusCode == HttpStatusCode.Redirect, $"peer sign-out {(int)signOut.StatusCode}");
        }

        results["SignOut"] = await TakeAsync();
        peer.Entra.AccessTokenLifetime = TimeSpan.FromMinutes(4);
        using var expiring = peer.NewBrowser();
        await peer.SignInAsync(expiring, TestUser.Work());
        await expiring.GetStringAsync("/Mail");
        await TakeAsync();
        await expiring.GetStringAsync("/Mail");
        results["Mail after the access token expired"] = await TakeAsync();
        return results;
    }

    [GeneratedRegex("href=\"(/api/Message\\?[^\"]+)\"")]
    private static partial Regex MessageLink();
}
