using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Abstractions;

namespace FuncMail.Auth;

/// <summary>
/// MSAL's own log in FuncMail's, under the category <see cref="Category"/> (Warning and above by default: its
/// Information is several lines a request). PII logging stays off, so MSAL leaves out tokens, codes and user data.
/// </summary>
public sealed partial class MsalLogger(ILoggerFactory factory) : IIdentityLogger
{
    public const string Category = "Microsoft.Identity.Client";

    private readonly ILogger _logger = factory.CreateLogger(Category);

    public bool IsEnabled(EventLogLevel eventLogLevel) => _logger.IsEnabled(Map(eventLogLevel));

    public void Log(LogEntry entry) => Write(_logger, Map(entry.EventLogLevel), entry.Message ?? "");

    private static LogLevel Map(EventLogLevel level) => level switch
    {
        EventLogLevel.Critical => LogLevel.Critical,
        EventLogLevel.Error => LogLevel.Error,
        EventLogLevel.Warning => LogLevel.Warning,
        EventLogLevel.Informational => LogLevel.Information,
        EventLogLevel.Verbose => LogLevel.Debug,
        _ => LogLevel.Trace,
    };

    [LoggerMessage(EventName = "Msal", EventId = 1110, Message = "{MsalMessage}")]
    private static partial void Write(ILogger logger, LogLevel level, string msalMessage);
}
