using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FuncMail.Compare;

/// <summary>A Redis server of Debian's package (redis-server), on loopback, memory only; null when it is not installed.</summary>
internal sealed class RedisServer : IAsyncDisposable
{
    private readonly Process _process;

    private RedisServer(Process process, string endpoint)
    {
        _process = process;
        Endpoint = endpoint;
    }

    /// <summary>host:port, for StackExchange.Redis.</summary>
    public string Endpoint { get; }

    public static async Task<RedisServer?> StartAsync()
    {
        var executable = new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefault(File.Exists);
        if (executable is null)
        {
            Console.Error.WriteLine("redis-server is not installed (apt-get install redis-server): the Redis peer is left out.");
            return null;
        }

        var port = PeerTarget.FreePort();
        var start = new ProcessStartInfo(executable)
        {
            ArgumentList = { "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "yes" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => { if (e.Data?.Contains("Ready to accept connections", StringComparison.Ordinal) == true) { ready.TrySetResult(); } };
        process.ErrorDataReceived += (_, _) => { };
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("redis-server exited before it was ready"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await ready.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return new RedisServer(process, $"127.0.0.1:{port}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}

/// <summary>
/// Azurite's table endpoint behind a counting forwarder (YARP): every request an app sends to Table Storage, counted
/// by method at the HTTP level. Point the app's connection string at <see cref="ConnectionString"/>.
/// </summary>
internal sealed class TableTraffic : IAsyncDisposable
{
    private readonly WebApplication _app;
    private long _reads;
    private long _writes;

    private TableTraffic(WebApplication app, string connectionString)
    {
        _app = app;
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    public long Reads => Interlocked.Read(ref _reads);

    public long Writes => Interlocked.Read(ref _writes);

    public void Reset()
    {
        Interlocked.Exchange(ref _reads, 0);
        Interlocked.Exchange(ref _writes, 0);
    }

    public static async Task<TableTraffic> StartAsync(string azuriteConnectionString)
    {
        var endpoint = new Uri(azuriteConnectionString.Split(';').Single(p => p.StartsWith("TableEndpoint=", StringComparison.Ordinal))["TableEndpoint=".Length..]);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        builder.Services.AddHttpForwarder();
        var app = builder.Build();
        TableTraffic? traffic = null;
        app.Use(async (context, next) =>
        {
            if (context.Request.Method is "GET" or "HEAD")
            {
                Interlocked.Increment(ref traffic!._reads);
            }
            else
            {
                Interlocked.Increment(ref traffic!._writes);
            }

            await next(context);
        });
        app.MapForwarder("/{**catch-all}", endpoint.GetLeftPart(UriPartial.Authority));
        await app.StartAsync();
        var port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single()).Port;
        traffic = new TableTraffic(app, azuriteConnectionString.Replace($"{endpoint.Host}:{endpoint.Port}", $"127.0.0.1:{port}", StringComparison.Ordinal));
        return traffic;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>Order statistics over milliseconds.</summary>
internal static class Stats
{
    public static double Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[(int)Math.Clamp(Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    public static string F(double value, string format = "F1") => value.ToString(format, CultureInfo.InvariantCulture);
}
