using System.Net;
using FuncMail.Auth;
using FuncMail.Sessions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Client;

namespace FuncMail.Mail;

/// <summary>How a mail page request ends; and what became of the session, for the edge to apply to the cookie.</summary>
public abstract record MailPageOutcome
{
    /// <summary>The session the request kept and saved (a cookie signed with a retired key is then re-issued, B3); null otherwise.</summary>
    public ActiveSession? Kept { get; init; }

    /// <summary>The cookie names no live session any more (it ended, or never existed): the cookie goes. Otherwise it is left as it is.</summary>
    public bool Ended { get; init; }

    public sealed record Shown(MailModel Model) : MailPageOutcome;

    /// <summary>Sign in, then come back to <paramref name="ReturnUrl"/>; with a claims challenge the sign-in must answer (H5).</summary>
    public sealed record SignInRequired(string ReturnUrl, string? Claims = null) : MailPageOutcome;

    public sealed record Failed(Failure Failure) : MailPageOutcome;
}

/// <summary>The mail page: session, then a token from the cache (refreshed by MSAL when due), then Graph, then the page's model.</summary>
public sealed class MailPageService(
    SessionGate gate,
    SignOutTokens signOutTokens,
    MsalClientFactory msal,
    GraphMailClient graph,
    SessionTokens tokens,
    IOptions<GraphOptions> graphOptions,
    TimeProvider time,
    ILogger<MailPageService> logger)
{
    /// <summary>A session this young that already needs interaction again would only loop through sign-in (checklist E3).</summary>
    internal static readonly TimeSpan LoopWindow = TimeSpan.FromMinutes(2);

    /// <summary>The page's query, checked before anything else (a bad one costs no cookie check, no Table read and no Graph call); null with the message to show.</summary>
    /// <param name="single">A parameter's value, by the edge's one rule for a single value.</param>
    public MessageQuery? TryParse(Func<string, string?> single, out string? error) =>
        MessageQuery.TryParse(single, graphOptions.Value.PageSize, out error);

    /// <param name="returnUrl">This page's own URL, to come back to after a sign-in.</param>
    /// <param name="cookie">The request's verified session cookie, or null.</param>
    public async Task<MailPageOutcome> ShowAsync(MessageQuery request, string returnUrl, SignedId? cookie, Guid correlationId, CancellationToken cancellationToken)
    {
        if (cookie is not { } signed || await gate.FindAsync(signed, cancellationToken) is not { } active)
        {
            return new MailPageOutcome.SignInRequired(returnUrl) { Ended = cookie is not null };
        }

        var session = active.Session;
        var slot = new TokenCacheSlot(session.TokenCache, session.HomeAccountId);
        var app = new MsalSession(msal.Create(slot), slot);
        var (accessToken, failure) = await AcquireTokenAsync(app, active, returnUrl, forceRefresh: false, claims: null, correlationId, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        var (page, folderList, graphFailure, tokenFailed) = await LoadAsync(app, active, request, accessToken!, returnUrl, correlationId, cancellationToken);

        // Save a refreshed cache (or renew the idle clock) whether or not Graph answered; not after a failed forced refresh
        // (that ended the session, or the identity platform is down and nothing changed).
        if (!tokenFailed && !await gate.TouchAsync(active, slot.Data, slot.Changed, cancellationToken))
        {
            return new MailPageOutcome.SignInRequired(returnUrl) { Ended = true };
        }

        if (graphFailure is not null)
        {
            // A failed forced refresh says itself whether the session ended; after any other Graph failure it was kept and saved.
            return tokenFailed ? graphFailure : graphFailure with { Kept = active };
        }

        var (zone, isUtcFallback) = MailPageView.Zone(session.TimeZone);
        var (newer, older) = MailPageView.Paging(request, page!, NextSkipToken(page!));
        return new MailPageOutcome.Shown(new MailModel
        {
            DisplayName = session.DisplayName,
            Username = session.Username,
            SignOutToken = signOutTokens.For(session.Id),
            FolderName = MailPageView.FolderName(folderList?.Folders, request.Folder, session.WellKnownFolderIds),
            Folder = request.Folder,
            Search = request.Search,
            PageSize = request.PageSize,
            Messages = MailPageView.Rows(page!.Value, zone, time.GetUtcNow()),
            Folders = MailPageView.Folders(folderList?.Folders, request, session.WellKnownFolderIds),
            FoldersNote = folderList is { Truncated: true } ? $"The first {folderList.Folders.Count} top-level folders; folders inside folders are not listed." : "Top-level folders; folders inside folders are not listed.",
            TimeZoneNote = isUtcFallback ? "Times are in UTC: FuncMail could not read your mailbox's time zone." : $"Times are in your mailbox's time zone: {zone.DisplayName}.",
            NewerUrl = newer,
            OlderUrl = older,
        })
        {
            Kept = active,
        };
    }

    /// <summary>
    /// The folder's messages and the folder list, in parallel (within Graph's limit of four concurrent requests per
    /// mailbox); or the page to show instead. A 401 on the messages forces one token refresh: the cached access token
    /// was revoked early (password reset, admin revoke), and if the refresh token is dead too that ends in re-sign-in.
    /// </summary>
    private async Task<(GraphMessagePage? Page, GraphFolderList? Folders, MailPageOutcome? Failure, bool TokenFailed)> LoadAsync(
        MsalSession app, ActiveSession active, MessageQuery query, string accessToken, string returnUrl, Guid correlationId, CancellationToken cancellationToken)
    {
        var mailbox = active.Session.HomeAccountId;
        var folders = TryGetFoldersAsync(mailbox, accessToken, correlationId, cancellationToken);
        try
        {
            try
            {
                return (await MessagesAsync(mailbox, accessToken, query, correlationId, cancellationToken), await folders, null, false);
            }
            catch (GraphException e) when (e.Status == HttpStatusCode.Unauthorized)
            {
                // One silent retry: with a claims challenge (continuous access evaluation) MSAL asks Entra for a token
                // that satisfies it; without one it simply refreshes. Either way Graph gets one more try (H5).
                var (refreshed, failure) = await AcquireTokenAsync(app, active, returnUrl, forceRefresh: true, e.Claims, correlationId, cancellationToken);
                return failure is not null
                    ? (null, await folders, failure, true)
                    : (await MessagesAsync(mailbox, refreshed!, query, correlationId, cancellationToken), await folders, null, false);
            }
        }
        catch (Exception e) when (GraphFailure.Is(e))
        {
            return (null, await folders, new MailPageOutcome.Failed(GraphError(e, query, correlationId)), false);
        }
    }

    /// <summary>
    /// A token from the session's cache, refreshed by MSAL when due; or the outcome to give instead, Ended when the
    /// session had to end (the identity platform being down ends nothing).
    /// </summary>
    /// <param name="claims">A claims challenge from Graph the token must satisfy (MSAL then skips its cache), or null.</param>
    private async Task<(string? AccessToken, MailPageOutcome? Failure)> AcquireTokenAsync(
        MsalSession app, ActiveSession active, string returnUrl, bool forceRefresh, string? claims, Guid correlationId, CancellationToken cancellationToken)
    {
        var session = active.Session;

        // One refresh at a time per session: a request that waited here finds the cache the one before it refreshed.
        using var turn = await tokens.TurnAsync(session.Id, cancellationToken);
        if (tokens.SharedSince(session.Id, session.ETag) is { } shared)
        {
            app.Slot.Adopt(shared);
        }
        else if (tokens.FailedSince(session.Id, session.ETag))
        {
            return (null, new MailPageOutcome.Failed(new(Problem.SignInServiceUnavailable)));
        }

        try
        {
            var account = await app.Client.GetAccountAsync(session.HomeAccountId);
            if (account is null)
            {
                // No tokens, or a cache MSAL could not read (MsalClientFactory leaves it empty then): sign in again (H4).
                await gate.EndAsync(session.Id, app.Slot.Unreadable ? "token cache unreadable" : "no account in the token cache", cancellationToken);
                return (null, new MailPageOutcome.SignInRequired(returnUrl) { Ended = true });
            }

            var silent = app.Client.AcquireTokenSilent(MsalClientFactory.Scopes, account)
                .WithForceRefresh(forceRefresh)
                .WithCorrelationId(correlationId);
            var result = await (claims is null ? silent : silent.WithClaims(claims)).ExecuteAsync(cancellationToken);
            if (app.Slot is { Changed: true, Data: { } refreshed })
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
                ? new MailPageOutcome.Failed(new(Problem.SignInLoop)) { Ended = true }
                : new MailPageOutcome.SignInRequired(returnUrl, claims) { Ended = true });
        }
        catch (MsalServiceException e) when (!cancellationToken.IsCancellationRequested)
        {
            // MSAL already retried the token endpoint once; stacking more retries here would only delay the page (checklist E2),
            // and the requests waiting behind this one get the same answer at once.
            MailLog.TokenEndpointFailed(logger, e.ErrorCode, e.StatusCode, correlationId);
            tokens.ShareFailure(session.Id, session.ETag);
            return (null, new MailPageOutcome.Failed(new(Problem.SignInServiceUnavailable)));
        }
    }

    /// <summary>One of the mailbox's four Graph slots, then the messages (Graph throttles a fifth concurrent request).</summary>
    private async Task<GraphMessagePage> MessagesAsync(string mailbox, string accessToken, MessageQuery query, Guid correlationId, CancellationToken cancellationToken)
    {
        using var slot = await tokens.GraphSlotAsync(mailbox, cancellationToken);
        return await graph.GetMessagesAsync(accessToken, query, correlationId, cancellationToken);
    }

    private async Task<GraphFolderList?> TryGetFoldersAsync(string mailbox, string accessToken, Guid correlationId, CancellationToken cancellationToken)
    {
        try
        {
            using var slot = await tokens.GraphSlotAsync(mailbox, cancellationToken);
            return await graph.GetFoldersAsync(accessToken, correlationId, cancellationToken);
        }
        catch (Exception e) when (GraphFailure.Is(e))
        {
            // The picker falls back to the well-known folders; the messages matter more.
            return null;
        }
    }

    private Failure GraphError(Exception e, MessageQuery query, Guid correlationId)
    {
        var status = (e as GraphException)?.Status;
        var code = (e as GraphException)?.Code;
        MailLog.GraphFailed(logger, GraphFailure.Status(e), code ?? "", correlationId);
        return (status, code) switch
        {
            // A work account without an Exchange Online licence, an on-premises or an inactive mailbox (Graph: 404).
            (_, "MailboxNotEnabledForRESTAPI") => new(Problem.NoMailbox),
            (_, "ErrorItemNotFound") => new(Problem.FolderNotFound),
            (_, "InefficientFilter") => new(Problem.QueryTooComplex),

            // Graph answers 400 for a $skiptoken it does not know (a forged or stale "next" link).
            (HttpStatusCode.BadRequest, _) when query.Next is not null => new(Problem.PageLinkExpired, ActionUrl: MailPageView.Url(query with { Next = null })),

            // Graph answers 404 for a folder that is gone and 400 for an id that was never valid.
            (HttpStatusCode.NotFound or HttpStatusCode.BadRequest, _) => new(Problem.FolderNotFound),

            // ErrorAccessDenied, on a mail call, is a token without Mail.Read: consent was not given or was withdrawn.
            (HttpStatusCode.Forbidden, _) => new(Problem.MailAccessDenied),
            (HttpStatusCode.TooManyRequests, _) => new(Problem.GraphBusy, ActionUrl: MailPageView.Url(query), RetryAfter: ((GraphException)e).RetryAfter),
            _ => new(Problem.GraphUnavailable),
        };
    }

    /// <summary>The $skiptoken of Graph's next page of search results; a link in a form FuncMail does not accept ends the paging.</summary>
    private string? NextSkipToken(GraphMessagePage page)
    {
        var token = GraphNextLink.SkipToken(page.NextLink, graphOptions.Value.BaseUrl);
        if (token is null && page.NextLink is not null)
        {
            MailLog.ContinuationRejected(logger);
        }

        return token;
    }
}

/// <summary>The per-request MSAL client and the cache slot it reads and writes.</summary>
internal sealed record MsalSession(IConfidentialClientApplication Client, TokenCacheSlot Slot);
