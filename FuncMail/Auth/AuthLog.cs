using Microsoft.Extensions.Logging;

namespace FuncMail.Auth;

/// <summary>Sign-in events, structured and without secrets: never a code, state, verifier, nonce or token (checklist F1, F3).</summary>
internal static partial class AuthLog
{
    [LoggerMessage(EventName = "SignInStarted", EventId = 1100, Level = LogLevel.Information, Message = "Sign-in started")]
    public static partial void SignInStarted(ILogger logger);

    [LoggerMessage(EventName = "CallbackRejected", EventId = 1101, Level = LogLevel.Warning, Message = "Sign-in callback rejected: {Reason}")]
    public static partial void CallbackRejected(ILogger logger, string reason);

    [LoggerMessage(EventName = "AuthorizationError", EventId = 1102, Level = LogLevel.Information, Message = "Sign-in ended with authorization error {Error}")]
    public static partial void AuthorizationError(ILogger logger, string error);

    [LoggerMessage(EventName = "IdTokenRejected", EventId = 1103, Level = LogLevel.Warning, Message = "Sign-in failed: the ID token's {Claim} did not match; correlation {CorrelationId}")]
    public static partial void IdTokenRejected(ILogger logger, string claim, Guid correlationId);

    [LoggerMessage(EventName = "SignedIn", EventId = 1104, Level = LogLevel.Information, Message = "Signed in; session {SessionHash}, correlation {CorrelationId}")]
    public static partial void SignedIn(ILogger logger, string sessionHash, Guid correlationId);

    [LoggerMessage(EventName = "InteractionRequired", EventId = 1105, Level = LogLevel.Warning, Message = "The identity platform asked for interaction ({ErrorCode}); correlation {CorrelationId}")]
    public static partial void InteractionRequired(ILogger logger, string errorCode, Guid correlationId);

    [LoggerMessage(EventName = "IdentityPlatformFailed", EventId = 1106, Level = LogLevel.Error, Message = "The identity platform failed ({ErrorCode}, HTTP {Status}); correlation {CorrelationId}")]
    public static partial void IdentityPlatformFailed(ILogger logger, string errorCode, int status, Guid correlationId);

    [LoggerMessage(EventName = "ManagedIdentityFailed", EventId = 1109, Level = LogLevel.Error, Message = "The managed identity could not get the assertion for the app registration ({ErrorCode}, HTTP {Status}); check that the app's user-assigned identity is assigned and that Entra:ManagedIdentityClientId is its client id")]
    public static partial void ManagedIdentityFailed(ILogger logger, string errorCode, int status);
}
