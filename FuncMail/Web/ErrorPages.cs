using System.Globalization;
using FuncMail.Pages;
using Microsoft.AspNetCore.Http;

namespace FuncMail.Web;

/// <summary>Every error page FuncMail shows, defined once by its <see cref="Problem"/>: status, title, text and the way on.</summary>
public static class ErrorPages
{
    private const string TryAgainLater = "FuncMail could not reach {0}. Your session is kept; try again in a minute.";

    private static readonly Dictionary<Problem, Entry> Catalogue = new()
    {
        [Problem.InvalidRequest] = new(StatusCodes.Status400BadRequest, "That request could not be used", "{detail}"),
        [Problem.SignOutNotFromFuncMail] = new(StatusCodes.Status400BadRequest, "That request could not be used", "This sign-out request did not come from a FuncMail page. Use the Sign out button."),
        [Problem.AmbiguousCookie] = new(StatusCodes.Status400BadRequest, "Your browser sent FuncMail's cookie twice", "FuncMail cannot tell which one is yours, so it uses neither and changes nothing. Clear this site's cookies in your browser (site settings, then cookies and site data), then sign in again."),
        [Problem.TookTooLong] = new(StatusCodes.Status504GatewayTimeout, "That took too long", "Microsoft's services or FuncMail's storage are slow right now. Nothing was lost and your session is kept; try again in a minute.", "Try again", Routes.MailPath),
        [Problem.Unexpected] = new(StatusCodes.Status500InternalServerError, "Something went wrong", "FuncMail hit an unexpected error. It has been logged; quote the support id below if you report it."),
        [Problem.SignInServiceUnavailable] = Unavailable("Microsoft sign-in"),
        [Problem.GraphUnavailable] = Unavailable("Microsoft Graph"),
        [Problem.StorageUnavailable] = Unavailable("FuncMail's storage"),
        [Problem.SessionKeyUnavailable] = Unavailable("FuncMail"),
        [Problem.SignInCancelled] = new(StatusCodes.Status403Forbidden, "Sign-in was cancelled", "You cancelled sign-in, or FuncMail was not given permission to read your mail. Nothing was stored.", "Try again", Routes.SignInPath),
        [Problem.SignInAgain] = new(StatusCodes.Status401Unauthorized, "Please sign in again", "Microsoft needs you to sign in again.", "Sign in", Routes.SignInPath),
        [Problem.SignInFailed] = new(StatusCodes.Status400BadRequest, "Sign-in failed", "Microsoft sign-in reported an error. Please try again; if it keeps happening, quote the support id below.", "Try again", Routes.SignInPath),
        [Problem.SignInWithoutCode] = new(StatusCodes.Status400BadRequest, "Sign-in did not finish", "Microsoft sent FuncMail back without a sign-in code. Please sign in again.", "Sign in again", Routes.SignInPath),
        [Problem.SignInNotVerified] = new(StatusCodes.Status400BadRequest, "Sign-in could not be verified", "The answer from Microsoft sign-in did not match this sign-in. Please sign in again.", "Sign in again", Routes.SignInPath),
        [Problem.TokenCacheTooLarge] = new(StatusCodes.Status500InternalServerError, "Sign-in could not be kept", "Microsoft sent FuncMail more tokens than it can keep for one session. Nothing was stored. Quote the support id below if you report it."),
        [Problem.SignInLoop] = new(StatusCodes.Status401Unauthorized, "Sign-in keeps being asked for", "You signed in moments ago, but Microsoft asks for sign-in again. Your organization may require something FuncMail cannot do silently. Try again, or contact your administrator with the support id below.", "Sign in again", Routes.SignInPath),
        [Problem.NoMailbox] = new(StatusCodes.Status403Forbidden, "This account has no mailbox FuncMail can read", "Microsoft says your account has no Exchange Online mailbox: it may have no Exchange Online licence, or its mailbox is on-premises or inactive. Ask your administrator, or sign in with another account.", "Sign in with another account", Routes.SignInPath),
        [Problem.FolderNotFound] = new(StatusCodes.Status404NotFound, "That folder doesn't exist", "The folder may have been deleted or moved. Pick another one from your inbox.", "Go to the inbox", Routes.MailPath),
        [Problem.QueryTooComplex] = new(StatusCodes.Status400BadRequest, "Microsoft Graph could not run that query", "Your mailbox found this list too complex to sort. Try the folder again, or a simpler search.", "Go to the inbox", Routes.MailPath),
        [Problem.PageLinkExpired] = new(StatusCodes.Status400BadRequest, "That page link is no longer valid", "Start again from the first page of your search.", "Search again", Routes.MailPath),
        [Problem.MailAccessDenied] = new(StatusCodes.Status403Forbidden, "FuncMail may not read this mailbox", "Microsoft Graph refused access. Sign in again and accept the permissions FuncMail asks for, or ask your administrator to grant them.", "Sign in again", Routes.SignInPath),
        [Problem.MessageNotFound] = new(StatusCodes.Status404NotFound, "That message isn't there any more", "It may have been deleted, or moved to a place FuncMail cannot follow (an archive mailbox, say).", "Back to the list", Routes.MailPath),
        [Problem.AttachmentNotFound] = new(StatusCodes.Status404NotFound, "That attachment can't be opened here", "It may have been removed, or it is not a file FuncMail can download (an attached message, event or contact, or a link to a file elsewhere). Open the message in Outlook instead.", "Back to the list", Routes.MailPath),
        [Problem.AttachmentTooLarge] = new(StatusCodes.Status403Forbidden, "That file is too large to download here", "FuncMail downloads files of up to {detail}. Open the message in Outlook to get this one.", "Back to your mail", Routes.MailPath),
        [Problem.GraphBusy] = new(StatusCodes.Status429TooManyRequests, "Microsoft Graph is busy", "Too many requests for your mailbox right now. Try again in {seconds} seconds.", "Try again", Routes.MailPath),
    };

    /// <summary>Every kind has a page (a test walks the enum).</summary>
    public static bool Covers(Problem kind) => Catalogue.ContainsKey(kind);

    public static int Status(Problem kind) => Catalogue[kind].Status;

    /// <summary>The page for a failure, with the request's support id.</summary>
    public static PageResult For(Failure failure, Guid supportId)
    {
        var (status, title, text) = Describe(failure);
        var entry = Catalogue[failure.Kind];
        return new PageResult(ErrorPage.Create(new ErrorModel(title, text, entry.Action, failure.ActionUrl ?? entry.ActionUrl, Correlation.Display(supportId))), status);
    }

    /// <summary>A failure's status, title and text, for answers that are not a whole page (the message body's frame).</summary>
    public static (int Status, string Title, string Text) Describe(Failure failure)
    {
        var entry = Catalogue[failure.Kind];
        var text = entry.Text
            .Replace("{detail}", failure.Detail, StringComparison.Ordinal)
            .Replace("{seconds}", RetrySeconds(failure.RetryAfter).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        return (entry.Status, entry.Title, text);
    }

    private static Entry Unavailable(string what) =>
        new(StatusCodes.Status503ServiceUnavailable, $"{what} is not answering", string.Format(CultureInfo.InvariantCulture, TryAgainLater, what), "Try again", Routes.MailPath);

    private static int RetrySeconds(TimeSpan? retryAfter) => (int)Math.Clamp(Math.Ceiling((retryAfter ?? TimeSpan.FromSeconds(30)).TotalSeconds), 1, 3600);

    private sealed record Entry(int Status, string Title, string Text, string Action = "Go to the home page", string ActionUrl = Routes.HomePath);
}
