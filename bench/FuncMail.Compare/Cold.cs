using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using FuncMail.Tests.Infrastructure;

namespace FuncMail.Compare;

/// <summary>
/// Cold start, as a Flex Consumption instance meets it: a fresh process per sample, builds interleaved. FuncMail is
/// the real worker (<c>dotnet FuncMail.dll</c>) driven by the Functions host emulator, JIT and ReadyToRun; the peer is
/// a plain ASP.NET Core process, JIT (a plain <c>dotnet publish</c>) and ReadyToRun. For each, milliseconds from
/// process start to:
///   home:    the first response of the anonymous home page;
///   mail:    the first mail page of a session signed in earlier, in another fresh process (FuncMail: the cookie and
///            its Table row; the peer: its auth cookie, Data Protection keys in $HOME, its token cache in Redis, since an
///            in-memory cache does not outlive the process);
///   sign-in: sign-in plus the first mail page, in a third fresh process.
/// Peak memory (VmHWM) and loaded assemblies are read from /proc after the mail sample.
/// </summary>
internal static class Cold
{
    /// <param name="variant">Runtime settings (DOTNET_* environment variables) for one more FuncMail ReadyToRun build, side by side.</param>
    /// <param name="baseline">Another FuncMail publish output (ReadyToRun), sampled with the others: before-and-after figures.</param>
    public static async Task RunAsync(AzuriteFixture azurite, string home, int samples, bool smoke, string? variant, string? baseline)
    {
        var output = Directory.CreateTempSubdirectory("funcmail-cold-").FullName;
        try
        {
            var root = Path.GetFullPath(Path.Combine(FuncMailWorkerHost.AppDirectory, "..", "..", "..", ".."));
            // A smoke run takes the build outputs as they are; a measurement publishes each app, Release.
            var builds = new List<(string Name, string Directory, bool Peer, string? Variant)>
            {
                ("FuncMail worker, JIT", smoke ? FuncMailWorkerHost.AppDirectory : Publish(Path.Combine(root, "FuncMail", "FuncMail.csproj"), Path.Combine(output, "funcmail-jit"), readyToRun: false), false, null),
                ("Peer, JIT", smoke ? PeerTarget.AppDirectory : Publish(Path.Combine(root, "bench", "Conventional", "Conventional.csproj"), Path.Combine(output, "peer-jit"), readyToRun: false), true, null),
            };
            if (!smoke)
            {
                var r2r = Publish(Path.Combine(root, "FuncMail", "FuncMail.csproj"), Path.Combine(output, "funcmail-r2r"), readyToRun: true);
                builds.Insert(1, ("FuncMail worker, ReadyToRun", r2r, false, null));
                if (variant is not null)
                {
                    builds.Insert(2, ($"FuncMail worker, ReadyToRun ({variant})", r2r, false, variant));
                }

                if (baseline is not null)
                {
                    builds.Insert(2, ($"FuncMail worker, ReadyToRun ({Path.GetFileName(Path.TrimEndingDirectorySeparator(baseline))})", baseline, false, null));
                }

                builds.Add(("Peer, ReadyToRun", Publish(Path.Combine(root, "bench", "Conventional", "Conventional.csproj"), Path.Combine(output, "peer-r2r"), readyToRun: true), true, null));
            }

            await using var redis = await RedisServer.StartAsync();
            await using var stubs = await PeerStubs.StartAsync();

            // A session signed in earlier, for each app: its cookies are what a returning browser sends to a cold instance.
            await using var signedIn = await FuncMailWorkerTarget.StartAsync(azurite);
            var funcMailCookies = new ConcurrentDictionary<string, string>();
            using (var browser = signedIn.NewBrowser(funcMailCookies))
            {
                await signedIn.SignInAsync(browser, TestUser.Work());
            }

            ConcurrentDictionary<string, string>? peerCookies = null;
            if (redis is not null)
            {
                await using var peer = await PeerTarget.StartAsync(stubs, redis.Endpoint, home, stats: false);
                peerCookies = new ConcurrentDictionary<string, string>();
                using var browser = peer.NewBrowser(peerCookies);
                await peer.SignInAsync(browser, TestUser.Work());
                using var first = await browser.GetAsync("/Mail");
                Check.That(first.StatusCode == HttpStatusCode.OK, "the peer's first mail page");
            }

            var results = new Dictionary<(string Build, string Figure), List<double>>();
            void Add(string build, string figure, double value)
            {
                if (!results.TryGetValue((build, figure), out var list))
                {
                    results[(build, figure)] = list = [];
                }

                list.Add(value);
            }

            for (var i = 0; i < samples; i++)
            {
                foreach (var (name, directory, isPeer, env) in i % 2 == 0 ? builds : Enumerable.Reverse(builds))
                {
                    if (isPeer)
                    {
                        await using (var peer = await PeerTarget.StartAsync(stubs, null, home, stats: false, appDirectory: directory))
                        {
                            using var browser = peer.NewBrowser();
                            using var response = await browser.GetAsync("/");
                            Add(name, "home", peer.SinceProcessStart.Elapsed.TotalMilliseconds);
                            Check.That(response.StatusCode == HttpStatusCode.OK, "peer home");
                        }

                        if (peerCookies is not null)
                        {
                            await using var peer = await PeerTarget.StartAsync(stubs, redis!.Endpoint, home, stats: false, appDirectory: directory);
                            using var browser = peer.NewBrowser(peerCookies);
                            using var response = await browser.GetAsync("/Mail");
                            Add(name, "mail", peer.SinceProcessStart.Elapsed.TotalMilliseconds);
                            Check.That(response.StatusCode == HttpStatusCode.OK, $"peer mail: {(int)response.StatusCode} {response.Headers.Location}");
                            AddProcess(name, peer.ProcessId);
                        }

                        await using (var peer = await PeerTarget.StartAsync(stubs, null, home, stats: false, appDirectory: directory))
                        {
                            using var browser = peer.NewBrowser();
                            await peer.SignInAsync(browser, TestUser.Work());
                            using var response = await browser.GetAsync("/Mail");
                            Add(name, "sign-in", peer.SinceProcessStart.Elapsed.TotalMilliseconds);
                            Check.That(response.StatusCode == HttpStatusCode.OK, "peer sign-in and mail");
                        }
                    }
                    else
                    {
                        await using (var host = await FuncMailWorkerHost.StartAsync(azurite, settings: s => RuntimeVariant.Apply(s, env), sameAppAs: signedIn.Host, appDirectory: directory))
                        {
                            var (client, _) = host.CreateBrowser();
                            using var response = await client.GetAsync("/api/Home");
                            Add(name, "home", host.Emulator.SinceProcessStart.Elapsed.TotalMilliseconds);
                            Add(name, "ready", host.Emulator.ReadyAfter.TotalMilliseconds);
                            Check.That(response.StatusCode == HttpStatusCode.OK, "home");
                        }

                        await using (var host = await FuncMailWorkerHost.StartAsync(azurite, settings: s => RuntimeVariant.Apply(s, env), sameAppAs: signedIn.Host, appDirectory: directory))
                        {
                            using var client = new HttpClient(new CookieJar(funcMailCookies) { InnerHandler = new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false, UseCookies = false } }) { BaseAddress = host.BaseAddress };
                            using var response = await client.GetAsync("/api/Mail");
                            Add(name, "mail", host.Emulator.SinceProcessStart.Elapsed.TotalMilliseconds);
                            Check.That(response.StatusCode == HttpStatusCode.OK, $"mail: {(int)response.StatusCode} {host.LogText}");
                            AddProcess(name, host.Emulator.ProcessId);
                        }

                        await using (var host = await FuncMailWorkerHost.StartAsync(azurite, settings: s => RuntimeVariant.Apply(s, env), sameAppAs: signedIn.Host, appDirectory: directory))
                        {
                            var (client, _) = host.CreateBrowser();
                            using (var callback = await FlowSteps.SignInAsync(host, client, TestUser.Work()))
                            {
                                Check.That(callback.StatusCode == HttpStatusCode.Redirect, "sign-in");
                            }

                            using var response = await client.GetAsync("/api/Mail");
                            Add(name, "sign-in", host.Emulator.SinceProcessStart.Elapsed.TotalMilliseconds);
                            Check.That(response.StatusCode == HttpStatusCode.OK, "sign-in and mail");
                        }
                    }

                    Console.Error.Write('.');
                }
            }

            Console.Error.WriteLine();
            Console.WriteLine($"Cold start, {samples} samples per build, interleaved; {Environment.ProcessorCount} cores, .NET {Environment.Version} ({DateTimeOffset.UtcNow:yyyy-MM-dd}). Milliseconds from process start; peak memory in MB (VmHWM after the mail sample).");
            Console.WriteLine();
            Console.WriteLine("| Build | Figure | Median | Min | P90 | Max |");
            Console.WriteLine("| --- | --- | ---: | ---: | ---: | ---: |");
            foreach (var ((build, figure), values) in results.OrderBy(r => builds.FindIndex(b => b.Name == r.Key.Build)))
            {
                values.Sort();
                var format = figure == "assemblies" ? "F0" : figure == "peak MB" ? "F1" : "F0";
                Console.WriteLine($"| {build} | {figure} | {Stats.F(Stats.Percentile(values, 0.5), format)} | {Stats.F(values[0], format)} | {Stats.F(Stats.Percentile(values, 0.9), format)} | {Stats.F(values[^1], format)} |");
            }

            Console.WriteLine();
            Console.WriteLine("| Build | Publish size (MB) | Files |");
            Console.WriteLine("| --- | ---: | ---: |");
            foreach (var (name, directory, _, _) in builds.Where(b => b.Variant is null))
            {
                var files = new DirectoryInfo(directory).GetFiles("*", SearchOption.AllDirectories);
                Console.WriteLine($"| {name} | {Stats.F(files.Sum(f => f.Length) / 1048576.0)} | {files.Length} |");
            }

            void AddProcess(string build, int processId)
            {
                var status = File.ReadAllLines($"/proc/{processId}/status");
                var hwm = status.Single(l => l.StartsWith("VmHWM:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
                Add(build, "peak MB", double.Parse(hwm, CultureInfo.InvariantCulture) / 1024);
                Add(build, "assemblies", File.ReadAllLines($"/proc/{processId}/maps").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(p => p.Length >= 6 && p[5].EndsWith(".dll", StringComparison.Ordinal)).Select(p => p[5]).Distinct().Count());
            }
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    private static string Publish(string project, string directory, bool readyToRun)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { "publish", project, "-c", "Release", "-o", directory, $"-p:PublishReadyToRun={readyToRun}", "-nologo", "-v", "q" },
            RedirectStandardOutput = true,
        };
        if (readyToRun)
        {
            // ReadyToRun code is for one platform: this machine's.
            start.ArgumentList.Add("-r");
            start.ArgumentList.Add(System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier);
        }

        using var publish = Process.Start(start)!;
        publish.StandardOutput.ReadToEnd();
        publish.WaitForExit();
        Check.That(publish.ExitCode == 0, $"dotnet publish {project}");
        return directory;
    }
}
