using System.Diagnostics.CodeAnalysis;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace FuncMail.Tests.Infrastructure;

/// <summary>
/// Fault injection at the Azure SDK transport level (docs/platform.md: Azurite cannot be told to fail): the next
/// queued Table requests get an HTTP status instead of reaching Azurite, and go through the SDK's real retry policy.
/// </summary>
public sealed class TableFaults : HttpPipelinePolicy
{
    private int _pending;

    public int Status { get; set; } = 503;

    /// <summary>The next <paramref name="count"/> requests fail (int.MaxValue: until <see cref="Clear"/>).</summary>
    public void FailNext(int count) => Volatile.Write(ref _pending, count);

    public void Clear() => Volatile.Write(ref _pending, 0);

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        if (!TryFail(message))
        {
            ProcessNext(message, pipeline);
        }
    }

    public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        TryFail(message) ? ValueTask.CompletedTask : ProcessNextAsync(message, pipeline);

    private bool TryFail(HttpMessage message)
    {
        int pending;
        do
        {
            pending = Volatile.Read(ref _pending);
            if (pending <= 0)
            {
                return false;
            }
        }
        while (pending != int.MaxValue && Interlocked.CompareExchange(ref _pending, pending - 1, pending) != pending);

        message.Response = new FaultResponse(Status);
        return true;
    }

    /// <summary>A bare 404, as Table Storage answers a point read of a missing entity.</summary>
    public static Response NotFound() => new FaultResponse(404);

    private sealed class FaultResponse(int status) : Response
    {
        public override int Status => status;

        public override string ReasonPhrase => "Injected fault";

        // The transport policy would classify a real response; this one skips the transport, so it says so itself.
        // FuncMail only reads with GetEntityIfExists, for which a 404 is an answer, not an error.
        public override bool IsError => status >= 400 && status != 404;

        public override Stream? ContentStream { get; set; } = new MemoryStream();

        public override string ClientRequestId { get; set; } = Guid.NewGuid().ToString();

        public override void Dispose() => ContentStream?.Dispose();

        protected override bool ContainsHeader(string name) => false;

        protected override IEnumerable<HttpHeader> EnumerateHeaders() => [];

        protected override bool TryGetHeader(string name, [NotNullWhen(true)] out string? value)
        {
            value = null;
            return false;
        }

        protected override bool TryGetHeaderValues(string name, [NotNullWhen(true)] out IEnumerable<string>? values)
        {
            values = null;
            return false;
        }
    }
}
