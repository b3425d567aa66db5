using System.Net;
using System.Net.Sockets;
using System.Reflection;
using Azure.Core;
using Azure.Data.Tables;
using FuncMail.Auth;
using FuncMail.Functions;
using FuncMail.Mail;
using FuncMail.Storage;
using FuncMail.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace FuncMail.Tests.Infrastructure;

/// <summary>
/// FuncMail on real Kestrel (127.0.0.1, its own port), composed by AddFuncMail exactly as Program.cs does, with only
/// the HTTP stubs, the clock, a log collector and a Table request counter swapped in. Each function class is served
/// at the route and methods the build wrote to functions.metadata, wrapped in the same FunctionGuard the worker
/// middleware uses, and its IActionResult executed the way the worker's ASP.NET Core integration does.
/// </summary>
public sealed class FuncMailTestHost : IFuncMailHost
{
    public const string ClientId = "11111111-2222-3333-4444-555555555555";

    // Canary values: the logging test (checklist F1) asserts none of them ever reaches a log line.
    public const string ClientSecret = "canary-client-secret-9f8e7d";
    public const string SigningKey = "Y2FuYXJ5LXNpZ25pbmcta2V5LTAxMjM0NTY3ODlhYmNkZWY=";
    public const string OldSigningKey = "b2xkLWNhbmFyeS1zaWduaW5nLWtleS0wMTIzNDU2Nzg5YWI=";

    private readonly WebApplication _app;

    private FuncMailTestHost(WebApplication app, Uri baseAddress, EntraStub entra, GraphStub graph, TableRequestCounter tables, FakeTimeProvider time)
    {
        var storage = app.Services.GetRequiredService<IOptions<StorageOptions>>().Value;
        var peek = new TableServiceClient(storage.ConnectionString);
        SessionsTable = peek.GetTableClient(storage.SessionsTable);
        SignInsTable = peek.GetTableClient(storage.SignInsTable);
        _app = app;
        BaseAddress = baseAddress;
        Entra = entra;
        Graph = graph;
        Tables = tables;
        Time = time;
    }

    public Uri BaseAddress { get; }

    /// <summary>The app's tables through a client of the test's own, so that looking does not count as the app's I/O.</summary>
    public TableClient SessionsTable { get; }

    public TableClient SignInsTable { get; }

    /// <summary>Everything the app logged, for assertion messages.</summary>
    public string LogText => string.Join(Environment.NewLine, LogLines);

    public IReadOnlyList<string> LogLines => Logs.GetSnapshot().Select(r => $"{r.Level} {r.Category}: {r.Message} {r.Exception?.GetType().Name}").ToList();

    public EntraStub Entra { get; }

    public GraphStub Graph { get; }

    public TableRequestCounter Tables { get; }

    public FakeTimeProvider Time { get; }

    public IConfiguration Configuration => _app.Configuration;

    public TableFaults TableFaults { get; private init; } = null!;

    public SlowTables SlowTables { get; private init; } = null!;

    public IServiceProvider Services => _app.Services;

    /// <summary>The listening socket Kestrel serves on (see StartAsync).</summary>
    private Socket? _socket;

    public FakeLogCollector Logs => _app.Services.GetFakeLogCollector();

    public TableServiceClient TableService => _app.Services.GetRequiredService<TableServiceClient>();

    /// <param name="sameAppAs">Another instance of the same app: this one shares its tables, keys, redirect URI and Microsoft stubs.</param>
    public static async Task<FuncMailTestHost> StartAsync(AzuriteFixture azurite, Action<Dictionary<string, string?>>? settings = null, FuncMailTestHost? sameAppAs = null)
    {
        // The port is taken before anything else and kept: Kestrel serves on this very socket, so no other process can
        // take the port between choosing it and binding it (no free-port race), and the redirect URI can name it.
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        socket.Listen(512);
        var baseAddress = new Uri($"http://127.0.0.1:{((IPEndPoint)socket.LocalEndPoint!).Port}");
        var unique = Guid.NewGuid().ToString("N")[..12];
        var configuration = new Dictionary<string, string?>
        {
            ["Entra:ClientId"] = ClientId,
            ["Entra:ClientSecret"] = ClientSecret,
            ["Entra:RedirectUri"] = new Uri(baseAddress, $"/{FunctionsMetadata.RoutePrefix}/GetToken").AbsoluteUri,
            ["Session:Keys:k2"] = SigningKey,
            ["Session:Keys:k1"] = OldSigningKey,
            ["Session:ActiveKeyId"] = "k2",
            ["Storage:ConnectionString"] = azurite.ConnectionString,
            ["Storage:SessionsTable"] = "Sessions" + unique,
            ["Storage:SignInsTable"] = "SignIns" + unique,
        };
        if (sameAppAs is not null)
        {
            configuration["Entra:RedirectUri"] = sameAppAs.Configuration["Entra:RedirectUri"];
            configuration["Storage:SessionsTable"] = sameAppAs.Configuration["Storage:SessionsTable"];
            configuration["Storage:SignInsTable"] = sameAppAs.Configuration["Storage:SignInsTable"];
        }

        settings?.Invoke(configuration);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Development" });
        builder.WebHost.UseKestrel(kestrel => kestrel.ListenHandle((ulong)socket.Handle));
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Logging.ClearProviders();
        builder.Services.AddFakeLogging(o => o.CollectRecordsForDisabledLogLevels = false);

        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var entra = sameAppAs?.Entra ?? new EntraStub(ClientId, ClientSecret) { IdTokenClock = time };
        var graph = sameAppAs?.Graph ?? new GraphStub(entra);
        var tables = new TableRequestCounter();
        builder.Services.AddSingleton<TimeProvider>(time);

        builder.Services.AddKeyedSingleton<TimeProvider>(GraphResilience.ClockKey, new QuickRetryClock());
        builder.Services.AddFuncMail(builder.Configuration, builder.Environment);

        // The swaps: HTTP stubs under the real MSAL and the real typed Graph client, and a counter in the real Table pipeline.
        builder.Services.AddHttpClient(MsalHttpClientFactory.ClientName).ConfigurePrimaryHttpMessageHandler(() => entra);
        builder.Services.AddHttpClient<GraphMailClient>().ConfigurePrimaryHttpMessageHandler(() => graph);
        var faults = new TableFaults();
        var slow = new SlowTables(time);
        builder.Services.PostConfigure<TableClientOptions>(o =>
        {
            o.AddPolicy(tables, HttpPipelinePosition.PerRetry);
            o.AddPolicy(slow, HttpPipelinePosition.PerRetry);
            o.AddPolicy(faults, HttpPipelinePosition.BeforeTransport);
        });

        // The worker's ASP.NET Core integration registers MVC so that IActionResults can execute; so does this host.
        builder.Services.AddMvcCore();
        builder.Services.AddRouting();

        WebApplication app;
        try
        {
            app = builder.Build();
            app.UseRouting();
            MapFunctions(app);
            await app.StartAsync();
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new FuncMailTestHost(app, baseAddress, entra, graph, tables, time) { TableFaults = faults, SlowTables = slow, _socket = socket };
    }

    public (HttpClient Client, CookieJar Jar) CreateBrowser() => HostParts.CreateBrowser(BaseAddress);

    public Task<List<TableEntity>> RowsAsync(TableClient table) => HostParts.RowsAsync(table);

    public void AssertNoUnexpectedCalls()
    {
        Assert.Empty(Entra.Unexpected);
        Assert.Empty(Graph.Unexpected);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        finally
        {
            _socket?.Dispose();
        }
    }

    private static void MapFunctions(WebApplication app)
    {
        var assembly = typeof(HomeFunction).Assembly;
        var guard = app.Services.GetRequiredService<FunctionGuard>();
        foreach (var function in FunctionsMetadata.HttpFunctions)
        {
            var split = function.EntryPoint.LastIndexOf('.');
            var type = assembly.GetType(function.EntryPoint[..split], throwOnError: true)!;
            var method = type.GetMethod(function.EntryPoint[(split + 1)..])!;
            app.MapMethods($"/{FunctionsMetadata.RoutePrefix}/{function.Route}", function.Methods, RunAsync);

            // Kestrel's own abort stands in for the host's cancellation of the invocation.
            Task RunAsync(HttpContext context) => guard.RunAsync(context, CancellationToken.None, () => Invoke(context, type, method));
        }
    }

    private static async Task<object?> Invoke(HttpContext context, Type type, MethodInfo method)
    {
        var instance = ActivatorUtilities.CreateInstance(context.RequestServices, type);
        var arguments = method.GetParameters()
            .Select(p => p.ParameterType == typeof(HttpRequest) ? context.Request
                : throw new NotSupportedException($"The test host cannot bind {p.ParameterType.Name} {p.Name} of {type.Name}."))
            .ToArray();
        return await (Task<IActionResult>)method.Invoke(instance, BindingFlags.DoNotWrapExceptions, null, arguments, null)!;
    }

}
