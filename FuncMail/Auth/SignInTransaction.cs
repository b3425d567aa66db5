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

/// <summary>What a verified pre-auth cookie carries: the browser's sign-in partition and the slot its next sign-in takes.</summary>
public readonly record struct PreAuth(string BrowserId, int NextSlot, DateTimeOffset IssuedAt)
{
    /// <summary>A browser id is a <see cref="Sessions.SecureIds.New"/>: 256 bits, 43 characters of base64url.</summary>
    public const int BrowserIdLength = 43;

    /// <summary>How long a sign-in may take, from SignIn to GetToken: the transaction's and the pre-auth cookie's lifetime.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);
}
