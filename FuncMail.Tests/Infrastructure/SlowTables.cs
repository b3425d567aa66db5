using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.Time.Testing;

namespace FuncMail.Tests.Infrastructure;

/// <summary>
/// Makes every Table request take time on the fake clock, so that time budgets can be tested without waiting: each
/// request moves <see cref="FakeTimeProvider"/> on by <see cref="PerRequest"/> before it goes out.
/// </summary>
public sealed class SlowTables(FakeTimeProvider time) : HttpPipelinePolicy
{
    public TimeSpan PerRequest { get; set; }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Tick();
        ProcessNext(message, pipeline);
    }

    public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Tick();
        return ProcessNextAsync(message, pipeline);
    }

    private void Tick()
    {
        if (PerRequest > TimeSpan.Zero)
        {
            time.Advance(PerRequest);
        }
    }
}
