using System.Net;
using FuncMail.Auth;
using FuncMail.Pages;
using FuncMail.Sessions;
using FuncMail.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Client;
using Polly.Timeout;

namespace FuncMail.Mail;

/// <summary>The mail page: session, then a token from the cache (refreshed by MSAL when due), then Graph, then HTML.</summary>
public sealed class InboxService(
    SessionGate gate,
    SessionCookies cookies,
    MsalClientFactory msal,
    GraphMailClient graph,
    SessionTokens tokens,
    IOptions<GraphOptions> graphOptions,
    TimeProvider time,
    ILogger<InboxService> logger)
{
    public const string Path = "/api/Mail";

    /// <summary>A session this young that already needs interaction again would only loop through sign-in (checklist E3).</summary>
    internal static readonly TimeSpan LoopWindow = TimeSpan.FromMinutes(2);

    public async Task<IActionResult> ShowAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var returnUrl = Path + context.Request.QueryString.Value;
        if (MessageQuery.TryParse(context.Request.Query, graphOptions.Value.PageSize, out var invalid) is not { } query)
        {
            return Responses.BadRequest(context, invalid!);
        }

        if (await gate.FindAsync(context, cancellationToken) is not { } active)
        {
            return Responses.SignIn(returnUrl);
        }

        var session = active.Session;
        var correlationId = Correlation.Get(context);
        var slot = new TokenCacheSlot(session.TokenCache, session.HomeAccountId);
        var app = new MsalSession(msal.Create(slot), slot);
        var (accessToken, failure) = await AcquireTokenAsync(context, app, active, returnUrl, forceRefresh: false, claims: null, correlationId, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        var (page, folderList, graphFailure, tokenFailed) = await LoadAsync(context, app, active, query, accessToken!, returnUrl, correlationId, cancellationToken);

        // Save a refreshed cache (or renew the idle clock) whether or not Graph answered; not after a failed forced refresh
        // (that ended the session, or the identity platform is down and nothing changed).
        if (!tokenFailed && !await gate.TouchAsync(context, active, slot.Data, slot.Changed, cancellationToken))
        {
            return Responses.SignIn(returnUrl);
        }

        if (graphFailure is not null)
        {
            return graphFailure;
        }

        var (zone, isUtcFallback) = InboxView.Zone(session.TimeZone);
        var (newer, older) = InboxView.Paging(query, page!, NextSkipToken(page!));
        var model = new MailModel(
            session.DisplayName,
            session.Username,
            cookies.SignOutToken(session.Id),
            InboxView.FolderName(folderList?.Folders, query.Folder, session.WellKnownFolderIds),
            query.Folder,
            query.Search,
            query.PageSize,
            InboxView.Rows(page!.Value, zone, time.GetUtcNow()),
            InboxView.Folders(folderList?.Folders, query, session.WellKnownFolderIds),
            folderList is { Truncated: true } ? $"The first {folderList.Folders.Count} top-level folders; folders inside folders are not listed." : "Top-level folders; folders inside folders are not listed.",
            isUtcFallback ? "Times are in UTC: FuncMail could not read your mailbox's time zone." : $"Times are in your mailbox's time zone: {zone.DisplayName}.",
            newer,
            older);
        return new PageResult(MailPage.Create(model));
    }

    /// <summary>
    /// The folder's messages and the folder list, in parallel (within Graph's limit of four concurrent requests per
    /// mailbox); or the page to show instead. A 401 on the messages forces one token refresh: the cached access token
    /// was revoked early (password reset, admin revoke), and if the refresh token is dead too that ends in re-sign-in.
    /// </summary>
    private async Task<(GraphMessagePage? Page, GraphFolderList? Folders, IActionResult? Failure, bool TokenFailed)> LoadAsync(
        HttpContext context, MsalSession app, ActiveSession active, MessageQuery query, string accessToken, string returnUrl, Guid correlationId, CancellationToken cancellationToken)
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
                var (refreshed, failure) = await AcquireTokenAsync(context, app, active, returnUrl, forceRefresh: true, e.Claims, correlationId, cancellationToken);
                return failure is not null
                    ? (null, await folders, failure, true)
                    : (await MessagesAsync(mailbox, refreshed!, query, correlationId, cancellationToken), await folders, null, false);
            }
        }
        catch (Exception e) when (e is GraphException or HttpRequestException or TimeoutRejectedException)
        {
            return (null, await folders, GraphErrorPage(context, e, query, correlationId), false);
        }
    }

    /// <summary>A token from the session's cache, refreshed by MSAL when due; or the response to give instead (the session then has ended).</summary>
    /// <param name="claims">A claims challenge from Graph the token must satisfy (MSAL then skips its cache), or null.</param>
    private async Task<(string? AccessToken, IActionResult? Failure)> AcquireTokenAsync(
        HttpContext context, MsalSession app, ActiveSession active, string returnUrl, bool forceRefresh, string? claims, Guid correlationId, CancellationToken cancellationToken)
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
            return (null, Responses.Unavailable(context, "Microsoft sign-in"));
        }

        try
        {
            var account = await app.Client.GetAccountAsync(session.HomeAccountId);
            if (account is null)
            {
                // No tokens, or a cache MSAL could not read (MsalClientFactory leaves it empty then): sign in again (H4).
                await gate.EndAsync(context, session.Id, app.Slot.Unreadable ? "token cache unreadable" : "no account in the token cache", cancellationToken);
                return (null, Responses.SignIn(returnUrl));
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
            await gate.EndAsync(context, session.Id, claims is null ? "refresh token rejected" : "claims challenge needs interaction", cancellationToken);
            var young = time.GetUtcNow() - session.CreatedAt < LoopWindow;
            return (null, young && (claims is null || session.SignedInForClaims)
                ? Responses.Error(context, StatusCodes.Status401Unauthorized, "Sign-in keeps being asked for", "You signed in moments ago, but Microsoft asks for sign-in again. Your organization may require something FuncMail cannot do silently. Try again, or contact your administrator with the support id below.", "Sign in again", "/api/SignIn")
                : Responses.SignIn(returnUrl, claims));
        }
        catch (MsalServiceException e) when (!cancellationToken.IsCancellationRequested)
        {
            // MSAL already retried the token endpoint once; stacking more retries here would only delay the page (checklist E2),
            // and the requests waiting behind this one get the same answer at once.
            MailLog.TokenEndpointFailed(logger, e.ErrorCode, e.StatusCode, correlationId);
            tokens.ShareFailure(session.Id, session.ETag);
            return (null, Responses.Unavailable(context, "Microsoft sign-in"));
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
        catch (Exception e) when (e is GraphException or HttpRequestException or TimeoutRejectedException)
        {
            // The picker falls back to the well-known folders; the messages matter more.
            return null;
        }
    }

    private IActionResult GraphErrorPage(HttpContext context, Exception e, MessageQuery query, Guid correlationId)
    {
        var status = (e as GraphException)?.Status;
        var code = (e as GraphException)?.Code;
        MailLog.GraphFailed(logger, (int?)status ?? 0, code ?? "", correlationId);
        return (status, code) switch
        {
            // A work account without an Exchange Online licence, an on-premises or an inactive mailbox (Graph: 404).
            (_, "MailboxNotEnabledForRESTAPI") =>
                Responses.Error(context, StatusCodes.Status403Forbidden, "This account has no mailbox FuncMail can read", "Microsoft says your account has no Exchange Online mailbox: it may have no Exchange Online licence, or its mailbox is on-premises or inactive. Ask your administrator, or sign in with another account.", "Sign in with another account", "/api/SignIn"),
            (_, "ErrorItemNotFound") =>
                Responses.Error(context, StatusCodes.Status404NotFound, "That folder doesn't exist", "The folder may have been deleted or moved. Pick another one from your inbox.", "Go to the inbox", Path),
            (_, "InefficientFilter") =>
                Responses.Error(context, StatusCodes.Status400BadRequest, "Microsoft Graph could not run that query", "Your mailbox found this list too complex to sort. Try the folder again, or a simpler search.", "Go to the inbox", Path),

            // Graph answers 400 for a $skiptoken it does not know (a forged or stale "next" link).
            (HttpStatusCode.BadRequest, _) when query.Next is not null =>
                Responses.Error(context, StatusCodes.Status400BadRequest, "That page link is no longer valid", "Start again from the first page of your search.", "Search again", InboxView.Url(query with { Next = null })),

            // Graph answers 404 for a folder that is gone and 400 for an id that was never valid.
            (HttpStatusCode.NotFound or HttpStatusCode.BadRequest, _) =>
                Responses.Error(context, StatusCodes.Status404NotFound, "That folder doesn't exist", "The folder may have been deleted or renamed. Pick another one from your inbox.", "Go to the inbox", Path),
            // ErrorAccessDenied, on a mail call, is a token without Mail.Read: consent was not given or was withdrawn.
            (HttpStatusCode.Forbidden, _) =>
                Responses.Error(context, StatusCodes.Status403Forbidden, "FuncMail may not read this mailbox", "Microsoft Graph refused access. Sign in again and accept the permissions FuncMail asks for, or ask your administrator to grant them.", "Sign in again", "/api/SignIn"),
            (HttpStatusCode.TooManyRequests, _) =>
                Responses.Error(context, StatusCodes.Status429TooManyRequests, "Microsoft Graph is busy", $"Too many requests for your mailbox right now. Try again in {RetrySeconds(((GraphException)e).RetryAfter)} seconds.", "Try again", InboxView.Url(query)),
            _ => Responses.Unavailable(context, "Microsoft Graph"),
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

    private static int RetrySeconds(TimeSpan? retryAfter) => (int)Math.Clamp(Math.Ceiling((retryAfter ?? TimeSpan.FromSeconds(30)).TotalSeconds), 1, 3600);
}

/// <summary>The per-request MSAL client and the cache slot it reads and writes.</summary>
internal sealed record MsalSession(IConfidentialClientApplication Client, TokenCacheSlot Slot);
