using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FuncMail.Tests.Infrastructure.Worker;

/// <summary>
/// Microsoft's cloud as the worker process sees it. The worker runs with <c>HTTPS_PROXY</c> pointing here, so each of
/// its https calls (MSAL, the typed Graph client) arrives as <c>CONNECT host:443</c>. The proxy accepts the tunnel,
/// terminates TLS with a certificate for that host from <see cref="TestCertificateAuthority"/>, and hands the
/// decrypted request to the stub registered for the host: the same <see cref="EntraStub"/> and <see cref="GraphStub"/>
/// handlers the in-process tests use. Host names, settings and certificate validation stay exactly as in production.
/// </summary>
/// <remarks>
/// Kestrel does the HTTP and TLS work; the only hand-written part is the CONNECT preamble (a connection middleware
/// before TLS), which Kestrel has no switch for.
/// </remarks>
public sealed class CloudProxy : IAsyncDisposable
{
    private const string TunnelHostKey = "funcmail.tunnel-host";
    private const string RequestCountKey = "funcmail.tunnel-requests";
    private readonly WebApplication _app;
    private readonly IReadOnlyDictionary<string, HttpMessageInvoker> _stubs;

    private CloudProxy(WebApplication app, IReadOnlyDictionary<string, HttpMessageInvoker> stubs)
    {
        _app = app;
        _stubs = stubs;
        // Kestrel reports the endpoint as https (TLS follows the CONNECT); clients speak plain HTTP to a proxy first.
        var port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single()).Port;
        Address = new Uri($"http://127.0.0.1:{port}/");
    }

    /// <summary>The proxy URL for the worker's <c>HTTPS_PROXY</c>.</summary>
    public Uri Address { get; }

    /// <summary>Anything the proxy could not hand to a stub: another host, a tunnel that carried no request (how a TLS trust failure looks from here), a malformed preamble.</summary>
    public ConcurrentQueue<string> Unexpected { get; } = new();

    /// <summary>Tunnels opened, by host.</summary>
    public ConcurrentDictionary<string, int> Tunnels { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <param name="stubs">Host name → the handler that answers for it.</param>
    public static async Task<CloudProxy> StartAsync(IReadOnlyDictionary<string, HttpMessageHandler> stubs)
    {
        var authority = TestCertificateAuthority.Instance;
        var invokers = stubs.ToDictionary(s => s.Key, s => new HttpMessageInvoker(s.Value, disposeHandler: false), StringComparer.OrdinalIgnoreCase);
        CloudProxy? proxy = null;

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = HttpProtocols.Http1AndHttp2;
            listen.Use(next => async connection =>
            {
                if (await AcceptTunnelAsync(connection, proxy!) is { } host)
                {
                    connection.Items[TunnelHostKey] = host;
                    connection.Items[RequestCountKey] = new StrongBox<int>();
                    await next(connection);
                    if (((StrongBox<int>)connection.Items[RequestCountKey]!).Value == 0)
                    {
                        proxy!.Unexpected.Enqueue($"CONNECT {host} carried no request: did the worker refuse the test CA?");
                    }
                }
            });
            listen.UseHttps(https => https.ServerCertificateSelector = (_, name) =>
                authority.ServerCertificate(name ?? throw new InvalidOperationException("A TLS client without SNI reached the proxy.")));
        }));

        var app = builder.Build();
        app.Run(context => proxy!.AnswerAsync(context));
        await app.StartAsync();
        proxy = new CloudProxy(app, invokers);
        return proxy;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        foreach (var invoker in _stubs.Values)
        {
            invoker.Dispose();
        }
    }

    /// <summary>Reads <c>CONNECT host:port HTTP/1.1</c> and its headers, answers 200, and leaves the raw stream to TLS.</summary>
    private static async Task<string?> AcceptTunnelAsync(ConnectionContext connection, CloudProxy proxy)
    {
        var input = connection.Transport.Input;
        while (true)
        {
            var read = await input.ReadAsync();
            var buffer = read.Buffer;
            var end = FindHeaderEnd(buffer);
            if (end is null)
            {
                input.AdvanceTo(buffer.Start, buffer.End);
                if (read.IsCompleted || buffer.Length > 8192)
                {
                    return null;
                }

                continue;
            }

            var preamble = Encoding.ASCII.GetString(buffer.Slice(0, end.Value));
            input.AdvanceTo(end.Value);
            var requestLine = preamble.Split("\r\n")[0].Split(' ');
            if (requestLine is not ["CONNECT", var target, "HTTP/1.1"] || !target.EndsWith(":443", StringComparison.Ordinal))
            {
                proxy.Unexpected.Enqueue("not a CONNECT to port 443: " + preamble.Split("\r\n")[0]);
                await connection.Transport.Output.WriteAsync("HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray());
                return null;
            }

            var host = target[..^4];
            proxy.Tunnels.AddOrUpdate(host, 1, (_, count) => count + 1);
            await connection.Transport.Output.WriteAsync("HTTP/1.1 200 Connection established\r\n\r\n"u8.ToArray());
            return host;
        }
    }

    private static SequencePosition? FindHeaderEnd(ReadOnlySequence<byte> buffer)
    {
        var reader = new SequenceReader<byte>(buffer);
        return reader.TryReadTo(out ReadOnlySequence<byte> _, "\r\n\r\n"u8, advancePastDelimiter: true) ? reader.Position : null;
    }

    /// <summary>One decrypted request: to the stub for the tunnel's host, with the body and headers as sent.</summary>
    private async Task AnswerAsync(HttpContext context)
    {
        var items = context.Features.Get<IConnectionItemsFeature>()!.Items;
        Interlocked.Increment(ref ((StrongBox<int>)items[RequestCountKey]!).Value);
        var tunnelHost = (string)items[TunnelHostKey]!;
        var host = context.Request.Host.Host;
        if (!string.Equals(host, tunnelHost, StringComparison.OrdinalIgnoreCase) || !_stubs.TryGetValue(host, out var stub))
        {
            Unexpected.Enqueue($"{context.Request.Method} https://{host}{context.Request.Path} (tunnel to {tunnelHost}): no stub answers this host");
            context.Response.StatusCode = StatusCodes.Status502BadGateway;
            return;
        }

        var rawTarget = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), new Uri($"https://{host}{rawTarget}"));
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        if (body.Length > 0 || context.Request.ContentLength is not null)
        {
            request.Content = new ByteArrayContent(body.ToArray());
        }

        foreach (var (name, values) in context.Request.Headers)
        {
            if (string.Equals(name, "Host", StringComparison.OrdinalIgnoreCase) || name.StartsWith(':'))
            {
                continue;
            }

            if (!request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        using var response = await stub.SendAsync(request, context.RequestAborted);
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (!string.Equals(name, "Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.Headers[name] = values.ToArray();
            }
        }

        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }
}
