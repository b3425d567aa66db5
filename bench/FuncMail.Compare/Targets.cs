using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using FuncMail.Tests.Infrastructure;
using FuncMail.Tests.Infrastructure.Worker;
using Microsoft.AspNetCore.WebUtilities;

namespace FuncMail.Compare;

/// <summary>An app under measurement: where to send a browser, how to sign one in, and its page of mail.</summary>
internal abstract class Target : IAsyncDisposable
{
    public abstract string Name { get; }

    public abstract Uri BaseAddress { get; }

    /// <summary>The warm request: the signed-in user's inbox, first page.</summary>
    public abstract string MailPath { get; }

    public abstract string HomePath { get; }

    public required EntraStub Entra { get; init; }

    public required GraphStub Graph { get; init; }

    /// <summary>The server process's own counters (null for an in-process host, whose process is this driver's).</summary>
    public virtual Task<ProcessStats?> StatsAsync() => Task.FromResult<ProcessStats?>(null);

    /// <summary>A browser: its own cookies (or those of a browser that came before), no redirects followed, no proxy.</summary>
    public HttpClient NewBrowser(System.Collections.Concurrent.ConcurrentDictionary<string, string>? cookies = null) =>
        new(new CookieJar(cookies) { InnerHandler = new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, UseProxy = false } }) { BaseAddress = BaseAddress };

    /// <summary>Signs the browser in as a new user, all the way to the redirect to the mail page.</summary>
    public abstract Task SignInAsync(HttpClient browser, TestUser user);

    public abstract ValueTask DisposeAsync();
}

/// <summary>The process's counters, read by the BenchStats startup hook from inside it.</summary>
internal sealed record ProcessStats(long AllocatedBytes, double CpuMilliseconds, int Gen0, int Gen1, int Gen2, int Assemblies)
{
    public static string HookPath { get; } = Path.GetFullPath(
        typeof(ProcessStats).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "BenchStatsOutput").Value!);

    public static string NewSocketPath() => Path.Combine(Path.GetTempPath(), $"funcmail-bench-{Guid.NewGuid():N}.sock");

    public static async Task<ProcessStats?> ReadAsync(string socketPath)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath));
        var buffer = new byte[256];
        var length = 0;
        int read;
        while ((read = await socket.ReceiveAsync(buffer.AsMemory(length))) > 0)
        {
            length += read;
        }

        var parts = Encoding.ASCII.GetString(buffer, 0, length).Trim().Split(' ');
        return new ProcessStats(long.Parse(parts[0], CultureInfo.InvariantCulture), double.Parse(parts[1], CultureInfo.InvariantCulture),
            int.Parse(parts[2], CultureInfo.InvariantCulture), int.Parse(parts[3], CultureInfo.InvariantCulture), int.Parse(parts[4], CultureInfo.InvariantCulture),
            int.Parse(parts[5], CultureInfo.InvariantCulture));
    }
}

/// <summary>FuncMail as it runs in Azure: the real worker process under the Functions host emulator.</summary>
internal sealed class FuncMailWorkerTarget : Target
{
    private readonly string _socket;

    private FuncMailWorkerTarget(FuncMailWorkerHost host, string socket)
    {
        Host = host;
        _socket = socket;
    }

    public FuncMailWorkerHost Host { get; }

    public override string Name => _name;

    private string _name = "FuncMail, real worker";

    public override Uri BaseAddress => Host.BaseAddress;

    public override string MailPath => "/api/Mail";

    public override string HomePath => "/api/Home";

    /// <param name="appDirectory">Another build of FuncMail (a baseline, for before-and-after figures in one run).</param>
    /// <param name="variant">Runtime settings for this worker (DOTNET_* environment variables), to try one before adopting it.</param>
    public static async Task<FuncMailWorkerTarget> StartAsync(AzuriteFixture azurite, Action<Dictionary<string, string?>>? settings = null, string? appDirectory = null, string? variant = null)
    {
        var socket = ProcessStats.NewSocketPath();
        var host = await FuncMailWorkerHost.StartAsync(azurite, s =>
        {
            s["DOTNET_STARTUP_HOOKS"] = ProcessStats.HookPath;
            s["BENCH_STATS_SOCKET"] = socket;
            settings?.Invoke(s);
            RuntimeVariant.Apply(s, variant);
        }, appDirectory: appDirectory);
        Mailbox.Fill(host.Graph);
        return new FuncMailWorkerTarget(host, socket) { Entra = host.Entra, Graph = host.Graph, _name = "FuncMail, real worker" + (appDirectory is null ? "" : $" ({Path.GetFileName(Path.TrimEndingDirectorySeparator(appDirectory))})") + (variant is null ? "" : $" ({variant})") };
    }

    public override Task<ProcessStats?> StatsAsync() => ProcessStats.ReadAsync(_socket);

    public override async Task SignInAsync(HttpClient browser, TestUser user)
    {
        using var callback = await FlowSteps.SignInAsync(Host, browser, user);
        Check.That(callback.StatusCode == HttpStatusCode.Redirect, $"FuncMail sign-in: {(int)callback.StatusCode}");
    }

    public override async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        File.Delete(_socket);
    }
}

/// <summary>FuncMail composed in this process by AddFuncMail on Kestrel (the tests' in-process host): no worker hop.</summary>
internal sealed class FuncMailInProcessTarget : Target
{
    private FuncMailInProcessTarget(FuncMailTestHost host) => Host = host;

    public FuncMailTestHost Host { get; }

    public override string Name => "FuncMail, in-process";

    public override Uri BaseAddress => Host.BaseAddress;

    public override string MailPath => "/api/Mail";

    public override string HomePath => "/api/Home";

    public static async Task<FuncMailInProcessTarget> StartAsync(AzuriteFixture azurite)
    {
        var host = await FuncMailTestHost.StartAsync(azurite);
        Mailbox.Fill(host.Graph);
        return new FuncMailInProcessTarget(host) { Entra = host.Entra, Graph = host.Graph };
    }

    public override async Task SignInAsync(HttpClient browser, TestUser user)
    {
        using var callback = await FlowSteps.SignInAsync(Host, browser, user);
        Check.That(callback.StatusCode == HttpStatusCode.Redirect, $"FuncMail sign-in: {(int)callback.StatusCode}");
    }

    public override ValueTask DisposeAsync() => Host.DisposeAsync();
}

/// <summary>
/// The conventional peer (bench/Conventional) as its own process: plain ASP.NET Core on Kestrel, its HTTPS calls to
/// Microsoft sent through the same proxy and stubs as the worker's, its token cache in memory or in Redis.
/// </summary>
internal sealed class PeerTarget : Target
{
    public const string ClientId = FuncMailTestHost.ClientId;

    private readonly Process _process;
    private readonly string _socket;
    private readonly StringBuilder _output;

    private PeerTarget(string name, Uri baseAddress, Process process, string socket, StringBuilder output)
    {
        Name = name;
        BaseAddress = baseAddress;
        _process = process;
        _socket = socket;
        _output = output;
    }

    public static string AppDirectory { get; } = Path.GetFullPath(
        typeof(PeerTarget).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ConventionalOutput").Value!);

    public override string Name { get; }

    public override Uri BaseAddress { get; }

    public override string MailPath => "/Mail";

    public override string HomePath => "/";

    public int ProcessId => _process.Id;

    /// <summary>Milliseconds from the process's start to its first line on the console ("Now listening on").</summary>
    public Stopwatch SinceProcessStart { get; } = new();

    public string Output { get { lock (_output) { return _output.ToString(); } } }

    /// <param name="redis">host:port of a Redis server for the token cache; null for the in-memory cache.</param>
    /// <param name="home">$HOME of the process: where ASP.NET Core keeps its Data Protection keys (which protect the auth cookie).</param>
    /// <param name="stubs">Microsoft's stubs and the proxy to them; instances of one app share them.</param>
    /// <param name="appDirectory">Another build of the peer (a publish output, for cold start).</param>
    public static async Task<PeerTarget> StartAsync(PeerStubs stubs, string? redis, string home, bool stats = true, string? appDirectory = null)
    {
        var port = FreePort();
        var baseAddress = new Uri($"http://127.0.0.1:{port}");
        var socket = ProcessStats.NewSocketPath();
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(appDirectory ?? AppDirectory, "Conventional.dll") },
            WorkingDirectory = appDirectory ?? AppDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || k.StartsWith("DOTNET_", StringComparison.Ordinal) || k.EndsWith("_PROXY", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(key);
        }

        start.Environment["ASPNETCORE_URLS"] = baseAddress.AbsoluteUri;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["HOME"] = home;
        start.Environment["AzureAd__ClientId"] = ClientId;
        start.Environment["AzureAd__ClientSecret"] = FuncMailTestHost.ClientSecret;
        start.Environment["Peer__Cache"] = redis is null ? "Memory" : "Redis";
        start.Environment["Peer__Redis"] = redis;
        start.Environment["HTTPS_PROXY"] = stubs.Proxy.Address.AbsoluteUri;
        start.Environment["SSL_CERT_FILE"] = TestCertificateAuthority.Instance.CertificateFile;
        start.Environment["SSL_CERT_DIR"] = TestCertificateAuthority.Instance.EmptyDirectory;
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        if (stats)
        {
            start.Environment["DOTNET_STARTUP_HOOKS"] = ProcessStats.HookPath;
            start.Environment["BENCH_STATS_SOCKET"] = socket;
        }

        var output = new StringBuilder();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            lock (output) { output.AppendLine(e.Data); }
            if (e.Data?.Contains("Application started", StringComparison.Ordinal) == true) { ready.TrySetResult(); }
        };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("The peer exited:\n" + output));
        var target = new PeerTarget(redis is null ? "Peer, in-memory cache" : "Peer, Redis cache", baseAddress, process, socket, output) { Entra = stubs.Entra, Graph = stubs.Graph };
        target.SinceProcessStart.Start();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await ready.Task.WaitAsync(TimeSpan.FromSeconds(60));
        return target;
    }

    public override Task<ProcessStats?> StatsAsync() => ProcessStats.ReadAsync(_socket);

    /// <summary>The token cache store's operations so far: reads, writes, refreshes, removes.</summary>
    public async Task<long[]> CacheOperationsAsync()
    {
        using var client = NewBrowser();
        return (await client.GetStringAsync("/bench/cache")).Split(' ').Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
    }

    /// <summary>
    /// The OpenID Connect dance: /signin challenges to Entra's authorize endpoint; the stub signs the user in; the
    /// answer comes back as a form POST to /signin-oidc (response_mode=form_post, the handler's default), where
    /// Identity.Web redeems the code with MSAL and the handler validates the ID token's signature, nonce and issuer.
    /// </summary>
    public override async Task SignInAsync(HttpClient browser, TestUser user)
    {
        using var challenge = await browser.GetAsync("/signin?returnUrl=/Mail");
        Check.That(challenge.StatusCode == HttpStatusCode.Redirect, $"peer /signin: {(int)challenge.StatusCode}");
        var authorize = new Uri(challenge.Location());
        Check.That(QueryHelpers.ParseQuery(authorize.Query)["response_mode"] == "form_post", "the peer asks for response_mode=form_post");
        var back = Entra.Authorize(authorize, user);
        var form = QueryHelpers.ParseQuery(back.Query).ToDictionary(p => p.Key, p => p.Value.ToString());
        using var content = new FormUrlEncodedContent(form);
        using var callback = await browser.PostAsync(back.AbsolutePath, content);
        Check.That(callback.StatusCode == HttpStatusCode.Redirect && callback.Location() == "/Mail",
            $"peer /signin-oidc: {(int)callback.StatusCode} {callback.Headers.Location}\n{Output}");
    }

    public override async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        File.Delete(_socket);
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>The Entra and Graph stubs for a peer, behind their own proxy (the worker's host builds the same for FuncMail).</summary>
internal sealed record PeerStubs(EntraStub Entra, GraphStub Graph, CloudProxy Proxy) : IAsyncDisposable
{
    public static async Task<PeerStubs> StartAsync()
    {
        var entra = new EntraStub(FuncMailTestHost.ClientId, FuncMailTestHost.ClientSecret);
        var graph = new GraphStub(entra);
        Mailbox.Fill(graph);
        var proxy = await CloudProxy.StartAsync(new Dictionary<string, HttpMessageHandler>
        {
            [EntraStub.Host] = entra,
            [new Uri(GraphStub.BaseUrl).Host] = graph,
        });
        return new PeerStubs(entra, graph, proxy);
    }

    public ValueTask DisposeAsync() => Proxy.DisposeAsync();
}

/// <summary>The mailbox every app reads: the stub's three messages plus 22 more, so a page holds the default 10 and more follow.</summary>
internal static class Mailbox
{
    private static readonly string[] Senders = ["Megan Bowen", "Alex Wilber", "Jöran Åström", "佐藤 花子", "Build Bot", "Nestor Wilke"];

    public static void Fill(GraphStub graph)
    {
        var start = new DateTimeOffset(2026, 11, 20, 8, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < 22; i++)
        {
            var sender = Senders[i % Senders.Length];
            graph.Inbox.Add(new StubMessage($"Weekly update #{i}: plans & numbers <draft>", sender, $"sender{i}@contoso.example", start.AddHours(-i * 7))
            {
                Preview = $"Hi team, here are this week's figures for project {i}. Let's go over the open items on Thursday: hiring, the Q4 budget and the launch plan.",
                IsRead = i % 3 != 0,
                HasAttachments = i % 4 == 0,
                Importance = i % 5 == 0 ? "high" : "normal",
            });
        }
    }
}

/// <summary>Runtime settings to try on a worker, "DOTNET_X=1;DOTNET_Y=0", as environment variables (app settings in Azure).</summary>
internal static class RuntimeVariant
{
    public static void Apply(Dictionary<string, string?> settings, string? variant)
    {
        foreach (var pair in (variant ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            settings[pair[..equals]] = pair[(equals + 1)..];
        }
    }
}

internal static class Check
{
    public static void That(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException("Bench run failed: " + what);
        }
    }
}
