using FuncMail.Mail;
using FuncMail.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace FuncMail.Functions;

/// <summary>
/// A message's body, sanitized, as a document for the message page's sandboxed frame. Everything it answers is a
/// frame document, errors included: a full page would be refused inside the frame (frame-ancestors 'none'), and
/// sign-in cannot happen in a sandboxed frame.
/// </summary>
public sealed class MessageBodyFunction(MessageService messages, SessionCookies cookies)
{
    [Function(Routes.MessageBody)]
    public async Task<IActionResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.MessageBody)] HttpRequest request)
    {
        var context = request.HttpContext;
        if (messages.TryParse(name => QueryValues.Single(request.Query, name), out var invalid) is not { } message)
        {
            return Responses.Error(context, new Failure(Problem.InvalidRequest, invalid));
        }

        // The frame is loaded by FuncMail's own page, so this request carries the session cookie (its images' do not).
        var outcome = await messages.BodyAsync(message, cookies.ReadSession(context), Correlation.Get(context), context.RequestAborted);
        cookies.Apply(context.Response, outcome.Kept, outcome.Ended);

        return outcome switch
        {
            MailOutcome.Shown<MessageBody> shown => new FrameDocumentResult(shown.Model.Html, shown.Model.ShowImages),
            MailOutcome.SignInRequired => new FrameDocumentResult(MailHtml.Notice("Your session has ended. Reload the page to sign in again."), showImages: false, StatusCodes.Status401Unauthorized),
            MailOutcome.Failed failed => Responses.Error(context, failed.Failure),
            _ => throw new InvalidOperationException($"Unknown outcome {outcome.GetType().Name}"),
        };
    }
}
