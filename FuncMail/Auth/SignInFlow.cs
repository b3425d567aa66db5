using FuncMail.Mail;
using FuncMail.Sessions;
using FuncMail.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Client;

namespace FuncMail.Auth;

/// <summary>The OAuth 2.0 authorization-code flow with PKCE: SignIn starts it, GetToken completes it (checklist A1-A10).</summary>
public sealed class SignInFlow(
    MsalClientFactory msal,
    SignInTransactionStore transactions,
    SessionStore sessions,
    SessionCookies cookies,
    IdTokenCheck idTokens,
    GraphMailClient graph,
    TimeProvider time,
    IOptions<SessionOptions> sessionOptions,
    ILogger<SignInFlow> logger)
{
    /// <summary>Stores a one-time transaction (one write, no read), binds it to this browser and redirects to the authorize URL MSAL builds.</summary>
    /// <param name="claims">The claims of a challenge the sign-in must answer (already validated), or null.</param>
    public async Task<IActionResult> StartAsync(HttpContext context, string? returnUrl, string? claims, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();

        // A browser that already has a fresh pre-auth cookie keeps its partition and takes its next slot (at most three
        // sign-ins open per browser, each tab its own); any other gets a new partition.
        var (browserId, slot) = cookies.TryReadSignIn(context.Request, out var preAuth) && preAuth.IssuedAt + SessionCookies.SignInLifetime > now
            ? (preAuth.BrowserId, preAuth.NextSlot % SignInTransactionStore.SlotsPerBrowser)
            : (CookieSigner.NewId(), 0);
        var state = CookieSigner.NewId();
        var nonce = CookieSigner.NewId();

        Uri authorizeUrl;
        string verifier;
        try
        {
            // On a cold instance MSAL first fetches the authority's metadata, so this can meet an Entra outage.
            var request = msal.Create(new TokenCacheSlot(null, null))
                .GetAuthorizationRequestUrl(MsalClientFactory.Scopes)
                .WithPkce(out verifier)
                .WithExtraQueryParameters(new Dictionary<string, (string, bool)> { ["state"] = (state, false), ["nonce"] = (nonce, false) });
            authorizeUrl = await (claims is null ? request : request.WithClaims(claims)).ExecuteAsync(cancellationToken);
        }
        catch (MsalServiceException e) when (!cancellationToken.IsCancellationRequested)
        {
            AuthLog.IdentityPlatformFailed(logger, e.ErrorCode, e.StatusCode, Correlation.Get(context));
            return Responses.Unavailable(context, "Microsoft sign-in");
        }

        await transactions.SaveAsync(
            new SignInTransaction(browserId, slot, state, verifier, nonce, ReturnUrl.Sanitize(returnUrl), now + SessionCookies.SignInLifetime) { ForClaims = claims is not null },
            cancellationToken);

        cookies.WriteSignIn(context.Response, browserId, (slot + 1) % SignInTransactionStore.SlotsPerBrowser);
        AuthLog.SignInStarted(logger);
        return new RedirectResult(authorizeUrl.AbsoluteUri);
    }

    /// <summary>The redirect URI: check state, consume the transaction, redeem the code, check the ID token, start a new session.</summary>
    public async Task<IActionResult> CompleteAsync(HttpContext context, CallbackParameters callback, CancellationToken cancellationToken)
    {

        var transaction = callback.State is not null && cookies.TryReadSignIn(context.Request, out var preAuth)
            ? await transactions.ConsumeAsync(preAuth.BrowserId, callback.State, cancellationToken)
            : null;
        if (transaction is null || transaction.ExpiresAt < time.GetUtcNow())
        {
            AuthLog.CallbackRejected(logger, transaction is null ? "no open sign-in transaction for this browser and state" : "expired");

            // A repeated callback from a signed-in browser goes back to the mail; anything else starts over (checklist A1, A6).
            // The pre-auth cookie stays: it may belong to a sign-in still in progress in another tab.
            return cookies.TryReadSession(context.Request, out _)
                ? Responses.Redirect(ReturnUrl.Default)
                : Responses.SignIn(transaction?.ReturnUrl);
        }

        // The transaction is consumed, so the pre-auth cookie goes too (checklist B5).
        SessionCookies.ExpireSignIn(context.Response);
        if (callback.Error is not null)
        {
            AuthLog.AuthorizationError(logger, KnownErrors.Contains(callback.Error) ? callback.Error : "(unrecognised)");
            return AuthorizationErrorPage(context, callback.Error);
        }

        if (string.IsNullOrEmpty(callback.Code))
        {
            AuthLog.CallbackRejected(logger, "no code");
            return Responses.Error(context, StatusCodes.Status400BadRequest, "Sign-in did not finish", "Microsoft sent FuncMail back without a sign-in code. Please sign in again.", "Sign in again", "/api/SignIn");
        }

        var correlationId = Correlation.Get(context);
        var slot = new TokenCacheSlot(null, null);
        AuthenticationResult result;
        try
        {
            result = await msal.Create(slot)
                .AcquireTokenByAuthorizationCode(MsalClientFactory.Scopes, callback.Code)
                .WithPkceCodeVerifier(transaction.CodeVerifier)
                .WithCorrelationId(correlationId)
                .ExecuteAsync(cancellationToken);
        }
        catch (MsalUiRequiredException e)
        {
            // invalid_grant: a replayed or expired code, or a wrong verifier. Start over, never a 500 (checklist A6).
            AuthLog.InteractionRequired(logger, e.ErrorCode, correlationId);
            return Responses.SignIn(transaction.ReturnUrl);
        }
        catch (MsalServiceException e) when (!cancellationToken.IsCancellationRequested)
        {
            AuthLog.IdentityPlatformFailed(logger, e.ErrorCode, e.StatusCode, correlationId);
            return Responses.Unavailable(context, "Microsoft sign-in");
        }

        if (idTokens.Failure(result.ClaimsPrincipal, transaction.Nonce) is { } claim)
        {
            // Nothing is stored: the tokens in `slot` are dropped with it (checklist A3, A5).
            AuthLog.IdTokenRejected(logger, claim, correlationId);
            return Responses.Error(context, StatusCodes.Status400BadRequest, "Sign-in could not be verified", "The answer from Microsoft sign-in did not match this sign-in. Please sign in again.", "Sign in again", "/api/SignIn");
        }

        // A new session id at every sign-in; any session this browser held is destroyed (checklist B6).
        if (cookies.TryReadSession(context.Request, out var previous))
        {
            await sessions.DeleteAsync(previous.Id, cancellationToken);
        }

        // Read once per sign-in, in parallel, and kept in the session: the mailbox's time zone and its well-known folders' ids.
        var timeZone = TryGetTimeZoneAsync(result.AccessToken, correlationId, cancellationToken);
        var wellKnownFolders = TryGetWellKnownFoldersAsync(result.AccessToken, correlationId, cancellationToken);
        var now = time.GetUtcNow();
        var session = new Session(
            CookieSigner.NewId(),
            result.Account.HomeAccountId.Identifier,
            result.ClaimsPrincipal?.FindFirst("name")?.Value ?? result.Account.Username,
            result.Account.Username,
            now,
            now,
            now + sessionOptions.Value.AbsoluteTimeout,
            slot.Data)
        {
            TimeZone = await timeZone,
            WellKnownFolderIds = await wellKnownFolders,
            SignedInForClaims = transaction.ForClaims,
            LogoutHint = result.ClaimsPrincipal?.FindFirst("login_hint")?.Value is { Length: <= 1024 } hint ? hint : null,
        };
        try
        {
            await sessions.CreateAsync(session, cancellationToken);
        }
        catch (TokenCacheTooLargeException)
        {
            // Nothing is stored; signing in again would only meet the same limit (checklist C4, H4).
            AuthLog.CallbackRejected(logger, "token cache too large to store");
            return Responses.Error(context, StatusCodes.Status500InternalServerError, "Sign-in could not be kept", "Microsoft sent FuncMail more tokens than it can keep for one session. Nothing was stored. Quote the support id below if you report it.");
        }

        cookies.WriteSession(context.Response, session.Id);
        AuthLog.SignedIn(logger, SessionLog.Hash(session.Id), correlationId);
        return Responses.Redirect(transaction.ReturnUrl);
    }

    /// <summary>Read once per sign-in and kept in the session; without it the mail page shows UTC and says so.</summary>
    private async Task<string?> TryGetTimeZoneAsync(string accessToken, Guid correlationId, CancellationToken cancellationToken)
    {
        try
        {
            return await graph.GetMailboxTimeZoneAsync(accessToken, correlationId, cancellationToken);
        }
        catch (Exception e) when (e is GraphException or HttpRequestException or Polly.Timeout.TimeoutRejectedException)
        {
            AuthLog.TimeZoneUnavailable(logger, (int?)(e as GraphException)?.Status ?? 0, correlationId);
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
        catch (Exception e) when (e is GraphException or HttpRequestException or Polly.Timeout.TimeoutRejectedException)
        {
            AuthLog.WellKnownFoldersUnavailable(logger, (int?)(e as GraphException)?.Status ?? 0, correlationId);
            return null;
        }
    }

    private static IActionResult AuthorizationErrorPage(HttpContext context, string error) => error switch
    {
        "access_denied" or "consent_required" => Responses.Error(context, StatusCodes.Status403Forbidden, "Sign-in was cancelled", "You cancelled sign-in, or FuncMail was not given permission to read your mail. Nothing was stored.", "Try again", "/api/SignIn"),
        "interaction_required" or "login_required" => Responses.Error(context, StatusCodes.Status401Unauthorized, "Please sign in again", "Microsoft needs you to sign in again.", "Sign in", "/api/SignIn"),
        "temporarily_unavailable" or "server_error" => Responses.Unavailable(context, "Microsoft sign-in"),
        _ => Responses.Error(context, StatusCodes.Status400BadRequest, "Sign-in failed", "Microsoft sign-in reported an error. Please try again; if it keeps happening, quote the support id below.", "Try again", "/api/SignIn"),
    };

    // Only these codes are logged verbatim; anything else in the query is the caller's text, not ours.
    private static readonly HashSet<string> KnownErrors =
        ["access_denied", "consent_required", "interaction_required", "login_required", "invalid_request", "unauthorized_client", "unsupported_response_type", "invalid_scope", "server_error", "temporarily_unavailable", "account_selection_required"];

}

/// <summary>The query parameters of the redirect back from the authorize endpoint; each is null when absent or repeated.</summary>
public sealed record CallbackParameters(string? Code, string? State, string? Error)
{
    public static CallbackParameters From(IQueryCollection query) => new(Single(query, "code"), Single(query, "state"), Single(query, "error"));

    // A duplicated parameter is an attack or a bug; treat it as missing (checklist G1). error_description is never read, so never reflected (A7).
    private static string? Single(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var values) && values.Count == 1 && values[0] is { Length: > 0 and <= 4096 } value ? value : null;
}
