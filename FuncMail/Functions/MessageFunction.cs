using FuncMail.Mail;
using FuncMail.Pages;
using FuncMail.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace FuncMail.Functions;

/// <summary>One message: its header, its attachments, and a sandboxed frame for its body (MessageBodyFunction).</summary>
public sealed class MessageFunction(MessageService messages, SessionCookies cookies)
{
    [Function(Routes.Message)]
    public async Task<IActionResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Message)] HttpRequest request)
    {
        var context = request.HttpContext;

        // The ids first: a bad one gets its 400 page with no cookie check, no Table read and no Graph call.
        if (messages.TryParse(name => QueryValues.Single(request.Query, name), out var invalid) is not { } message)
        {
            return Responses.BadRequest(context, invalid!);
        }

        var outcome = await messages.ShowAsync(message, Routes.MessagePath + request.QueryString.Value, cookies.ReadSession(context), Correlation.Get(context), context.RequestAborted);
        return Responses.From<MessageModel>(context, cookies, outcome, model => new PageResult(MessagePage.Create(model)));
    }
}
