using FuncMail.Mail;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace FuncMail.Functions;

public sealed class MailFunction(InboxService inbox)
{
    [Function("Mail")]
    public Task<IActionResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "Mail")] HttpRequest request) =>
        inbox.ShowAsync(request.HttpContext, request.HttpContext.RequestAborted);
}
