using System.Diagnostics;
using System.Globalization;
using System.Net;
using FuncMail.Tests.Infrastructure;

// Cold start of the real FuncMail worker, as a Flex Consumption instance meets it: a fresh `dotnet FuncMail.dll`
// process per sample, driven by the Functions host emulator, Azurite for storage, and the Entra and Graph stubs
// behind the HTTPS proxy (zero latency). For each build (JIT and ReadyToRun, both `dotnet publish -c Release`):
//   ready: process start until the worker has loaded every function (what the host waits for),
//   home:  process start until the first response of GET /api/Home (anonymous),
//   mail:  process start until the first response of GET /api/Mail for a session signed in earlier (Table read,
//          MSAL's instance discovery and token cache, two Graph calls, the page).
// Samples alternate between the builds. Usage (from the repository root):
//   dotnet run -c Release --project bench/FuncMail.ColdStart -- [--samples 15] [--smoke]
var samples = args.SkipWhile(a => a != "--samples").Skip(1).Select(int.Parse).FirstOrDefault(15);
var smoke = args.Contains("--smoke");
if (smoke)
{
    samples = 1;
}

var root = Path.GetFullPath(Path.Combine(FuncMailWorkerHost.AppDirectory, "..", "..", "..", ".."));
var output = Directory.CreateTempSubdirectory("funcmail-coldstart-").FullName;
var builds = new Dictionary<string, string> { ["JIT"] = Publish("jit", readyToRun: false) };
if (!smoke)
{
    builds["ReadyToRun"] = Publish("r2r", readyToRun: true);
}

var azurite = new AzuriteFixture();
await azurite.InitializeAsync();
try
{
    // One signed-in session for the "mail" samples; every sampled worker is another instance of the same app.
    await using var signedIn = await FuncMailWorkerHost.StartAsync(azurite);
    var (browser, jar) = signedIn.CreateBrowser();
    using (var callback = await FlowSteps.SignInAsync(signedIn, browser))
    {
        Check(callback.StatusCode == HttpStatusCode.Redirect, "sign-in");
    }

    var results = builds.Keys.SelectMany(b => new[] { (b, "ready"), (b, "home"), (b, "mail") }).ToDictionary(k => k, _ => new List<double>());
    for (var i = 0; i < samples; i++)
    {
        var order = i % 2 == 0 ? builds : builds.Reverse();
        foreach (var (build, directory) in order)
        {
            await using (var host = await FuncMailWorkerHost.StartAsync(azurite, sameAppAs: signedIn, appDirectory: directory))
            {
                var (client, _) = host.CreateBrowser();
                using var home = await client.GetAsync("/api/Home");
                var elapsed = host.Emulator.SinceProcessStart.Elapsed;
                Check(home.StatusCode == HttpStatusCode.OK, "home");
                results[(build, "ready")].Add(host.Emulator.ReadyAfter.TotalMilliseconds);
                results[(build, "home")].Add(elapsed.TotalMilliseconds);
            }

            await using (var host = await FuncMailWorkerHost.StartAsync(azurite, sameAppAs: signedIn, appDirectory: directory))
            {
                var client = new HttpClient(new CookieJar(jar.Cookies) { InnerHandler = new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false } }) { BaseAddress = host.BaseAddress };
                using var mail = await client.GetAsync("/api/Mail");
                var elapsed = host.Emulator.SinceProcessStart.Elapsed;
                Check(mail.StatusCode == HttpStatusCode.OK, $"mail: {(int)mail.StatusCode} {host.LogText}");
                results[(build, "mail")].Add(elapsed.TotalMilliseconds);
            }

            Console.Error.Write('.');
        }
    }

    Console.Error.WriteLine();
    Console.WriteLine($"Cold start of the real worker, {samples} samples per build, {Environment.ProcessorCount} cores, .NET {Environment.Version} ({DateTimeOffset.UtcNow:yyyy-MM-dd})");
    Console.WriteLine();
    Console.WriteLine("| Build | Milestone (ms from process start) | Median | Min | P90 | Max |");
    Console.WriteLine("| --- | --- | ---: | ---: | ---: | ---: |");
    foreach (var ((build, milestone), values) in results)
    {
        values.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {build} | {milestone} | {Percentile(values, 0.5):F0} | {values[0]:F0} | {Percentile(values, 0.9):F0} | {values[^1]:F0} |"));
    }
}
finally
{
    await azurite.DisposeAsync();
    Directory.Delete(output, recursive: true);
}

string Publish(string name, bool readyToRun)
{
    var directory = Path.Combine(output, name);
    var publish = Process.Start(new ProcessStartInfo("dotnet")
    {
        ArgumentList = { "publish", Path.Combine(root, "FuncMail", "FuncMail.csproj"), "-c", "Release", "-o", directory, $"-p:PublishReadyToRun={readyToRun}", "-nologo", "-v", "q" },
        RedirectStandardOutput = true,
    })!;
    publish.StandardOutput.ReadToEnd();
    publish.WaitForExit();
    Check(publish.ExitCode == 0, $"dotnet publish ({name})");
    return directory;
}

static double Percentile(List<double> sorted, double p) => sorted[(int)Math.Clamp(Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

static void Check(bool condition, string what)
{
    if (!condition)
    {
        throw new InvalidOperationException("Cold-start run failed at " + what);
    }
}
