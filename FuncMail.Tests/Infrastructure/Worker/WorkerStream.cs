using System.Collections.Concurrent;
using System.Threading.Channels;
using Grpc.Core;
using GrpcRpcException = Grpc.Core.RpcException;
using Microsoft.Azure.WebJobs.Script.Grpc.Messages;

namespace FuncMail.Tests.Infrastructure.Worker;

/// <summary>One line the worker logged. The worker removes its console logger: <c>RpcLog</c> is its only log channel.</summary>
/// <param name="At">When the host received it, from the worker's process start (for cold-start analysis).</param>
public sealed record WorkerLog(RpcLog.Types.Level Level, string Category, string Message, string EventId, string? Exception, string InvocationId, TimeSpan At)
{
    public override string ToString() => $"{Level} {Category} [{EventId}]: {Message}{(Exception is null ? "" : " | " + Exception)}";
}

/// <summary>
/// The host's end of the worker's one gRPC stream (<c>FunctionRpc.EventStream</c>). Outgoing messages go through a
/// channel because a gRPC stream takes one writer at a time; a reply is matched to its request by <c>request_id</c>,
/// which the worker echoes.
/// </summary>
public sealed class WorkerStream
{
    private readonly Channel<StreamingMessage> _outbound = Channel.CreateUnbounded<StreamingMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, TaskCompletionSource<StreamingMessage>> _pending = new();
    private readonly TaskCompletionSource<StartStream> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _connected;

    /// <summary>Started by the emulator when it starts the worker process.</summary>
    public System.Diagnostics.Stopwatch Clock { get; } = new();

    /// <summary>Completes when the worker opens the stream with StartStream.</summary>
    public Task<StartStream> Started => _started.Task;

    /// <summary>Completes when the stream ends.</summary>
    public Task Closed => _closed.Task;

    public ConcurrentQueue<WorkerLog> Logs { get; } = new();

    /// <summary>Messages from the worker that answered nothing the emulator asked.</summary>
    public ConcurrentQueue<string> Unexpected { get; } = new();

    /// <summary>Serves the stream until the worker or the emulator ends it.</summary>
    public async Task RunAsync(IAsyncStreamReader<StreamingMessage> requests, IServerStreamWriter<StreamingMessage> responses, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _connected, 1) == 1)
        {
            // The emulator does not offer MultiStream, so a second stream is a protocol error.
            throw new GrpcRpcException(new Status(StatusCode.FailedPrecondition, "This host serves one stream per worker."));
        }

        var writer = Task.Run(async () =>
        {
            await foreach (var message in _outbound.Reader.ReadAllAsync(cancellationToken))
            {
                await responses.WriteAsync(message, cancellationToken);
            }
        }, cancellationToken);

        try
        {
            await foreach (var message in requests.ReadAllAsync(cancellationToken))
            {
                Dispatch(message);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or GrpcRpcException)
        {
            // The worker went away, or the emulator is shutting down.
        }
        finally
        {
            _outbound.Writer.TryComplete();
            foreach (var pending in _pending.Values)
            {
                pending.TrySetException(new IOException("The worker's stream closed before it answered."));
            }

            _started.TrySetException(new IOException("The worker's stream closed before StartStream."));
            _closed.TrySetResult();
        }

        try
        {
            await writer;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException)
        {
            // Nothing left to write to.
        }
    }

    /// <summary>Sends a message and waits for the worker's reply to it.</summary>
    public async Task<StreamingMessage> RequestAsync(StreamingMessage message, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        message.RequestId = Guid.NewGuid().ToString();
        var reply = new TaskCompletionSource<StreamingMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[message.RequestId] = reply;
        try
        {
            await _outbound.Writer.WriteAsync(message, cancellationToken);
            return await reply.Task.WaitAsync(timeout, cancellationToken);
        }
        finally
        {
            _pending.TryRemove(message.RequestId, out _);
        }
    }

    /// <summary>Sends a message that has no reply (WorkerTerminate).</summary>
    public bool TrySend(StreamingMessage message)
    {
        message.RequestId = Guid.NewGuid().ToString();
        return _outbound.Writer.TryWrite(message);
    }

    private void Dispatch(StreamingMessage message)
    {
        switch (message.ContentCase)
        {
            case StreamingMessage.ContentOneofCase.StartStream:
                _started.TrySetResult(message.StartStream);
                break;
            case StreamingMessage.ContentOneofCase.RpcLog:
                var log = message.RpcLog;
                Logs.Enqueue(new WorkerLog(
                    log.Level,
                    log.Category,
                    log.Message,
                    log.EventId,
                    log.Exception is null ? null : $"{log.Exception.Message} {log.Exception.StackTrace}",
                    log.InvocationId,
                    Clock.Elapsed));
                break;
            default:
                if (_pending.TryGetValue(message.RequestId, out var reply))
                {
                    reply.TrySetResult(message);
                }
                else
                {
                    Unexpected.Enqueue($"{message.ContentCase} for request '{message.RequestId}'");
                }

                break;
        }
    }
}

/// <summary>The gRPC service the worker connects to: it hands the one stream to <see cref="WorkerStream"/>.</summary>
public sealed class FunctionRpcService(WorkerStream stream) : FunctionRpc.FunctionRpcBase
{
    public override Task EventStream(IAsyncStreamReader<StreamingMessage> requestStream, IServerStreamWriter<StreamingMessage> responseStream, ServerCallContext context) =>
        stream.RunAsync(requestStream, responseStream, context.CancellationToken);
}
