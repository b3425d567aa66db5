using Azure;

namespace FuncMail.Sessions;

/// <summary>One signed-in browser: who it is, its lifetimes and its MSAL token cache (plain here, encrypted at rest).</summary>
public sealed record Session
{
    /// <summary>The row key and the id the cookie carries: a <see cref="SecureIds.New"/>, new at every sign-in (checklist B6).</summary>
    public required string Id { get; init; }

    /// <summary>MSAL's account identifier for the signed-in user (also the mailbox's key for Graph's concurrency slots).</summary>
    public required string HomeAccountId { get; init; }

    public required string DisplayName { get; init; }

    public required string Username { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The idle clock (<see cref="SessionLifetime"/>).</summary>
    public required DateTimeOffset LastSeenAt { get; init; }

    /// <summary>The absolute end (<see cref="SessionLifetime"/>).</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>MSAL's serialized token cache, plain; sealed at rest by <see cref="TokenCacheProtector"/>.</summary>
    public required byte[]? TokenCache { get; init; }

    /// <summary>The mailbox's time zone (Windows or IANA id) read once at sign-in; null means show UTC.</summary>
    public string? TimeZone { get; init; }

    /// <summary>
    /// The ID token's <c>login_hint</c> optional claim, when the app registration asks for it: sent to the end-session
    /// endpoint as <c>logout_hint</c>, so Microsoft signs this account out without asking which one.
    /// </summary>
    public string? LogoutHint { get; init; }

    /// <summary>The ids of the mailbox's well-known folders (inbox, sentitems, …), resolved once at sign-in; null when unknown.</summary>
    public IReadOnlyDictionary<string, string>? WellKnownFolderIds { get; init; }

    /// <summary>The session began with a sign-in that answered a claims challenge (checklist H5, E3).</summary>
    public bool SignedInForClaims { get; init; }

    /// <summary>The row as read, while its token cache is still sealed (SessionStore.GetSealedAsync).</summary>
    internal Azure.Data.Tables.TableEntity? Sealed { get; init; }

    /// <summary>The row's ETag when it was read; writes use it as If-Match (checklist C3).</summary>
    public ETag ETag { get; init; }
}
