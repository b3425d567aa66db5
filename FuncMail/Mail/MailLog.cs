using Microsoft.Extensions.Logging;

namespace FuncMail.Mail;

internal static partial class MailLog
{
    // Graph's request-id next to our client-request-id lets support trace one call end to end (checklist F2).
    [LoggerMessage(EventName = "GraphCall", EventId = 3000, Level = LogLevel.Information, Message = "Graph answered HTTP {Status}; client-request-id {ClientRequestId}, request-id {RequestId}")]
    public static partial void GraphCall(ILogger logger, int status, Guid clientRequestId, string? requestId);

    [LoggerMessage(EventName = "GraphFailed", EventId = 3001, Level = LogLevel.Warning, Message = "Graph failed with HTTP {Status} {ErrorCode}; correlation {CorrelationId}")]
    public static partial void GraphFailed(ILogger logger, int status, string errorCode, Guid correlationId);

    [LoggerMessage(EventName = "SignInRequired", EventId = 3002, Level = LogLevel.Warning, Message = "Silent token acquisition needs the user to sign in again ({ErrorCode}); correlation {CorrelationId}")]
    public static partial void SignInRequired(ILogger logger, string errorCode, Guid correlationId);

    [LoggerMessage(EventName = "TokenEndpointFailed", EventId = 3003, Level = LogLevel.Error, Message = "The identity platform failed during refresh ({ErrorCode}, HTTP {Status}); correlation {CorrelationId}")]
    public static partial void TokenEndpointFailed(ILogger logger, string errorCode, int status, Guid correlationId);

    [LoggerMessage(EventName = "ContinuationRejected", EventId = 3004, Level = LogLevel.Warning, Message = "Graph's next link is not a form FuncMail follows; the page shows no older results")]
    public static partial void ContinuationRejected(ILogger logger);

    [LoggerMessage(EventName = "GraphRetry", EventId = 3006, Level = LogLevel.Warning, Message = "Graph retry {Attempt} after HTTP {Status}, waiting {DelayMs} ms")]
    public static partial void GraphRetry(ILogger logger, int attempt, int status, long delayMs);

    [LoggerMessage(EventName = "TimeZoneUnavailable", EventId = 1107, Level = LogLevel.Information, Message = "Could not read the mailbox time zone (HTTP {Status}); the mail page will show UTC; correlation {CorrelationId}")]
    public static partial void TimeZoneUnavailable(ILogger logger, int status, Guid correlationId);

    [LoggerMessage(EventName = "WellKnownFoldersUnavailable", EventId = 1108, Level = LogLevel.Information, Message = "Could not resolve the well-known folders (HTTP {Status}); the picker will match them by English name; correlation {CorrelationId}")]
    public static partial void WellKnownFoldersUnavailable(ILogger logger, int status, Guid correlationId);

    [LoggerMessage(EventName = "BodyShown", EventId = 3007, Level = LogLevel.Information, Message = "Message body sanitized: {Characters} characters, {BlockedImages} remote images blocked, truncated {Truncated}; correlation {CorrelationId}")]
    public static partial void BodyShown(ILogger logger, int characters, int blockedImages, bool truncated, Guid correlationId);
}
