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
