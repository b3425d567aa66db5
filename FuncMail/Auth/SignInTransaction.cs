namespace FuncMail.Auth;

/// <summary>One sign-in in flight (checklist A1): kept server-side because any instance may receive the callback.</summary>
public sealed record SignInTransaction(string Id, string State, string CodeVerifier, string Nonce, string ReturnUrl, DateTimeOffset ExpiresAt);
