using FuncMail.Auth;
using Microsoft.Extensions.Logging;

namespace FuncMail.Mail;

/// <summary>Reads, at sign-in, what the mail page needs from the mailbox once: its time zone and its well-known folders' ids, in parallel.</summary>
public sealed class MailboxProfileReader(GraphMailClient graph, ILogger<MailboxProfileReader> logger) : IMailboxProfile
{
    public async Task<MailboxProfile> ReadAsync(string accessToken, Guid correlationId, CancellationToken cancellationToken)
    {
        var timeZone = TryGetTimeZoneAsync(accessToken, correlationId, cancellationToken);
        var folders = TryGetWellKnownFoldersAsync(accessToken, correlationId, cancellationToken);
        return new MailboxProfile(await timeZone, await folders);
    }

    /// <summary>Without it the mail page shows UTC and says so.</summary>
    private async Task<string?> TryGetTimeZoneAsync(string accessToken, Guid correlationId, CancellationToken cancellationToken)
    {
        try
        {
            return await graph.GetMailboxTimeZoneAsync(accessToken, correlationId, cancellationToken);
        }
        catch (Exception e) when (GraphFailure.Is(e))
        {
            MailLog.TimeZoneUnavailable(logger, GraphFailure.Status(e), correlationId);
            return null;
        }
    }

    /// <summary>Without them the picker falls back to English names.</summary>
    private async Task<IReadOnlyDictionary<string, string>?> TryGetWellKnownFoldersAsync(string accessToken, Guid correlationId, CancellationToken cancellationToken)
    {
        try
        {
            return await graph.GetWellKnownFolderIdsAsync(accessToken, correlationId, cancellationToken);
        }
        catch (Exception e) when (GraphFailure.Is(e))
        {
            MailLog.WellKnownFoldersUnavailable(logger, GraphFailure.Status(e), correlationId);
            return null;
        }
    }
}
