namespace FuncMail.Auth;

/// <summary>
/// One sign-in in flight (checklist A1): kept server-side because any instance may receive the callback. It lives in
/// its browser's partition (<see cref="BrowserId"/>, from the pre-auth cookie) in one of a few slots.
/// </summary>
public sealed record SignInTransaction(string BrowserId, int Slot, string State, string CodeVerifier, string Nonce, string ReturnUrl, DateTimeOffset ExpiresAt);
