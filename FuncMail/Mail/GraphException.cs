using System.Net;

namespace FuncMail.Mail;

/// <summary>Graph answered with an error status, or with a body FuncMail could not read.</summary>
public sealed class GraphException(HttpStatusCode status, TimeSpan? retryAfter, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public HttpStatusCode Status { get; } = status;

    public TimeSpan? RetryAfter { get; } = retryAfter;

    /// <summary>The claims of a 401's continuous-access-evaluation challenge (decoded JSON), if it carried one.</summary>
    public string? Claims { get; init; }

    /// <summary>Graph's error code (<c>error.code</c>), e.g. MailboxNotEnabledForRESTAPI, when the body had one.</summary>
    public string? Code { get; init; }
}

/// <summary>The one rule for "Graph did not give an answer": an error status, no connection, or the resilience pipeline's timeout.</summary>
public static class GraphFailure
{
    public static bool Is(Exception e) => e is GraphException or HttpRequestException or Polly.Timeout.TimeoutRejectedException;

    /// <summary>Graph's HTTP status, or 0 when it never answered.</summary>
    public static int Status(Exception e) => (int?)(e as GraphException)?.Status ?? 0;
}
