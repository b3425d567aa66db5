using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Azure.WebJobs.Script.Grpc.Messages;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace FuncMail.Tests.Infrastructure.Worker;

/// <summary>A function as the worker indexed it (FunctionMetadataResponse).</summary>
public sealed record WorkerFunction(string Id, string Name, string TriggerType, string TriggerName, string? Route, IReadOnlyList<string> Methods, RpcFunctionMetadata Metadata);

/// <summary>What the worker answered for one invocation.</summary>
public sealed record InvocationRecord(string InvocationId, string FunctionName, StatusResult.Types.Status Status, TypedData? ReturnValue, string? Exception, int HttpStatus, bool ResponseStarted)
{
    /// <summary>The output bindings the worker sent back, as JSON (FuncMail has none).</summary>
    public string OutputData { get; init; } = "";

    /// <summary>How proxying the HTTP request went; the real host fails the invocation when this is not None.</summary>
    public ForwarderError Forwarding { get; init; }

    /// <summary>The W3C trace id the host sent in the invocation's trace context: Application Insights' operation_Id.</summary>
    public string TraceId { get; init; } = "";
}

/// <summary>
/// Plays the Azure Functions host for the real worker process, <c>dotnet FuncMail.dll</c>, over the host's public
/// gRPC protocol (Protos/FunctionRpc.proto), so Program.cs, the worker middleware, its DI scope, function activation
/// and the ASP.NET Core integration all run as in Azure. It follows the host's message sequence (StartStream,
/// WorkerInitRequest, FunctionsMetadataRequest, one FunctionLoadRequest per function, InvocationRequest per call,
/// WorkerTerminate), and proxies HTTP to the worker's own Kestrel with YARP's forwarder and a retrying handler, as
/// the host's DefaultHttpProxyService does: forwarding starts before the InvocationRequest is sent, and the
/// request carries the invocation id in <c>x-ms-invocation-id</c>.
/// </summary>
/// <remarks>
/// Deliberate differences from the real host: one stream only (no MultiStream capability offered); a client's own
/// <c>x-ms-invocation-id</c> header is replaced rather than kept; no auth levels, keys, admin API or scale controller.
/// </remarks>
public sealed class FunctionsHostEmulator : IAsyncDisposable
{
    public const string HostVersion = "4.1040.100.0";
    private const string InvocationIdHeader = "x-ms-invocation-id";

    /// <summary>The emulator's own response header naming the invocation that answered, for tests.</summary>
    public const string EchoHeader = "x-emulator-invocation-id";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Configuration sections a developer's shell may set for a local run; never inherited by a test's worker.</summary>
    private static readonly string[] AppSettingSections = ["Entra", "Session", "Storage", "Graph", "Web", "Logging", "AzureWebJobsStorage"];

    /// <summary>Workers still running; killed if the test process exits without disposing them (a hang timeout, Ctrl-C).</summary>
    private static readonly ConcurrentDictionary<int, Process> Running = new();

    static FunctionsHostEmulator() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (var process in Running.Values)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
        }
    };
    private static readonly TimeSpan ControlTimeout = TimeSpan.FromSeconds(30);

    private readonly WebApplication _grpc;
    private readonly WebApplication _frontDoor;
    private readonly WorkerStream _stream;
    private readonly StringBuilder _output = new();
    private readonly string _home;
    private readonly HttpMessageInvoker _toWorker;
    private readonly SemaphoreSlim _recorded = new(0);
    private Process? _process;
    private IHttpForwarder _forwarder = null!;
    private Uri _workerHttp = null!;
    private string _routePrefix = "api";

    private FunctionsHostEmulator(WebApplication grpc, WebApplication frontDoor, WorkerStream stream, string appDirectory)
    {
        _grpc = grpc;
        _frontDoor = frontDoor;
        _stream = stream;
        AppDirectory = appDirectory;
        _home = Directory.CreateTempSubdirectory("funcmail-worker-home-").FullName;
        GrpcAddress = Address(grpc);
        FrontDoor = Address(frontDoor);
        _toWorker = new HttpMessageInvoker(new RetryingHandler(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            ActivityHeadersPropagator = null,
        }));
    }

    /// <summary>Where clients send their requests: plays the host's public HTTP endpoint.</summary>
    public Uri FrontDoor { get; }

    public Uri GrpcAddress { get; }

    public string AppDirectory { get; }

    /// <summary>The worker's functions, as it indexed them.</summary>
    public IReadOnlyList<WorkerFunction> Functions { get; private set; } = [];

    /// <summary>Everything the worker logged, in order.</summary>
    public IReadOnlyCollection<WorkerLog> Logs => _stream.Logs;

    /// <summary>Every invocation's outcome, recorded once the worker replied (which can be just after the client got its response).</summary>
    public ConcurrentQueue<InvocationRecord> Invocations { get; } = new();

    /// <summary>Protocol messages the emulator did not expect; a healthy run has none.</summary>
    public IReadOnlyCollection<string> Unexpected => _stream.Unexpected;

    /// <summary>
    /// The function timeout from host.json (the host's default on a consumption plan, 5 minutes, when it has none); an
    /// invocation that runs longer is recorded as failed.
    /// </summary>
    public TimeSpan FunctionTimeout { get; private set; } = TimeSpan.FromMinutes(5);

    /// <summary>Milestones of the worker's start, from the moment its process was started.</summary>
    public TimeSpan StreamOpenedAfter { get; private set; }

    public TimeSpan ReadyAfter { get; private set; }

    public Stopwatch SinceProcessStart => _stream.Clock;

    public int ProcessId => _process?.Id ?? 0;

    /// <summary>The worker's $HOME, where ASP.NET Core would keep a Data Protection key ring.</summary>
    public string Home => _home;

    /// <summary>What the worker process wrote to stdout and stderr (the runtime's own crash reports land here).</summary>
    public string ProcessOutput
    {
        get { lock (_output) { return _output.ToString(); } }
    }

    public string LogText => string.Join(Environment.NewLine, Logs);

    /// <summary>Starts the host side, then the worker, and completes once every function is loaded.</summary>
    /// <param name="appDirectory">FuncMail's build or publish output (FuncMail.dll, functions.metadata, host.json).</param>
    /// <param name="appSettings">The app settings for a front door address (the redirect URI depends on it), as environment variables.</param>
    /// <param name="https">Serve the front door over TLS (a certificate for 127.0.0.1 from the test CA), as Azure's front end does.</param>
    public static async Task<FunctionsHostEmulator> StartAsync(string appDirectory, Func<Uri, IReadOnlyDictionary<string, string?>> appSettings, bool https = false)
    {
        var entryAssembly = Path.Combine(appDirectory, "FuncMail.dll");
        if (!File.Exists(entryAssembly) || !File.Exists(Path.Combine(appDirectory, "worker.config.json")))
        {
            throw new InvalidOperationException($"{entryAssembly} or its worker.config.json is missing: build the app first (dotnet build FuncMail.sln).");
        }

        var stream = new WorkerStream();
        var grpc = await StartGrpcAsync(stream);
        FunctionsHostEmulator? emulator = null;
        var frontDoor = await StartFrontDoorAsync(context => emulator!.ServeAsync(context), https);
        emulator = new FunctionsHostEmulator(grpc, frontDoor, stream, appDirectory);
        try
        {
            await emulator.LaunchAsync(appSettings(emulator.FrontDoor));
            return emulator;
        }
        catch
        {
            await emulator.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs a timer-triggered function now, the way the host does when its schedule fires.</summary>
    public async Task<InvocationRecord> InvokeTimerAsync(string functionName)
    {
        var function = Functions.Single(f => f.Name == functionName && f.TriggerType == "timerTrigger");
        var now = DateTimeOffset.UtcNow;

        // The host serializes the WebJobs TimerInfo with Json.NET: the schedule, its status and whether the run is late.
        var timerInfo = JsonSerializer.Serialize(new
        {
            Schedule = new { AdjustForDST = true },
            ScheduleStatus = new { Last = now.AddMinutes(-30), Next = now.AddMinutes(30), LastUpdated = now.AddMinutes(-30) },
            IsPastDue = false,
        });
        var request = NewInvocation(function);
        request.InputData.Add(new ParameterBinding { Name = function.TriggerName, Data = new TypedData { Json = timerInfo } });
        request.TriggerMetadata.Add(function.TriggerName, new TypedData { Json = timerInfo });
        var reply = (await RequestAsync(new StreamingMessage { InvocationRequest = request }, FunctionTimeout)).InvocationResponse;
        var record = new InvocationRecord(request.InvocationId, function.Name, reply.Result.Status, reply.ReturnValue, Describe(reply.Result.Exception), 0, false) { OutputData = reply.OutputData.ToString(), TraceId = request.TraceContext.TraceParent.Split('-')[1] };
        Record(record);
        return record;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } process)
        {
            // As the host does at shutdown; the worker stops its host and exits within milliseconds.
            _stream.TrySend(new StreamingMessage { WorkerTerminate = new WorkerTerminate { GracePeriod = Duration.FromTimeSpan(TimeSpan.FromSeconds(5)) } });
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            try
            {
                await process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                // It did not stop by itself: the kill below ends it.
            }
        }

        // The worker does not exit when its stream breaks, so it is killed whatever happened before.
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        if (_process is not null)
        {
            Running.TryRemove(_process.Id, out _);
            _process.Dispose();
        }

        _toWorker.Dispose();
        _recorded.Dispose();
        await _frontDoor.DisposeAsync();
        await _grpc.DisposeAsync();
        try
        {
            Directory.Delete(_home, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: it is a temp folder.
        }
    }

    private static async Task<WebApplication> StartGrpcAsync(WorkerStream stream)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();

        // The worker speaks cleartext HTTP/2 (h2c), which Kestrel only serves on an HTTP/2-only endpoint.
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc(o =>
        {
            o.MaxReceiveMessageSize = int.MaxValue;
            o.MaxSendMessageSize = int.MaxValue;
        });
        builder.Services.AddSingleton(stream);
        var app = builder.Build();
        app.MapGrpcService<FunctionRpcService>();
        await app.StartAsync();
        return app;
    }

    private static async Task<WebApplication> StartFrontDoorAsync(RequestDelegate serve, bool https)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = HttpProtocols.Http1;
            if (https)
            {
                listen.UseHttps(TestCertificateAuthority.Instance.ServerCertificate("127.0.0.1"));
            }
        }));
        builder.Services.AddHttpForwarder();
        var app = builder.Build();
        app.Run(serve);
        await app.StartAsync();
        return app;
    }

    private static Uri Address(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());

    private async Task LaunchAsync(IReadOnlyDictionary<string, string?> appSettings)
    {
        _forwarder = _frontDoor.Services.GetRequiredService<IHttpForwarder>();
        ReadHostJson();

        var workerId = Guid.NewGuid().ToString();
        var requestId = Guid.NewGuid().ToString();
        const string MaxMessageLength = "2147483647";
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // The arguments the real host passes (RpcWorkerContext): the older names, then the ones worker 2.x reads.
        foreach (var argument in new[]
        {
            Path.Combine(AppDirectory, "FuncMail.dll"),
            "--host", GrpcAddress.Host, "--port", GrpcAddress.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--workerId", workerId, "--requestId", requestId, "--grpcMaxMessageLength", MaxMessageLength,
            "--functions-uri", GrpcAddress.AbsoluteUri, "--functions-worker-id", workerId, "--functions-request-id", requestId,
            "--functions-grpc-max-message-length", MaxMessageLength,
        })
        {
            start.ArgumentList.Add(argument);
        }

        // Nothing of the test process's own settings leaks in: the worker sees the app settings and what the host sets.
        foreach (var key in start.Environment.Keys.ToList())
        {
            if (AppSettingSections.Any(section => key.StartsWith(section + "__", StringComparison.OrdinalIgnoreCase)) || key.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase)
                || key.StartsWith("AZURE_FUNCTIONS_", StringComparison.OrdinalIgnoreCase) || key.StartsWith("FUNCTIONS_", StringComparison.OrdinalIgnoreCase)
                || key.EndsWith("_PROXY", StringComparison.OrdinalIgnoreCase) || key.StartsWith("SSL_CERT", StringComparison.OrdinalIgnoreCase)
                || key is "IDENTITY_ENDPOINT" or "IDENTITY_HEADER" or "IDENTITY_SERVER_THUMBPRINT" or "MSI_ENDPOINT" or "MSI_SECRET" or "IMDS_ENDPOINT"

                // Where ASP.NET Core Data Protection would otherwise keep its keys instead of $HOME/.aspnet.
                or "LOCALAPPDATA" or "USERPROFILE" or "WEBSITE_INSTANCE_ID")
            {
                start.Environment.Remove(key);
            }
        }

        start.Environment["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated";
        start.Environment["FUNCTIONS_APPLICATION_DIRECTORY"] = AppDirectory;
        start.Environment["FUNCTIONS_WORKER_DIRECTORY"] = AppDirectory;
        start.Environment["FUNCTIONS_WORKER_RUNTIME_VERSION"] = "10.0";

        // The ASP.NET Core integration brings Data Protection, which writes a key under $HOME at start-up.
        start.Environment["HOME"] = _home;
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (key, value) in appSettings)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Capture(e.Data);
        process.ErrorDataReceived += (_, e) => Capture(e.Data);
        SinceProcessStart.Start();
        process.Start();
        _process = process;
        Running[process.Id] = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var exited = process.WaitForExitAsync();
        var first = await Task.WhenAny(_stream.Started, exited, Task.Delay(StartTimeout));
        if (first != _stream.Started || !_stream.Started.IsCompletedSuccessfully)
        {
            throw new InvalidOperationException(
                $"The worker did not open its stream ({(process.HasExited ? $"it exited with {process.ExitCode}" : "timed out")}).\n{ProcessOutput}\n{LogText}");
        }

        StreamOpenedAfter = SinceProcessStart.Elapsed;
        if (_stream.Started.Result.WorkerId != workerId)
        {
            throw new InvalidOperationException($"The worker announced id {_stream.Started.Result.WorkerId}, not {workerId}.");
        }

        var init = new WorkerInitRequest { HostVersion = HostVersion, WorkerDirectory = AppDirectory, FunctionAppDirectory = AppDirectory };
        var initReply = (await RequestAsync(new StreamingMessage { WorkerInitRequest = init })).WorkerInitResponse;
        Require(initReply.Result, "WorkerInitRequest");
        if (!initReply.Capabilities.TryGetValue("HttpUri", out var httpUri))
        {
            throw new InvalidOperationException("The worker did not announce its HttpUri capability: is the ASP.NET Core integration configured?");
        }

        _workerHttp = new Uri(httpUri);

        var metadata = (await RequestAsync(new StreamingMessage { FunctionsMetadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = AppDirectory } })).FunctionMetadataResponse;
        Require(metadata.Result, "FunctionsMetadataRequest");
        if (metadata.UseDefaultMetadataIndexing)
        {
            throw new InvalidOperationException("The worker asked for host indexing; FuncMail indexes its functions in the worker.");
        }

        Functions = metadata.FunctionMetadataResults.Select(Describe).ToList();

        // One FunctionLoadRequest per function, as the host sends to workers without the load-collection capability.
        await Task.WhenAll(Functions.Select(async function =>
        {
            var load = new FunctionLoadRequest
            {
                FunctionId = function.Id,
                Metadata = new RpcFunctionMetadata
                {
                    Name = function.Name,
                    Directory = function.Metadata.Directory,
                    EntryPoint = function.Metadata.EntryPoint,
                    ScriptFile = function.Metadata.ScriptFile,
                    IsProxy = false,
                },
            };
            load.Metadata.Bindings.Add(function.Metadata.Bindings);
            load.Metadata.Properties.Add(function.Metadata.Properties);
            var loaded = (await RequestAsync(new StreamingMessage { FunctionLoadRequest = load })).FunctionLoadResponse;
            Require(loaded.Result, $"FunctionLoadRequest for {function.Name}");
        }));
        ReadyAfter = SinceProcessStart.Elapsed;
    }

    /// <summary>The front door: route like the host, forward to the worker, and send the matching InvocationRequest.</summary>
    private async Task ServeAsync(HttpContext context)
    {
        var function = Route(context.Request);
        if (function is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var request = NewInvocation(function);
        request.InputData.Add(new ParameterBinding { Name = function.TriggerName, Data = new TypedData { Http = new RpcHttp() } });
        context.Request.Headers[InvocationIdHeader] = request.InvocationId;

        // Not a header the real host sends: it lets a test find this request's invocation record and logs.
        context.Response.OnStarting(() =>
        {
            context.Response.Headers[EchoHeader] = request.InvocationId;
            return Task.CompletedTask;
        });

        // As the host does for a worker that handles InvocationCancel: a browser that goes away cancels the invocation.
        using var cancel = context.RequestAborted.Register(() => _stream.TrySend(new StreamingMessage { InvocationCancel = new InvocationCancel { InvocationId = request.InvocationId } }));

        // Forwarding starts first, so the worker's HTTP context is waiting when the invocation arrives (GrpcWorkerChannel).
        var forwarding = _forwarder.SendAsync(context, _workerHttp.AbsoluteUri, _toWorker, new ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromSeconds(240) }).AsTask();
        var invocation = _stream.RequestAsync(new StreamingMessage { InvocationRequest = request }, FunctionTimeout);

        var forwarded = await forwarding;
        StatusResult.Types.Status status;
        TypedData? returnValue = null;
        string? exception = null;
        var outputData = "";
        try
        {
            var reply = (await invocation).InvocationResponse;
            status = reply.Result.Status;
            returnValue = reply.ReturnValue;
            exception = Describe(reply.Result.Exception);
            outputData = reply.OutputData.ToString();
        }
        catch (TimeoutException)
        {
            // On Azure the host would now restart the worker, dropping every request in flight.
            status = StatusResult.Types.Status.Failure;
            exception = $"Timeout value of {FunctionTimeout} was exceeded by function {function.Name}";
        }

        if (status != StatusResult.Types.Status.Success || forwarded != ForwarderError.None)
        {
            if (context.Response.HasStarted)
            {
                // The host's exception middleware rethrows once a response has started, and Kestrel breaks the connection.
                context.Abort();
            }
            else
            {
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            }
        }

        Record(new InvocationRecord(request.InvocationId, function.Name, status, returnValue, exception, context.Response.StatusCode, context.Response.HasStarted) { OutputData = outputData, Forwarding = forwarded, TraceId = request.TraceContext.TraceParent.Split('-')[1] });
    }

    /// <summary>The records of these invocations (from <see cref="EchoHeader"/>), waiting for any not yet recorded.</summary>
    public async Task<IReadOnlyList<InvocationRecord>> InvocationsAsync(params string[] invocationIds)
    {
        var records = new List<InvocationRecord>();
        foreach (var id in invocationIds)
        {
            records.Add(await InvocationAsync(i => i.InvocationId == id));
        }

        return records;
    }

    /// <summary>The first recorded invocation that matches, waiting for it if need be.</summary>
    public async Task<InvocationRecord> InvocationAsync(Func<InvocationRecord, bool> match)
    {
        using var timeout = new CancellationTokenSource(ControlTimeout);
        while (true)
        {
            if (Invocations.FirstOrDefault(match) is { } record)
            {
                return record;
            }

            await _recorded.WaitAsync(timeout.Token);
        }
    }

    /// <summary>What the worker logged while running one invocation.</summary>
    public IReadOnlyList<WorkerLog> LogsOf(string invocationId) => Logs.Where(l => l.InvocationId == invocationId).ToList();

    private void Record(InvocationRecord record)
    {
        Invocations.Enqueue(record);
        _recorded.Release();
    }

    private WorkerFunction? Route(HttpRequest request)
    {
        var path = request.Path.Value ?? "";
        var prefix = "/" + _routePrefix + "/";
        if (!path.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var route = path[prefix.Length..].TrimEnd('/');
        return Functions.FirstOrDefault(f => f.TriggerType == "httpTrigger"
            && string.Equals(f.Route, route, StringComparison.OrdinalIgnoreCase)
            && f.Methods.Contains(request.Method, StringComparer.OrdinalIgnoreCase));
    }

    private static InvocationRequest NewInvocation(WorkerFunction function) => new()
    {
        FunctionId = function.Id,
        InvocationId = Guid.NewGuid().ToString(),

        // Required: the worker reads it without a null check. The host sends Activity.Current's W3C id.
        TraceContext = new RpcTraceContext
        {
            TraceParent = $"00-{ActivityTraceId.CreateRandom()}-{ActivitySpanId.CreateRandom()}-01",
            TraceState = "",
        },
    };

    private static WorkerFunction Describe(RpcFunctionMetadata metadata)
    {
        foreach (var raw in metadata.RawBindings)
        {
            using var binding = JsonDocument.Parse(raw);
            var root = binding.RootElement;
            var type = root.GetProperty("type").GetString()!;
            if (!type.EndsWith("Trigger", StringComparison.Ordinal))
            {
                continue;
            }

            var methods = root.TryGetProperty("methods", out var m) ? m.EnumerateArray().Select(x => x.GetString()!.ToUpperInvariant()).ToList() : [];
            var route = root.TryGetProperty("route", out var r) ? r.GetString() : metadata.Name;
            return new WorkerFunction(metadata.FunctionId, metadata.Name, type, root.GetProperty("name").GetString()!, route, methods, metadata);
        }

        throw new InvalidOperationException($"Function {metadata.Name} has no trigger binding.");
    }

    private static string? Describe(RpcException? exception) =>
        exception is null ? null : $"{exception.Message}\n{exception.StackTrace}";

    private async Task<StreamingMessage> RequestAsync(StreamingMessage message, TimeSpan? timeout = null)
    {
        var reply = _stream.RequestAsync(message, timeout ?? ControlTimeout);
        var exited = _process!.WaitForExitAsync();
        if (await Task.WhenAny(reply, exited) == exited)
        {
            throw new InvalidOperationException($"The worker exited with {_process.ExitCode} during {message.ContentCase}.\n{ProcessOutput}\n{LogText}");
        }

        return await reply;
    }

    private void Require(StatusResult result, string step)
    {
        if (result.Status != StatusResult.Types.Status.Success)
        {
            throw new InvalidOperationException($"The worker failed {step}: {Describe(result.Exception)}\n{LogText}");
        }
    }

    private void ReadHostJson()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppDirectory, "host.json")));
        var root = document.RootElement;
        if (root.TryGetProperty("extensions", out var extensions) && extensions.TryGetProperty("http", out var http) && http.TryGetProperty("routePrefix", out var prefix))
        {
            _routePrefix = prefix.GetString()!;
        }

        if (root.TryGetProperty("functionTimeout", out var timeout))
        {
            FunctionTimeout = TimeSpan.Parse(timeout.GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    private void Capture(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            if (_output.Length < 256 * 1024)
            {
                _output.AppendLine(line);
            }
        }
    }

    /// <summary>
    /// Retries a refused connection a few times, as the host's RetryProxyHandler does: the worker picks its HTTP port
    /// by binding port 0 and releasing it, so its Kestrel may not be listening yet on the first request.
    /// </summary>
    private sealed class RetryingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        private const int MaxAttempts = 10;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var delay = TimeSpan.FromMilliseconds(50);
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    return await base.SendAsync(request, cancellationToken);
                }
                catch (HttpRequestException) when (attempt < MaxAttempts)
                {
                    await Task.Delay(delay, cancellationToken);
                    delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 250));
                }
            }
        }
    }
}
