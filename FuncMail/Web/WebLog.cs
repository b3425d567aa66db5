using Microsoft.Extensions.Logging;

namespace FuncMail.Web;

internal static partial class WebLog
{
    // The exception is logged for operators; the user sees only the support id (checklist F1: FuncMail's exceptions carry no secrets).
    [LoggerMessage(EventName = "Unhandled", EventId = 1000, Level = LogLevel.Error, Message = "Unhandled {ExceptionType} in a function; support id {CorrelationId}")]
    public static partial void Unhandled(ILogger logger, string exceptionType, Guid correlationId, Exception exception);

    [LoggerMessage(EventName = "StorageUnavailable", EventId = 1001, Level = LogLevel.Error, Message = "Table Storage unavailable (HTTP {Status}) after the SDK's retries; support id {CorrelationId}")]
    public static partial void StorageUnavailable(ILogger logger, int status, Guid correlationId);

    [LoggerMessage(EventName = "DeadlineExceeded", EventId = 1002, Level = LogLevel.Warning, Message = "Request exceeded its {BudgetMs} ms budget ({ExceptionType}); answered 504; support id {CorrelationId}")]
    public static partial void DeadlineExceeded(ILogger logger, long budgetMs, string exceptionType, Guid correlationId);

    [LoggerMessage(EventName = "Abandoned", EventId = 1003, Level = LogLevel.Debug, Message = "Request abandoned by the browser or cancelled by the host; support id {CorrelationId}")]
    public static partial void Abandoned(ILogger logger, Guid correlationId);

    [LoggerMessage(EventName = "AmbiguousCookie", EventId = 1005, Level = LogLevel.Warning, Message = "Refused a request carrying the cookie {CookieName} {Count} times (0: a header too large to read); nothing was used, expired or overwritten; support id {CorrelationId}")]
    public static partial void AmbiguousCookie(ILogger logger, string cookieName, int count, Guid correlationId);

    [LoggerMessage(EventName = "SessionKeyUnavailable", EventId = 1004, Level = LogLevel.Error, Message = "A session's token cache is sealed under a key id this instance's Session:Keys do not list (a key rotation rolling out?); answered 503; support id {CorrelationId}")]
    public static partial void SessionKeyUnavailable(ILogger logger, Guid correlationId);
}
