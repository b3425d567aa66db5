using Azure.Core;
using Azure.Core.Pipeline;

namespace FuncMail.Tests.Infrastructure;

/// <summary>Counts the Table Storage requests that really go out (per retry), by kind, through the Azure SDK pipeline.</summary>
public sealed class TableRequestCounter : HttpPipelinePolicy
{
    private int _reads;
    private int _writes;

    public int Reads => _reads;

    public int Writes => _writes;

    public void Reset()
    {
        Interlocked.Exchange(ref _reads, 0);
        Interlocked.Exchange(ref _writes, 0);
    }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Count(message);
        ProcessNext(message, pipeline);
    }

    public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Count(message);
        return ProcessNextAsync(message, pipeline);
    }

    private void Count(HttpMessage message)
    {
        if (message.Request.Method == RequestMethod.Get)
        {
            Interlocked.Increment(ref _reads);
        }
        else
        {
            Interlocked.Increment(ref _writes);
        }
    }
}
