using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace FuncMail.Sessions;

/// <summary>
/// The one owner of the session timeouts (checklist B7): a session ends <see cref="SessionOptions.AbsoluteTimeout"/>
/// after sign-in, or after <see cref="SessionOptions.IdleTimeout"/> unused. The request path, the idle-clock renewal and
/// the cleanup query all ask here.
/// </summary>
public sealed class SessionLifetime(IOptions<SessionOptions> options)
{
    /// <summary>Why the session has ended at <paramref name="now"/>, or null while it lives.</summary>
    public string? EndReason(Session session, DateTimeOffset now) =>
        now >= session.ExpiresAt ? "absolute timeout"
        : now - session.LastSeenAt >= options.Value.IdleTimeout ? "idle timeout"
        : null;

    /// <summary>A cookie older than the absolute timeout cannot name a live session: no need to read its row.</summary>
    public bool CookieOutlived(DateTimeOffset issuedAt, DateTimeOffset now) => issuedAt + options.Value.AbsoluteTimeout < now;

    /// <summary>
    /// The idle clock is renewed once half of it is used up, as ASP.NET Core's sliding cookies do: a warm request
    /// normally writes nothing.
    /// </summary>
    public bool IdleClockDue(Session session, DateTimeOffset now) => now - session.LastSeenAt >= options.Value.IdleTimeout / 2;

    /// <summary>When a session signed in at <paramref name="now"/> ends at the latest.</summary>
    public DateTimeOffset AbsoluteEnd(DateTimeOffset now) => now + options.Value.AbsoluteTimeout;

    /// <summary>How long the session cookie lives in the browser.</summary>
    public TimeSpan CookieLifetime => options.Value.AbsoluteTimeout;

    /// <summary>The Table query for every session row that has ended by <paramref name="now"/>: the same rule as <see cref="EndReason"/>.</summary>
    public string EndedRowsFilter(DateTimeOffset now) =>
        TableClient.CreateQueryFilter($"ExpiresAt lt {now} or LastSeenAt lt {now - options.Value.IdleTimeout}");
}
