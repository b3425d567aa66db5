using FuncMail.Sessions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Client;

namespace FuncMail.Auth;

/// <summary>How a SignIn ends: off to Entra's authorize endpoint, or a page saying why not.</summary>
public abstract record SignInStart
{
    /// <summary>The browser goes to <paramref name="AuthorizeUrl"/>; the edge binds the sign-in to it with a pre-auth cookie naming the browser's partition and its next slot.</summary>
    public sealed record ToEntra(Uri AuthorizeUrl, string BrowserId, int NextSlot) : SignInStart;

    public sealed record Failed(Failure Failure) : SignInStart;
}

/// <summary>How the redirect back from Entra ends.</summary>
public abstract record SignInCompletion
{
    /// <summary>No open sign-in of this browser matches (a replay, another browser's callback, an expired one): nothing was consumed.</summary>
    public sealed record Unmatched(bool AlreadySignedIn, string? ReturnUrl) : SignInCompletion;

    /// <summary>A new session; the edge sets its cookie and sends the browser to <paramref name="ReturnUrl"/>.</summary>
    public sealed record SignedIn(string SessionId, string ReturnUrl) : SignInCompletion;

    /// <summary>The code could not be redeemed (replayed, expired): sign in again, back to <paramref name="ReturnUrl"/>.</summary>
    public sealed record StartOver(string ReturnUrl) : SignInCompletion;

    public sealed record Failed(Failure Failure) : SignInCompletion;

    /// <summary>Whether the sign-in transaction was used up, so that the pre-auth cookie goes too (checklist B5).</summary>
    public bool ConsumedTransaction => this is not Unmatched;
}

/// <summary>The OAuth 2.0 authorization-code flow with PKCE: SignIn starts it, GetToken completes it (checklist A1-A10).</summary>
public sealed class SignInFlow(
    MsalClientFactory msal,
    SignInTransactionStore transactions,
    SessionStore sessions,
    SessionTokens tokens,
    SessionLifetime lifetime,
    IdTokenCheck idTokens,
    IMailboxProfile mailbox,
    TimeProvider time,
    ILogger<SignInFlow> logger)
{
    /// <summary>Stores a one-time transaction (one write, no read) in the browser's partition and asks MSAL for the authorize URL.</summary>
    /// <param name="preAuth">The browser's verified pre-auth cookie, if it has one.</param>
    /// <param name="claims">The claims of a challenge the sign-in must answer (already validated), or null.</param>
    public async Task<SignInStart> StartAsync(PreAuth? preAuth, string? returnUrl, string? claims, Guid correlationId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();

        // A browser that already has a fresh pre-auth cookie keeps its partition and takes its next slot (at most three
        // sign-ins open per browser, each tab its own); any other gets a new partition.
        var (browserId, slot) = preAuth is { } cookie && cookie.IssuedAt + PreAuth.Lifetime > now
            ? (cookie.BrowserId, cookie.NextSlot % SignInTransactionStore.SlotsPerBrowser)
            : (SecureIds.New(), 0);
        var state = SecureIds.New();
        var nonce = SecureIds.New();

        Uri authorizeUrl;
        string verifier;
        try
        {
            // On a cold instance MSAL first fetches the authority's metadata, so this can meet an Entra outage.
            var request = msal.Create(new TokenCacheSlot(null, null)).App
                .GetAuthorizationRequestUrl(MsalClientFactory.Scopes)
                .WithPkce(out verifier)
                .WithExtraQueryParameters(new Dictionary<string, (string, bool)> { ["state"] = (state, false), ["nonce"] = (nonce, false) });
            authorizeUrl = await (claims is null ? request : request.WithClaims(claims)).ExecuteAsync(cancellationToken);
        }
        catch (MsalServiceException e) when (!cancellationToken.IsCancellationRequested)
        {
            AuthLog.IdentityPlatformFailed(logger, e.ErrorCode, e.StatusCode, correlationId);
            return new SignInStart.Failed(new(Problem.SignInServiceUnavailable));
        }

        await transactions.SaveAsync(
            new SignInTransaction(browserId, slot, state, verifier, nonce, ReturnUrl.Sanitize(returnUrl), now + PreAuth.Lifetime) { ForClaims = claims is not null },
            cancellationToken);
        AuthLog.SignInStarted(logger);
        return new SignInStart.ToEntra(authorizeUrl, browserId, (slot + 1) % SignInTransactionStore.SlotsPerBrowser);
    }

    /// <summary>The redirect URI: check state, consume the transaction, redeem the code, check the ID token, start a new session.</summary>
    /// <param name="preAuth">The browser's verified pre-auth cookie, if it has one: only its own transactions can match.</param>
    /// <param name="previousSession">The session this browser already has, if any: a sign-in replaces it (checklist B6).</param>
    public async Task<SignInCompletion> CompleteAsync(CallbackParameters callback, PreAuth? preAuth, string? previousSession, Guid correlationId, CancellationToken cancellationToken)
    {
        var transaction = callback.State is not null && preAuth is { } cookie
            ? await transactions.ConsumeAsync(cookie.BrowserId, callback.State, cancellationToken)
            : null;
        if (transaction is null || transaction.ExpiresAt < time.GetUtcNow())
        {
            AuthLog.CallbackRejected(logger, transaction is null ? "no open sign-in transaction for this browser and state" : "expired");

            // A repeated callback from a signed-in browser goes back to the mail; anything else starts over (checklist A1, A6).
            // The pre-auth cookie stays: it may belong to a sign-in still in progress in another tab.
            return new SignInCompletion.Unmatched(previousSession is not null, transaction?.ReturnUrl);
        }

        if (callback.Error is not null)
        {
            AuthLog.AuthorizationError(logger, KnownErrors.Contains(callback.Error) ? callback.Error : "(unrecognised)");
            return new SignInCompletion.Failed(new(AuthorizationError(callback.Error)));
        }

        if (string.IsNullOrEmpty(callback.Code))
        {
            AuthLog.CallbackRejected(logger, "no code");
            return new SignInCompletion.Failed(new(Problem.SignInWithoutCode));
        }

        var slot = new TokenCacheSlot(null, null);
        AuthenticationResult result;
        try
        {
            result = await msal.Create(slot).App
                .AcquireTokenByAuthorizationCode(MsalClientFactory.Scopes, callback.Code)
                .WithPkceCodeVerifier(transaction.CodeVerifier)
                .WithCorrelationId(correlationId)
                .ExecuteAsync(cancellationToken);
        }
        catch (MsalUiRequiredException e)
        {
            // invalid_grant: a replayed or expired code, or a wrong verifier. Start over, never a 500 (checklist A6).
            AuthLog.InteractionRequired(logger, e.ErrorCode, correlationId);
            return new SignInCompletion.StartOver(transaction.ReturnUrl);
        }
        catch (MsalServiceException e) when (!cancellationToken.IsCancellationRequested)
        {
            AuthLog.IdentityPlatformFailed(logger, e.ErrorCode, e.StatusCode, correlationId);
            return new SignInCompletion.Failed(new(Problem.SignInServiceUnavailable));
        }

        if (idTokens.Failure(result.ClaimsPrincipal, transaction.Nonce) is { } claim)
        {
            // Nothing is stored: the tokens in `slot` are dropped with it (checklist A3, A5).
            AuthLog.IdTokenRejected(logger, claim, correlationId);
            return new SignInCompletion.Failed(new(Problem.SignInNotVerified));
        }

        // A new session id at every sign-in; any session this browser held is destroyed (checklist B6).
        if (previousSession is not null)
        {
            tokens.Forget(previousSession);
            await sessions.DeleteAsync(previousSession, cancellationToken);
        }

        // Read once per sign-in and kept in the session: the mailbox's time zone and its well-known folders' ids.
        var profile = await mailbox.ReadAsync(result.AccessToken, correlationId, cancellationToken);
        var now = time.GetUtcNow();
        var session = new Session
        {
            Id = SecureIds.New(),
            HomeAccountId = result.Account.HomeAccountId.Identifier,
            DisplayName = result.ClaimsPrincipal?.FindFirst("name")?.Value ?? result.Account.Username,
            Username = result.Account.Username,
            CreatedAt = now,
            LastSeenAt = now,
            ExpiresAt = lifetime.AbsoluteEnd(now),
            TokenCache = slot.Data,
            TimeZone = profile.TimeZone,
            WellKnownFolderIds = profile.WellKnownFolderIds,
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
            return new SignInCompletion.Failed(new(Problem.TokenCacheTooLarge));
        }

        AuthLog.SignedIn(logger, SessionLog.Hash(session.Id), correlationId);
        return new SignInCompletion.SignedIn(session.Id, transaction.ReturnUrl);
    }

    private static Problem AuthorizationError(string error) => error switch
    {
        "access_denied" or "consent_required" => Problem.SignInCancelled,
        "interaction_required" or "login_required" => Problem.SignInAgain,
        "temporarily_unavailable" or "server_error" => Problem.SignInServiceUnavailable,
        _ => Problem.SignInFailed,
    };

    // Only these codes are logged verbatim; anything else in the query is the caller's text, not ours.
    private static readonly HashSet<string> KnownErrors =
        ["access_denied", "consent_required", "interaction_required", "login_required", "invalid_request", "unauthorized_client", "unsupported_response_type", "invalid_scope", "server_error", "temporarily_unavailable", "account_selection_required"];

}

/// <summary>
/// The query parameters of the redirect back from the authorize endpoint; each is null when absent or repeated
/// (checklist G1). error_description is never read, so never reflected (A7).
/// </summary>
public sealed record CallbackParameters(string? Code, string? State, string? Error);
