using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;

namespace FuncMail.Sessions;

/// <summary>Session events. A session id appears only as a short hash (checklist F1); cookies never appear.</summary>
internal static partial class SessionLog
{
    public static string Hash(string sessionId) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(sessionId)).AsSpan(0, 6));

    [LoggerMessage(EventName = "CookieRejected", EventId = 2000, Level = LogLevel.Warning, Message = "Rejected a session cookie that failed verification (tampered, truncated, expired or signed with an unknown key)")]
    public static partial void CookieRejected(ILogger logger);

    [LoggerMessage(EventName = "SessionEnded", EventId = 2001, Level = LogLevel.Information, Message = "Session {SessionHash} ended: {Reason}")]
    public static partial void SessionEnded(ILogger logger, string sessionHash, string reason);

    [LoggerMessage(EventName = "LostWriteRace", EventId = 2002, Level = LogLevel.Information, Message = "Session {SessionHash} was written by a concurrent request; kept its copy")]
    public static partial void LostWriteRace(ILogger logger, string sessionHash);

    [LoggerMessage(EventName = "SignOutForgeryRejected", EventId = 2003, Level = LogLevel.Warning, Message = "Rejected a sign-out without a valid anti-forgery token or from another origin")]
    public static partial void SignOutForgeryRejected(ILogger logger);

    [LoggerMessage(EventName = "CookieOutsideAPair", EventId = 2006, Level = LogLevel.Warning, Message = "A Cookie header names the session cookie, but not as a ';'-separated pair: a proxy joining cookies with ',', or a smuggling attempt; it was not used")]
    public static partial void CookieOutsideAPair(ILogger logger);

    [LoggerMessage(EventName = "SignedOut", EventId = 2004, Level = LogLevel.Information, Message = "Session {SessionHash} signed out")]
    public static partial void SignedOut(ILogger logger, string sessionHash);
}
