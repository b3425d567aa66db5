using Azure;
using Azure.Identity;

namespace FuncMail.Storage;

/// <summary>Which exceptions mean "Table Storage is not answering", in every shape the Azure SDK gives them.</summary>
public static class StorageOutage
{
    /// <summary>
    /// A 5xx, 408, 429 or 403 (a role not yet effective), a network failure (status 0), the SDK's network timeout, a
    /// managed-identity token that cannot be had, or the AggregateException of the SDK's retries that these end in
    /// (a refused connection does). Never a cancellation of <paramref name="caller"/>'s own.
    /// </summary>
    /// <param name="caller">The token the caller passed: when it is cancelled, a cancellation is not an outage.</param>
    public static bool Is(Exception e, CancellationToken caller) => e switch
    {
        AggregateException aggregate => aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(i => Is(i, caller)),
        RequestFailedException { Status: 0 or 403 or 408 or 429 or >= 500 } => true,
        AuthenticationFailedException => true,

        // The SDK's network timeout is a TaskCanceledException ("exceeded the configured timeout") whose inner
        // exception is the transport's own cancellation. Graph and MSAL turn their timeouts into their own exceptions
        // where they happen, so a cancellation that reaches this far uncalled-for is the SDK's.
        OperationCanceledException => !caller.IsCancellationRequested,
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
