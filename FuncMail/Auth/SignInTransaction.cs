namespace FuncMail.Auth;

/// <summary>
/// One sign-in in flight (checklist A1): kept server-side because any instance may receive the callback. It lives in
/// its browser's partition (<see cref="BrowserId"/>, from the pre-auth cookie) in one of a few slots.
/// </summary>
public sealed record SignInTransaction(string BrowserId, int Slot, string State, string CodeVerifier, string Nonce, string ReturnUrl, DateTimeOffset ExpiresAt)
{
    /// <summary>The sign-in answers a claims challenge (checklist H5); a new challenge soon after ends in a page, not a loop.</summary>
    public bool ForClaims { get; init; }
}
