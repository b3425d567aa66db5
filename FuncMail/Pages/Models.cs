namespace FuncMail.Pages;

/// <summary>What the layout needs: the page title and, when signed in, who and the sign-out form's anti-forgery token.</summary>
public sealed record LayoutModel(string Title, string? DisplayName = null, string? SignOutToken = null);

public sealed record HomeModel(string? DisplayName, string? SignOutToken);

public sealed record ErrorModel(string Title, string Message, string ActionText, string ActionUrl, Guid SupportId);

public sealed record SignOutModel(string? SignOutToken);
