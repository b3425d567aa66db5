namespace FuncMail.Auth;

/// <summary>
/// What a sign-in reads about the mailbox once and keeps in the session. Sign-in owns the question; the mail feature,
/// which owns Graph, answers it (Mail/MailboxProfileReader), so that Auth never depends on the layer above it.
/// </summary>
public interface IMailboxProfile
{
    /// <summary>Never throws for a Graph failure: what could not be read is null, and the mail page says what it falls back to.</summary>
    Task<MailboxProfile> ReadAsync(string accessToken, Guid correlationId, CancellationToken cancellationToken);
}

/// <param name="TimeZone">The mailbox's time zone (Windows or IANA id); null shows UTC.</param>
/// <param name="WellKnownFolderIds">The ids of inbox, sentitems and the rest; null matches them by English name.</param>
public sealed record MailboxProfile(string? TimeZone, IReadOnlyDictionary<string, string>? WellKnownFolderIds);
