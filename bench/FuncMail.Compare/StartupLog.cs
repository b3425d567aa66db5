using System.Net;
using FuncMail.Tests.Infrastructure;

namespace FuncMail.Compare;

/// <summary>
/// Where a cold worker's time goes before its first mail page: the worker's own log lines at Debug level, stamped by
/// the host emulator with their arrival since the process started, around the host's milestones.
/// </summary>
internal static class StartupLog
{
    public static async Task RunAsync(AzuriteFixture azurite)
    {
        await using var signedIn = await FuncMailWorkerTarget.StartAsync(azurite);
        var cookies = new System.Collections.Concurrent.ConcurrentDictionary<string, string>();
        using (var browser = signedIn.NewBrowser(cookies))
        {
            await signedIn.SignInAsync(browser, TestUser.Work());
        }

        await using var host = await FuncMailWorkerHost.StartAsync(azurite, s => s["Logging__LogLevel__Default"] = "Debug", sameAppAs: signedIn.Host);
        using var client = new HttpClient(new CookieJar(cookies) { InnerHandler = new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false, UseCookies = false } }) { BaseAddress = host.BaseAddress };
        var ready = host.Emulator.ReadyAfter;
        using var mail = await client.GetAsync("/api/Mail");
        var done = host.Emulator.SinceProcessStart.Elapsed;
        Check.That(mail.StatusCode == HttpStatusCode.OK, "mail");
        Console.WriteLine($"stream opened {host.Emulator.StreamOpenedAfter.TotalMilliseconds:F0} ms, functions loaded {ready.TotalMilliseconds:F0} ms, first mail page {done.TotalMilliseconds:F0} ms");
        foreach (var log in host.Emulator.Logs.OrderBy(l => l.At))
        {
            var message = log.Message.Length > 140 ? log.Message[..140] + "…" : log.Message;
            Console.WriteLine($"{log.At.TotalMilliseconds,7:F0} {log.Level,-11} {log.Category}: {message}");
        }
    }
}
