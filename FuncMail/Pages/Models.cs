namespace FuncMail.Pages;

/// <summary>What the layout needs: the page title and, when signed in, who and the sign-out form's anti-forgery token.</summary>
public sealed record LayoutModel(string Title, string? DisplayName = null, string? SignOutToken = null);

public sealed record HomeModel(string? DisplayName, string? SignOutToken);

/// <param name="SupportId">The request's id as 32 hex digits: Application Insights' operation_Id.</param>
public sealed record ErrorModel(string Title, string Message, string ActionText, string ActionUrl, string SupportId);

public sealed record SignOutModel(string? SignOutToken);
