using System.Net;
using FuncMail.Auth;
using FuncMail.Sessions;
using Microsoft.Extensions.Logging;
using Microsoft.Identity.Client;

namespace FuncMail.Mail;

/// <summary>A request's way into the mailbox: its session, the MSAL client over that session's cache, and the access token.</summary>
public sealed class MailboxCall
{
    internal MailboxCall(ActiveSession active, MsalClient app, string accessToken)
    {
        Active = active;
        App = app;
        AccessToken = accessToken;
    }

    public ActiveSession Active { get; }

    public Session Session => Active.Session;

    internal MsalClient App { get; }

    public string AccessToken { get; internal set; }
}

/// <summary>
/// What every mail feature does around its Graph calls, in one place: find the session (one Table read), get a token
/// from its cache (refreshed by MSAL when due, one refresh at a time per session), retry a 401 once with a forced
/// refresh (answering a claims challenge, H5), and save what changed (nothing, on a warm request).
/// </summary>
public sealed class MailboxAccess(SessionGate gate, MsalClientFactory msal, SessionTokens tokens, TimeProvider time, ILogger<MailboxAccess> logger)
{
    /// <summary>A session this young that already needs interaction again would only loop through sign-in (checklist E3).</summary>
    internal static readonly TimeSpan LoopWindow = TimeSpan.FromMinutes(2);

    /// <summary>The mailbox of the session <paramref name="cookie"/> names, with a token; or the outcome to give instead.</summary>
    /// <param name="returnUrl">Where a sign-in should bring the user back to.</param>
    public async Task<(MailboxCall? Call, MailOutcome? Failure)> OpenAsync(SignedId? cookie, string returnUrl, Guid correlationId, CancellationToken cancellationToken)
    {
        if (cookie is not { } signed || await gate.FindAsync(signed, cancellationToken) is not { } active)
        {
            return (null, new MailOutcome.SignInRequired(returnUrl) { Ended = cookie is not null });
        }

        // The client this session's last request left, when the row has not changed since: its in-memory cache already
        // holds this row's tokens, so a warm request neither builds a client nor deserializes the cache.
        var session = active.Session;
        var slot = new TokenCacheSlot(session.TokenCache, session.HomeAccountId);
        var client = tokens.Take<MsalClient>(session.Id, session.ETag) is { } warm && warm.Slot.HomeAccountId == session.HomeAccountId
            ? warm.Rebind(slot)
            : msal.Create(slot);
        var (accessToken, failure) = await AcquireTokenAsync(client, active, returnUrl, forceRefresh: false, claims: null, correlationId, cancellationToken);
        return failure is not null ? (null, failure) : (new MailboxCall(active, client, accessToken!), null);
    }

    /// <summary>
    /// After Graph's 401: one forced refresh. With a claims challenge (continuous access evaluation) MSAL asks Entra for
    /// a token that satisfies it; without one it simply refreshes. Null when <see cref="MailboxCall.AccessToken"/> is
    /// the new token; otherwise the outcome, which says itself whether the session ended.
    /// </summary>
    public async Task<MailOutcome?> RefreshAsync(MailboxCall call, string returnUrl, string? claims, Guid correlationId, CancellationToken cancellationToken)
    {
        var (token, failure) = await AcquireTokenAsync(call.App, call.Active, returnUrl, forceRefresh: true, claims, correlationId, cancellationToken);
        if (token is not null)
        {
            call.AccessToken = token;
        }

        return failure;
    }

    /// <summary>
    /// Saves a refreshed cache, or renews the idle clock when due; a warm request writes nothing. False when the session
    /// had to end instead (a token cache too large for its row, H4).
    /// </summary>
    /// <remarks>The request's MSAL work ends here: a client that still holds the cache as read is parked for the session's next request.</remarks>
    public async Task<bool> SaveAsync(MailboxCall call, CancellationToken cancellationToken)
    {
        var saved = await gate.TouchAsync(call.Active, call.App.Slot.Data, call.App.Slot.Changed, cancellationToken);
        if (saved && call.App.HoldsAsRead(call.Session.TokenCache))
        {
            tokens.Park(call.Session.Id, call.Session.ETag, call.App);
        }

        return saved;
    }

    /// <summary>
    /// The whole round for a feature that makes one Graph call (under one of the mailbox's four Graph slots): open,
    /// call, retry once after a 401, save. A Graph failure becomes <paramref name="failure"/>'s answer, with the
    /// session kept.
    /// </summary>
    public async Task<(MailboxCall? Call, T? Value, MailOutcome? Failure)> CallAsync<T>(
        SignedId? cookie, string returnUrl, Func<MailboxCall, CancellationToken, Task<T>> graphCall, Func<Exception, Failure> failure, Guid correlationId, CancellationToken cancellationToken)
    {
        var (call, closed) = await OpenAsync(cookie, returnUrl, correlationId, cancellationToken);
        if (call is null)
        {
            return (null, default, closed);
        }

        T value;
        try
        {
            try
            {
                value = await InSlotAsync(call, graphCall, cancellationToken);
            }
            catch (GraphException e) when (e.Status == HttpStatusCode.Unauthorized)
            {
                if (await RefreshAsync(call, returnUrl, e.Claims, correlationId, cancellationToken) is { } refreshFailed)
                {
                    // A failed forced refresh ended the session, or the identity platform is down and nothing changed: nothing to save.
                    return (null, default, refreshFailed);
                }

                value = await InSlotAsync(call, graphCall, cancellationToken);
            }
        }
        catch (Exception e) when (GraphFailure.Is(e))
        {
            return await SaveAsync(call, cancellationToken)
                ? (null, default, new MailOutcome.Failed(failure(e)) { Kept = call.Active })
                : (null, default, new MailOutcome.SignInRequired(returnUrl) { Ended = true });
        }

        bool saved;
        try
        {
            saved = await SaveAsync(call, cancellationToken);
        }
        catch when (value is IAsyncDisposable)
        {
            await ((IAsyncDisposable)value).DisposeAsync();
            throw;
        }

        if (saved)
        {
            return (call, value, null);
        }

        // The session had to end after all: whatever the call opened (a file's stream) is closed here.
        if (value is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }

        return (null, default, new MailOutcome.SignInRequired(returnUrl) { Ended = true });
    }

    /// <summary>One Graph call under one of the mailbox's four slots (Graph throttles a fifth concurrent request).</summary>
    public async Task<T> InSlotAsync<T>(MailboxCall call, Func<MailboxCall, CancellationToken, Task<T>> graphCall, CancellationToken cancellationToken)
    {
        using var slot = await tokens.GraphSlotAsync(call.Session.HomeAccountId, cancellationToken);
        return await graphCall(call, cancellationToken);
    }

    /// <summary>
    /// A token from the session's cache, refreshed by MSAL when due; or the outcome to give instead, Ended when the
    /// session had to end (the identity platform being down ends nothing).
    /// </summary>
    /// <param name="claims">A claims challenge from Graph the token must satisfy (MSAL then skips its cache), or null.</param>
    private async Task<(string? AccessToken, MailOutcome? Failure)> AcquireTokenAsync(
        MsalClient client, ActiveSession active, string returnUrl, bool forceRefresh, string? claims, Guid correlationId, CancellationToken cancellationToken)
    {
        var session = active.Session;

        // One refresh at a time per session: a request that waited here finds the cache the one before it refreshed.
        using var turn = await tokens.TurnAsync(session.Id, cancellationToken);
        if (tokens.SharedSince(session.Id, session.ETag) is { } shared)
        {
            client.Slot.Adopt(shared);
        }
        else if (tokens.FailedSince(session.Id, session.ETag))
        {
            return (null, new MailOutcome.Failed(new(Problem.SignInServiceUnavailable)));
        }

        try
        {
            var account = await client.App.GetAccountAsync(session.HomeAccountId);
            if (account is null)
            {
                // No tokens, or a cache MSAL could not read (MsalClient leaves it empty then): sign in again (H4).
                await gate.EndAsync(session.Id, client.Slot.Unreadable ? "token cache unreadable" : "no account in the token cache", cancellationToken);
                return (null, new MailOutcome.SignInRequired(returnUrl) { Ended = true });
            }

            var silent = client.App.AcquireTokenSilent(MsalClientFactory.Scopes, account)
                .WithForceRefresh(forceRefresh)
                .WithCorrelationId(correlationId);
            var result = await (claims is null ? silent : silent.WithClaims(claims)).ExecuteAsync(cancellationToken);
            if (result.AuthenticationResultMetadata?.CacheRefreshReason == CacheRefreshReason.ProactivelyRefreshed)
            {
                // MSAL answered from its cache and refreshes in the background (Entra's refresh_in): that refresh may
                // land after this request is done, so this client is not parked for the next one.
                client.KeepOut();
            }

            if (client.Slot is { Changed: true, Data: { } refreshed })
            {
                tokens.Share(session.Id, session.ETag, refreshed);
            }

            return (result.AccessToken, null);
        }
        catch (MsalUiRequiredException e)
        {
            // The refresh token was revoked or expired: these tokens are useless, so the session goes and sign-in starts again.
            // With a claims challenge, sign-in must answer it: the claims go to the authorize request (H5). A young
            // session would only loop, unless it is the claims that are new to it (checklist E3).
            MailLog.SignInRequired(logger, e.ErrorCode, correlationId);
            await gate.EndAsync(session.Id, claims is null ? "refresh token rejected" : "claims challenge needs interaction", cancellationToken);
            var young = time.GetUtcNow() - session.CreatedAt < LoopWindow;
            return (null, young && (claims is null || session.SignedInForClaims)
                ? new MailOutcome.Failed(new(Problem.SignInLoop)) { Ended = true }
                : new MailOutcome.SignInRequired(returnUrl, claims) { Ended = true });
        }
        catch (MsalServiceException e) when (!cancellationToken.IsCancellationRequested)
        {
            // MSAL already retried the token endpoint once; stacking more retries here would only delay the page (checklist E2),
            // and the requests waiting behind this one get the same answer at once.
            MailLog.TokenEndpointFailed(logger, e.ErrorCode, e.StatusCode, correlationId);
            tokens.ShareFailure(session.Id, session.ETag);
            return (null, new MailOutcome.Failed(new(Problem.SignInServiceUnavailable)));
        }
    }
}

