using Microsoft.Identity.Client;

namespace FuncMail.Auth;

/// <summary>
/// One MSAL client and the session cache slot it reads and writes, used by one request at a time. Its in-memory
/// cache is loaded from the slot only when the slot holds other bytes than those it last loaded or wrote: MSAL asks
/// on every cache access (GetAccountAsync, then AcquireTokenSilent), and a later request of the same session that
/// read the same row version takes the client over (<see cref="Rebind"/>) without loading anything.
/// </summary>
public sealed class MsalClient
{
    private byte[]? _loaded;
    private bool _isLoaded;
    private bool _keepOut;

    internal MsalClient(IConfidentialClientApplication app, TokenCacheSlot slot)
    {
        App = app;
        Slot = slot;
    }

    public IConfidentialClientApplication App { get; }

    public TokenCacheSlot Slot { get; private set; }

    /// <summary>
    /// Hands this client to a later request of the same session whose slot holds the same row version it was parked
    /// with (SessionTokens checks the version): its in-memory cache already holds those bytes.
    /// </summary>
    public MsalClient Rebind(TokenCacheSlot slot)
    {
        Slot = slot;
        (_loaded, _isLoaded) = (slot.Data, true);
        return this;
    }

    /// <summary>
    /// True when the in-memory cache holds exactly the bytes the request read from the row: nothing was refreshed,
    /// adopted from another request or found unreadable. Only then may a later request reading the same row version
    /// take this client over.
    /// </summary>
    public bool HoldsAsRead(byte[]? read) =>
        _isLoaded && !_keepOut && read is not null && !Slot.Changed && !Slot.Unreadable && ReferenceEquals(Slot.Data, read) && ReferenceEquals(_loaded, read);

    /// <summary>
    /// Never hand this client to a later request: MSAL may still use it on its own (a token past its refresh_in is
    /// refreshed in the background, after this request has moved on).
    /// </summary>
    public void KeepOut() => _keepOut = true;

    internal void BeforeAccess(TokenCacheNotificationArgs args)
    {
        if (_isLoaded && ReferenceEquals(_loaded, Slot.Data))
        {
            return;
        }

        try
        {
            args.TokenCache.DeserializeMsalV3(Slot.Data, shouldClearExistingCache: true);
        }
        catch (MsalException)
        {
            // A cache MSAL cannot read (another MSAL's format, or damage) fails closed: an empty cache, so the
            // session ends and the user signs in again, never a 500 (checklist H4; as Identity.Web's cache providers do).
            args.TokenCache.DeserializeMsalV3(null, shouldClearExistingCache: true);
            Slot.Unreadable = true;
        }

        (_loaded, _isLoaded) = (Slot.Data, true);
    }

    internal void AfterAccess(TokenCacheNotificationArgs args)
    {
        if (args.HasStateChanged)
        {
            // Until the slot holds what MSAL now has in memory, the next access reloads (Store refuses another account).
            _isLoaded = false;
            Slot.Store(args.HasTokens ? args.TokenCache.SerializeMsalV3() : null, args.SuggestedCacheKey);

            // The in-memory cache is what was just serialized; a cache left without tokens is reloaded (cleared) next time.
            (_loaded, _isLoaded) = (Slot.Data, args.HasTokens);
        }
    }
}
