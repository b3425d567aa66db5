using FuncMail.Auth;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace FuncMail.Web;

/// <summary>The few kinds of response the functions give, in one place so they look and behave alike.</summary>
public static class Responses
{
    /// <summary>To sign-in, then back to a checked local <paramref name="returnUrl"/>; with a claims challenge the sign-in must answer (H5).</summary>
    public static IActionResult SignIn(string? returnUrl, string? claims = null) =>
        new RedirectResult(Routes.SignInUrl(ReturnUrl.Sanitize(returnUrl), claims is null ? null : ClaimsChallenge.Encode(claims)));

    /// <summary>
    /// A mail feature's outcome as HTTP, the same for every page-like function: the cookie as the outcome says (kept,
    /// ended, or left alone), then the page, a sign-in redirect, or the error page.
    /// </summary>
    /// <param name="shown">The response for what was asked for.</param>
    public static IActionResult From<T>(HttpContext context, SessionCookies cookies, Mail.MailOutcome outcome, Func<T, IActionResult> shown)
    {
        cookies.Apply(context.Response, outcome.Kept, outcome.Ended);
        return outcome switch
        {
            Mail.MailOutcome.Shown<T> result => shown(result.Model),
            Mail.MailOutcome.SignInRequired signIn => SignIn(signIn.ReturnUrl, signIn.Claims),
            Mail.MailOutcome.Failed failed => Error(context, failed.Failure),
            _ => throw new InvalidOperationException($"Unknown outcome {outcome.GetType().Name}"),
        };
    }

    /// <summary>A bare 302: no body, and nothing of the request in the Location (checklist A9).</summary>
    public static IActionResult Redirect(string location) => new RedirectResult(location);

    /// <summary>303 so that a POST (sign-out) is followed by a GET.</summary>
    public static IActionResult SeeOther(string location) => new SeeOtherResult(location);

    /// <summary>
    /// The error page; or, for the message body's frame, the same words as a frame document, since a page (which
    /// forbids framing) would only show as a blocked frame.
    /// </summary>
    public static IActionResult Error(HttpContext context, Failure failure)
    {
        if (!context.Request.Path.Equals(Routes.MessageBodyPath, StringComparison.OrdinalIgnoreCase))
        {
            return ErrorPages.For(failure, Correlation.Get(context));
        }

        var (status, title, text) = ErrorPages.Describe(failure);
        return new FrameDocumentResult(Mail.MailHtml.Notice($"{title}. {text} Support id: {Correlation.Display(Correlation.Get(context))}"), showImages: false, status);
    }

    public static IActionResult Error(HttpContext context, Problem kind) => Error(context, new Failure(kind));

    public static IActionResult BadRequest(HttpContext context, string detail) => Error(context, new Failure(Problem.InvalidRequest, detail));

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
