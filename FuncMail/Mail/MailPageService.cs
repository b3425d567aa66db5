using System.Net;
using FuncMail.Auth;
using FuncMail.Sessions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FuncMail.Mail;

/// <summary>The mail page: session, then a token from the cache (refreshed by MSAL when due), then Graph, then the page's model.</summary>
public sealed class MailPageService(
    MailboxAccess mailbox,
    SignOutTokens signOutTokens,
    GraphMailClient graph,
    IOptions<GraphOptions> graphOptions,
    TimeProvider time,
    ILogger<MailPageService> logger)
{
    /// <summary>The page's query, checked before anything else (a bad one costs no cookie check, no Table read and no Graph call); null with the message to show.</summary>
    /// <param name="single">A parameter's value, by the edge's one rule for a single value.</param>
    public MessageQuery? TryParse(Func<string, string?> single, out string? error) =>
        MessageQuery.TryParse(single, graphOptions.Value.PageSize, out error);

    /// <param name="returnUrl">This page's own URL, to come back to after a sign-in.</param>
    /// <param name="cookie">The request's verified session cookie, or null.</param>
    public async Task<MailOutcome> ShowAsync(MessageQuery request, string returnUrl, SignedId? cookie, Guid correlationId, CancellationToken cancellationToken)
    {
        var (call, closed) = await mailbox.OpenAsync(cookie, returnUrl, correlationId, cancellationToken);
        if (call is null)
        {
            return closed!;
        }

        var (page, folderList, graphFailure, tokenFailed) = await LoadAsync(call, request, returnUrl, correlationId, cancellationToken);

        // Save a refreshed cache (or renew the idle clock) whether or not Graph answered; not after a failed forced refresh
        // (that ended the session, or the identity platform is down and nothing changed).
        if (!tokenFailed && !await mailbox.SaveAsync(call, cancellationToken))
        {
            return new MailOutcome.SignInRequired(returnUrl) { Ended = true };
        }

        if (graphFailure is not null)
        {
            // A failed forced refresh says itself whether the session ended; after any other Graph failure it was kept and saved.
            return tokenFailed ? graphFailure : graphFailure with { Kept = call.Active };
        }

        var session = call.Session;
        var (zone, isUtcFallback) = MailPageView.Zone(session.TimeZone);
        // A folder pages by offset; only a search follows Graph's $skiptoken.
        var (newer, older) = MailPageView.Paging(request, page!, request.IsSearch ? NextSkipToken(page!) : null);
        return new MailOutcome.Shown<MailModel>(new MailModel
        {
            DisplayName = session.DisplayName,
            Username = session.Username,
            SignOutToken = signOutTokens.For(session.Id),
            FolderName = MailPageView.FolderName(folderList?.Folders, request.Folder, session.WellKnownFolderIds),
            Folder = request.Folder,
            Search = request.Search,
            PageSize = request.PageSize,
            Messages = MailPageView.Rows(page!.Value, request, zone, time.GetUtcNow()),
            Folders = MailPageView.Folders(folderList?.Folders, request, session.WellKnownFolderIds),
            FoldersNote = folderList is { Truncated: true } ? $"The first {folderList.Folders.Count} top-level folders; folders inside folders are not listed." : "Top-level folders; folders inside folders are not listed.",
            TimeZoneNote = isUtcFallback ? "Times are in UTC: FuncMail could not read your mailbox's time zone." : $"Times are in your mailbox's time zone: {zone.DisplayName}.",
            NewerUrl = newer,
            OlderUrl = older,
        })
        {
            Kept = call.Active,
        };
    }

    /// <summary>
    /// The folder's messages and the folder list, in parallel (within Graph's limit of four concurrent requests per
    /// mailbox); or the page to show instead. A 401 on the messages forces one token refresh: the cached access token
    /// was revoked early (password reset, admin revoke), and if the refresh token is dead too that ends in re-sign-in.
    /// </summary>
    private async Task<(GraphMessagePage? Page, GraphFolderList? Folders, MailOutcome? Failure, bool TokenFailed)> LoadAsync(
        MailboxCall call, MessageQuery query, string returnUrl, Guid correlationId, CancellationToken cancellationToken)
    {
        var folders = TryGetFoldersAsync(call, correlationId, cancellationToken);
        try
        {
            try
            {
                return (await MessagesAsync(call, query, correlationId, cancellationToken), await folders, null, false);
            }
            catch (GraphException e) when (e.Status == HttpStatusCode.Unauthorized)
            {
                // One silent retry, answering a claims challenge if Graph sent one (H5).
                var failure = await mailbox.RefreshAsync(call, returnUrl, e.Claims, correlationId, cancellationToken);
                return failure is not null
                    ? (null, await folders, failure, true)
                    : (await MessagesAsync(call, query, correlationId, cancellationToken), await folders, null, false);
            }
        }
        catch (Exception e) when (GraphFailure.Is(e))
        {
            return (null, await folders, new MailOutcome.Failed(GraphError(e, query, correlationId)), false);
        }
    }

    /// <summary>The folder's messages (Graph throttles a fifth concurrent request per mailbox, so each call takes a slot).</summary>
    private Task<GraphMessagePage> MessagesAsync(MailboxCall call, MessageQuery query, Guid correlationId, CancellationToken cancellationToken) =>
        mailbox.InSlotAsync(call, (c, ct) => graph.GetMessagesAsync(c.AccessToken, query, correlationId, ct), cancellationToken);

    private async Task<GraphFolderList?> TryGetFoldersAsync(MailboxCall call, Guid correlationId, CancellationToken cancellationToken)
    {
        // Read before any refresh: the picker uses the token the request started with.
        var accessToken = call.AccessToken;
        try
        {
            return await mailbox.InSlotAsync(call, (_, ct) => graph.GetFoldersAsync(accessToken, correlationId, ct), cancellationToken);
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
