using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace FuncMail.Mail;

/// <summary>
/// Retries for Graph (checklist E1): 429, 503 and 504 and network failures only, never other 4xx. Retry-After is
/// honoured when it is short; a longer one goes straight to the "try again in N seconds" page rather than holding
/// the request. Everything stays well inside a function's timeout: at most 3 attempts of 8 s, 20 s in all.
/// </summary>
public static class GraphResilience
{
    public static readonly TimeSpan TotalTimeout = TimeSpan.FromSeconds(20);
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(8);
    public static readonly TimeSpan LongestWait = TimeSpan.FromSeconds(4);
    public const int MaxRetries = 2;

    /// <summary>
    /// The key of the pipeline's clock in DI: the system clock. Retry waits and timeouts are real waits inside one
    /// request, whatever clock the app's sessions run on; tests give it a clock that skips the retry waits.
    /// </summary>
    public const string ClockKey = "graph-resilience";

    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, ILogger logger, TimeProvider clock)
    {
        pipeline.TimeProvider = clock;
        pipeline
            .AddTimeout(TotalTimeout)
            .AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(300),
                MaxDelay = LongestWait,
                ShouldRetryAfterHeader = true,
                ShouldHandle = static args => ValueTask.FromResult(ShouldRetry(args.Outcome)),
                OnRetry = args =>
                {
                    MailLog.GraphRetry(logger, args.AttemptNumber + 1, (int?)args.Outcome.Result?.StatusCode ?? 0, (long)args.RetryDelay.TotalMilliseconds);
                    return ValueTask.CompletedTask;
                },
            })
            .AddTimeout(AttemptTimeout);
    }

    private static bool ShouldRetry(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: HttpRequestException or TimeoutRejectedException } => true,
        { Result: { StatusCode: HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout } response } =>
            response.Headers.RetryAfter?.Delta is not { } wait || wait <= LongestWait,
        _ => false,
    };
}
