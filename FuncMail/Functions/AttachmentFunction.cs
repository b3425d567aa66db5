using FuncMail.Mail;
using FuncMail.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace FuncMail.Functions;

/// <summary>
/// A message's file: a download (<c>download=1</c>, the session cookie), or an inline image for the body frame
/// (<c>t=</c>, a sealed token, as the frame's requests carry no cookie). Streamed, never held whole.
/// </summary>
public sealed class AttachmentFunction(MessageService messages, SessionCookies cookies)
{
    [Function(Routes.Attachment)]
    public async Task<IActionResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Attachment)] HttpRequest request)
    {
        var context = request.HttpContext;
        if (AttachmentRef.TryParse(name => QueryValues.Single(request.Query, name), out var invalid) is not { } attachment)
        {
            return Responses.BadRequest(context, invalid!);
        }

        if (attachment.IsInline)
        {
            // An image inside the frame: it either draws or it does not; no page, no redirect, no cookie.
            return await messages.InlineImageAsync(attachment, Correlation.Get(context), context.RequestAborted) is MailOutcome.Shown<AttachmentStream> image
                ? new AttachmentResult(image.Model)
                : new NotFoundResult();
        }

        var outcome = await messages.DownloadAsync(attachment, Routes.AttachmentPath + request.QueryString.Value, cookies.ReadSession(context), Correlation.Get(context), context.RequestAborted);
        return Responses.From<AttachmentStream>(context, cookies, outcome, file => new AttachmentResult(file));
    }
}
