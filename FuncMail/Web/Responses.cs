using FuncMail.Pages;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace FuncMail.Web;

/// <summary>The few responses the functions give, in one place so they look and behave alike.</summary>
public static class Responses
{
    public const string HomePath = "/api/Home";

    public static IActionResult SignIn(string? returnUrl, string? claims = null) =>
        new RedirectResult($"/api/SignIn?returnUrl={Uri.EscapeDataString(Auth.ReturnUrl.Sanitize(returnUrl))}"
            + (claims is null ? "" : "&claims=" + Auth.ClaimsChallenge.Encode(claims)));

    /// <summary>A bare 302: no body, and nothing of the request in the Location (checklist A9).</summary>
    public static IActionResult Redirect(string localPath) => new RedirectResult(localPath);

    public static IActionResult SeeOther(string localPath) => new SeeOtherResult(localPath);

    public static IActionResult Error(HttpContext context, int status, string title, string message, string actionText = "Go to the home page", string actionUrl = HomePath) =>
        new PageResult(ErrorPage.Create(new ErrorModel(title, message, actionText, actionUrl, Correlation.Get(context))), status);

    public static IActionResult Unavailable(HttpContext context, string what) =>
        Error(context, StatusCodes.Status503ServiceUnavailable, $"{what} is not answering", $"FuncMail could not reach {what}. Your session is kept; try again in a minute.", "Try again", "/api/Mail");

    public static IActionResult AmbiguousCookie(HttpContext context) =>
        Error(context, StatusCodes.Status400BadRequest, "Your browser sent FuncMail's cookie twice", "FuncMail cannot tell which one is yours, so it uses neither and changes nothing. Clear this site's cookies in your browser (site settings, then cookies and site data), then sign in again.", "Go to the home page", HomePath);

    public static IActionResult TookTooLong(HttpContext context) =>
        Error(context, StatusCodes.Status504GatewayTimeout, "That took too long", "Microsoft's services or FuncMail's storage are slow right now. Nothing was lost and your session is kept; try again in a minute.", "Try again", "/api/Mail");

    public static IActionResult Unexpected(HttpContext context) =>
        Error(context, StatusCodes.Status500InternalServerError, "Something went wrong", "FuncMail hit an unexpected error. It has been logged; quote the support id below if you report it.");

    public static IActionResult BadRequest(HttpContext context, string message) =>
        Error(context, StatusCodes.Status400BadRequest, "That request could not be used", message);

    /// <summary>303 so that a POST (sign-out) is followed by a GET.</summary>
    private sealed class SeeOtherResult(string location) : IActionResult
    {
        public Task ExecuteResultAsync(ActionContext context)
        {
            context.HttpContext.Response.StatusCode = StatusCodes.Status303SeeOther;
            context.HttpContext.Response.Headers.Location = location;
            return Task.CompletedTask;
        }
    }
}
