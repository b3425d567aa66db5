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

namespace FuncMail.Mail;

/// <summary>The mail page: session, then a token from the cache (refreshed by MSAL when due), then Graph, then HTML.</summary>
public sealed class InboxService(
    SessionGate gate,
    SessionCookies cookies,
    MsalClientFactory msal,
    GraphMailClient graph,
    IOptions<GraphOptions> graphOptions,
    TimeProvider time,
    ILogger<InboxService> logger)
{
    public const string Path = "/api/Mail";

    /// <summary>A session this young that already needs interaction again would only loop through sign-in (checklist E3).</summary>
    internal static readonly TimeSpan LoopWindow = TimeSpan.FromMinutes(2);

    public async Task<IActionResult> ShowAsync(HttpContext context, CancellationToken cancellationToken)
    {
        if (await gate.FindAsync(context, cancellationToken) is not { } active)
        {
            return Responses.SignIn(Path);
        }

        var session = active.Session;
        var correlationId = Correlation.Get(context);
        var slot = new TokenCacheSlot(session.TokenCache, session.HomeAccountId);
        string accessToken;
        try
        {
            var app = msal.Create(slot);
            var account = await app.GetAccountAsync(session.HomeAccountId);
            if (account is null)
            {
                await gate.EndAsync(context, session.Id, "no account in the token cache", cancellationToken);
                return Responses.SignIn(Path);
            }

            var result = await app.AcquireTokenSilent(MsalClientFactory.Scopes, account)
                .WithCorrelationId(correlationId)
                .ExecuteAsync(cancellationToken);
            accessToken = result.AccessToken;
        }
        catch (MsalUiRequiredException e)
        {
            // The refresh token was revoked or expired: these tokens are useless, so the session goes and sign-in starts again.
            MailLog.SignInRequired(logger, e.ErrorCode, correlationId);
            await gate.EndAsync(context, session.Id, "refresh token rejected", cancellationToken);
            return time.GetUtcNow() - session.CreatedAt < LoopWindow
                ? Responses.Error(context, StatusCodes.Status401Unauthorized, "Sign-in keeps being asked for", "You signed in moments ago, but Microsoft asks for sign-in again. Your organization may require something FuncMail cannot do silently. Try again, or contact your administrator with the support id below.", "Sign in again", "/api/SignIn")
                : Responses.SignIn(Path);
        }
        catch (MsalServiceException e)
        {
            // MSAL already retried the token endpoint once; stacking more retries here would only delay the page (checklist E2).
            MailLog.TokenEndpointFailed(logger, e.ErrorCode, e.StatusCode, correlationId);
            return Responses.Unavailable(context, "Microsoft sign-in");
        }

        await gate.TouchAsync(context, active, slot.Data, slot.Changed, cancellationToken);

        GraphMessagePage page;
        try
        {
            page = await graph.GetInboxAsync(accessToken, graphOptions.Value.PageSize, correlationId, cancellationToken);
        }
        catch (GraphException e)
        {
            MailLog.GraphFailed(logger, (int)e.Status, correlationId);
            return e.Status == HttpStatusCode.TooManyRequests
                ? Responses.Error(context, StatusCodes.Status429TooManyRequests, "Microsoft Graph is busy", $"Too many requests for your mailbox right now. Try again in {Math.Max(1, (int)(e.RetryAfter ?? TimeSpan.FromSeconds(30)).TotalSeconds)} seconds.", "Try again", Path)
                : Responses.Unavailable(context, "Microsoft Graph");
        }
        catch (HttpRequestException)
        {
            MailLog.GraphFailed(logger, 0, correlationId);
            return Responses.Unavailable(context, "Microsoft Graph");
        }

        var rows = (page.Value ?? []).Select(m => new MessageRow(
            m.From?.EmailAddress?.Name ?? m.From?.EmailAddress?.Address ?? "(unknown sender)",
            m.From?.EmailAddress?.Address ?? "",
            string.IsNullOrWhiteSpace(m.Subject) ? "(no subject)" : m.Subject,
            m.ReceivedDateTime)).ToList();

        return new PageResult(MailPage.Create(new MailModel(session.DisplayName, session.Username, rows, cookies.SignOutToken(session.Id))));
    }
}
