using Azure;
using Azure.Identity;

namespace FuncMail.Storage;

/// <summary>Which exceptions mean "Table Storage is not answering", in every shape the Azure SDK gives them.</summary>
public static class StorageOutage
{
    /// <summary>
    /// A 5xx, 408, 429 or 403 (a role not yet effective), a network failure (status 0), the SDK's network timeout, a
    /// managed-identity token that cannot be had, or the SDK's AggregateException that wraps its last retries
    /// (what a refused connection ends in).
    /// </summary>
    public static bool Is(Exception e) => e switch
    {
        // The SDK retries only what it deems transient, so a canceled attempt in its list is its own network timeout
        // (a TaskCanceledException "exceeded the configured timeout"), never the caller's cancellation.
        AggregateException aggregate => aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(i => i is OperationCanceledException || Is(i)),
        RequestFailedException { Status: 0 or 403 or 408 or 429 or >= 500 } => true,
        AuthenticationFailedException => true,

        // Graph and MSAL timeouts are handled where they happen (Polly's TimeoutRejectedException, MsalServiceException),
        // so a timeout that reaches this far is the Azure SDK's NetworkTimeout.
        OperationCanceledException { InnerException: TimeoutException } => true,
        _ => false,
    };

    /// <summary>The HTTP status the SDK last saw, for the log; 0 for a network failure.</summary>
    public static int Status(Exception e) => e switch
    {
        AggregateException aggregate => aggregate.InnerExceptions.Select(Status).LastOrDefault(),
        RequestFailedException failed => failed.Status,
        _ => 0,
    };
}
