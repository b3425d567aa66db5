using Microsoft.Extensions.Logging;

namespace FuncMail.Sessions;

/// <summary>The session a request belongs to, and the cookie that proved it.</summary>
public sealed record ActiveSession(Session Session, SignedId Cookie);

/// <summary>
/// Finds the session a verified cookie names: one Table point read, then the server-side idle and absolute timeouts
/// (checklist B7, owned by <see cref="SessionLifetime"/>). An ended session's row is deleted. No HTTP here: the edge
/// reads the cookie (its MAC needs no I/O, B1) and expires it when this finds no live session.
/// </summary>
public sealed class SessionGate(SessionStore store, SessionTokens tokens, SessionLifetime lifetime, TimeProvider time, ILogger<SessionGate> logger)
{
    /// <summary>The live session <paramref name="cookie"/> names, or null when it has none (the cookie should then go).</summary>
    public async Task<ActiveSession?> FindAsync(SignedId cookie, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (lifetime.CookieOutlived(cookie.IssuedAt, now))
        {
            return null;
        }

        var session = await store.GetSealedAsync(cookie.Id, cancellationToken);
        if (session is null)
        {
            return null;
        }

        if (lifetime.EndReason(session, now) is { } reason)
        {
            await EndAsync(session.Id, reason, cancellationToken);
            return null;
        }

        // Only a live session's cache is opened: one that ended needs no key, even a retired one.
        return new ActiveSession(store.Open(session), cookie);
    }

    /// <summary>For pages that use the session but not its tokens: finds it and renews its idle clock when due.</summary>
    public async Task<ActiveSession?> FindAndTouchAsync(SignedId cookie, CancellationToken cancellationToken)
    {
        var active = await FindAsync(cookie, cancellationToken);
        return active is not null && await TouchAsync(active, active.Session.TokenCache, cacheChanged: false, cancellationToken) ? active : null;
    }

    /// <summary>Deletes the row, and with it the tokens.</summary>
    public async Task EndAsync(string sessionId, string reason, CancellationToken cancellationToken)
    {
        tokens.Forget(sessionId);
        await store.DeleteAsync(sessionId, cancellationToken);
        SessionLog.SessionEnded(logger, SessionLog.Hash(sessionId), reason);
    }

    /// <summary>
    /// Saves what a request changed: a new token cache, or the idle clock when <see cref="SessionLifetime.IdleClockDue"/>,
    /// so a warm request normally writes nothing. False when the session had to end instead: a token cache too large
    /// for its row (checklist H4).
    /// </summary>
    /// <param name="currentCache">The token cache as this request leaves it: its own refresh, one it adopted from another request of the session, or the one it read.</param>
    public async Task<bool> TouchAsync(ActiveSession active, byte[]? currentCache, bool cacheChanged, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var session = active.Session;
        if (!cacheChanged && !lifetime.IdleClockDue(session, now))
        {
            return true;
        }

        try
        {
            if (!await store.TryReplaceAsync(session with { LastSeenAt = now, TokenCache = currentCache }, cancellationToken))
            {
                // Another request for this session wrote first (a parallel refresh); its cache is as good as ours (checklist C3).
                SessionLog.LostWriteRace(logger, SessionLog.Hash(session.Id));
            }

            return true;
        }
        catch (TokenCacheTooLargeException)
        {
            await EndAsync(session.Id, "token cache too large to store", cancellationToken);
            return false;
        }
    }
}
