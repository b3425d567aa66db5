namespace FuncMail.Auth;

/// <summary>
/// The serialized MSAL user cache of one session, in memory for one request. MSAL's cache hooks read and write
/// only this slot; the session service decides when the row is written, so a hook never does I/O.
/// </summary>
public sealed class TokenCacheSlot(byte[]? data, string? expectedHomeAccountId)
{
    private readonly string? _expected = expectedHomeAccountId;

    public byte[]? Data { get; private set; } = data;

    /// <summary>True once MSAL changed the cache (a refresh, or a redemption).</summary>
    public bool Changed { get; private set; }

    /// <summary>True when MSAL could not deserialize <see cref="Data"/>; MSAL then worked with an empty cache.</summary>
    public bool Unreadable { get; internal set; }

    /// <summary>The home account id MSAL wrote the cache for; one user per cache (checklist C2).</summary>
    public string? HomeAccountId { get; private set; } = expectedHomeAccountId;

    /// <summary>Takes a cache another request of this session just saved or refreshed; not a change of this request's own.</summary>
    public void Adopt(byte[] data) => Data = data;

    internal void Store(byte[]? data, string? homeAccountId)
    {
        if (_expected is not null && homeAccountId is not null && homeAccountId != _expected)
        {
            throw new InvalidOperationException("MSAL tried to write another account into this session's token cache.");
        }

        Data = data;
        HomeAccountId = homeAccountId ?? HomeAccountId;
        Changed = true;
    }
}
