using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FuncMail.Sessions;

/// <summary>The session a request belongs to, if any, and the cookie that proved it.</summary>
public sealed record ActiveSession(Session Session, SignedId Cookie);

/// <summary>
/// Finds the caller's session: the cookie MAC first, with no I/O (checklist B1), then one Table point read, then
/// the server-side idle and absolute timeouts (B7). An ended session's row is deleted and its cookie expired.
/// </summary>
public sealed class SessionGate(SessionCookies cookies, SessionStore store, SessionTokens tokens, TimeProvider time, IOptions<SessionOptions> options, ILogger<SessionGate> logger)
{
    public async Task<ActiveSession?> FindAsync(HttpContext context, CancellationToken cancellationToken)
    {
        if (!cookies.TryReadSession(context.Request, out var cookie))
        {
            var found = SessionCookies.FindSession(context.Request);
            if (found.Count == 1)
            {
                SessionLog.CookieRejected(logger);
                SessionCookies.ExpireSession(context.Response);
            }
            else if (CookieHeader.MentionsOutsideAPair(context.Request.Headers.Cookie, SessionCookies.SessionName, found))
            {
                SessionLog.CookieOutsideAPair(logger);
            }

            return null;
        }

        var now = time.GetUtcNow();
        if (cookie.IssuedAt + options.Value.AbsoluteTimeout < now)
        {
            SessionCookies.ExpireSession(context.Response);
            return null;
        }

        var session = await store.GetSealedAsync(cookie.Id, cancellationToken);
        if (session is null)
        {
            SessionCookies.ExpireSession(context.Response);
            return null;
        }

        var reason = now >= session.ExpiresAt ? "absolute timeout"
            : now - session.LastSeenAt >= options.Value.IdleTimeout ? "idle timeout"
            : null;
        if (reason is not null)
        {
            await EndAsync(context, session.Id, reason, cancellationToken);
            return null;
        }

        // Only a live session's cache is opened: one that ended needs no key, even a retired one.
        return new ActiveSession(store.Open(session), cookie);
    }

    /// <summary>For pages that use the session but not its tokens: finds it and renews its idle clock when due.</summary>
    public async Task<ActiveSession?> FindAndTouchAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var active = await FindAsync(context, cancellationToken);
        if (active is not null)
        {
            await TouchAsync(context, active, active.Session.TokenCache, cacheChanged: false, cancellationToken);
        }

        return active;
    }

    /// <summary>Deletes the row (and with it the tokens) and expires the cookie.</summary>
    public async Task EndAsync(HttpContext context, string sessionId, string reason, CancellationToken cancellationToken)
    {
        tokens.Forget(sessionId);
        await store.DeleteAsync(sessionId, cancellationToken);
        SessionCookies.ExpireSession(context.Response);
        SessionLog.SessionEnded(logger, SessionLog.Hash(sessionId), reason);
    }

    /// <summary>
    /// Saves what a request changed: a new token cache, or the idle clock once it is half used up (as ASP.NET Core's
    /// sliding cookies do), so a warm request normally writes nothing. Re-issues a cookie signed with a retired key (B3).
    /// False when the session had to end instead: a token cache too large for its row (checklist H4).
    /// </summary>
    /// <param name="currentCache">The token cache as this request leaves it: its own refresh, one it adopted from another request of the session, or the one it read.</param>
    public async Task<bool> TouchAsync(HttpContext context, ActiveSession active, byte[]? currentCache, bool cacheChanged, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var session = active.Session;
        if (cacheChanged || now - session.LastSeenAt >= options.Value.IdleTimeout / 2)
        {
            var updated = session with { LastSeenAt = now, TokenCache = currentCache };
            try
            {
                if (!await store.TryReplaceAsync(updated, cancellationToken))
                {
                    // Another request for this session wrote first (a parallel refresh); its cache is as good as ours (checklist C3).
                    SessionLog.LostWriteRace(logger, SessionLog.Hash(session.Id));
                }
            }
            catch (TokenCacheTooLargeException)
            {
                await EndAsync(context, session.Id, "token cache too large to store", cancellationToken);
                return false;
            }
        }

        if (!cookies.IsActiveKey(active.Cookie))
        {
            cookies.WriteSession(context.Response, session.Id);
        }

        return true;
    }
}
