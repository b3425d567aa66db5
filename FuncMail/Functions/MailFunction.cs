using FuncMail.Mail;
using FuncMail.Pages;
using FuncMail.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace FuncMail.Functions;

/// <summary>The mail page: a folder or a search, a page at a time.</summary>
public sealed class MailFunction(MailPageService mail, SessionCookies cookies)
{
    [Function(Routes.Mail)]
    public async Task<IActionResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Mail)] HttpRequest request)
    {
        var context = request.HttpContext;

        // The query first: a bad one gets its 400 page before the cookie is even looked at.
        if (mail.TryParse(name => QueryValues.Single(request.Query, name), out var invalid) is not { } query)
        {
            return Responses.BadRequest(context, invalid!);
        }

        var cookie = cookies.ReadSession(context);
        var outcome = await mail.ShowAsync(query, Routes.MailPath + request.QueryString.Value, cookie, Correlation.Get(context), context.RequestAborted);
        return Responses.From<MailModel>(context, cookies, outcome, model => new PageResult(MailPage.Create(model)));
    }
}
