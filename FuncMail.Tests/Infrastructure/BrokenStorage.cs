using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FuncMail.Tests.Infrastructure;

/// <summary>How a Table Storage endpoint fails.</summary>
public enum StorageFault
{
    /// <summary>Nothing listens on the port: every connection is refused at once.</summary>
    Refused,

    /// <summary>The service answers every request with 503 ServerBusy.</summary>
    ServerBusy,

    /// <summary>Connections are accepted and never answered: only the SDK's network timeout ends them.</summary>
    Hanging,
}

/// <summary>
/// A Table Storage endpoint on loopback that fails one way, for tests of the real worker, where the in-process fault
/// policy cannot reach (checklist E4). Speaks just enough HTTP/1.1 to fail like the service.
/// </summary>
public sealed class BrokenStorage : IAsyncDisposable
{
    // The error body the Table service sends with 503 ServerBusy, in the JSON format Azure.Data.Tables asks for
    // (learn.microsoft.com/rest/api/storageservices/common-rest-api-error-codes and table-service-error-codes).
    private const string ServerBusyBody = """{"odata.error":{"code":"ServerBusy","message":{"lang":"en-US","value":"The server is currently unable to receive requests. Please retry your request."}}}""";

    private readonly TcpListener? _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _held = [];
    private readonly Task _accepting = Task.CompletedTask;

    private BrokenStorage(StorageFault fault)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        if (fault == StorageFault.Refused)
        {
            listener.Stop();
            return;
        }

        _listener = listener;
        _accepting = AcceptAsync(fault);
    }

    public int Port { get; }

    public int Connections { get; private set; }

    /// <summary>A connection string in Azurite's form, pointing at this endpoint.</summary>
    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:{Port}/devstoreaccount1;";

    public static BrokenStorage Start(StorageFault fault) => new(fault);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener?.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }

        lock (_held)
        {
            _held.ForEach(c => c.Dispose());
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync(StorageFault fault)
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener!.AcceptTcpClientAsync(_stop.Token);
            Connections++;
            if (fault == StorageFault.Hanging)
            {
                lock (_held)
                {
                    _held.Add(client);
                }

                continue;
            }

            _ = AnswerBusyAsync(client);
        }
    }

    private async Task AnswerBusyAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            var buffer = new byte[64 * 1024];
            var received = new StringBuilder();
            try
            {
                while (!received.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    var read = await stream.ReadAsync(buffer, _stop.Token);
                    if (read == 0)
                    {
                        return;
                    }

                    received.Append(Encoding.ASCII.GetString(buffer, 0, read));
                }

                var body = Encoding.UTF8.GetBytes(ServerBusyBody);
                var head = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json;odata=minimalmetadata;streaming=true;charset=utf-8\r\n" +
                    $"x-ms-error-code: ServerBusy\r\nx-ms-request-id: {Guid.NewGuid()}\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(head), _stop.Token);
                await stream.WriteAsync(body, _stop.Token);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
            {
                // The client gave up first.
            }
        }
    }
}
