using FuncMail.Sessions;
using FuncMail.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace FuncMail.Functions;

public sealed class SignOutFunction(SignOutFlow flow)
{
    private const int MaxFormBytes = 4 * 1024;

    [Function("SignOut")]
    public async Task<IActionResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = "SignOut")] HttpRequest request)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        if (HttpMethods.IsGet(request.Method))
        {
            return flow.Confirm(request.HttpContext);
        }

        if (!request.HasFormContentType || request.ContentLength is null or > MaxFormBytes)
        {
            return Responses.BadRequest(request.HttpContext, "Sign out with the Sign out button.");
        }

        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(cancellationToken);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or BadHttpRequestException)
        {
            return Responses.BadRequest(request.HttpContext, "Sign out with the Sign out button.");
        }

        return await flow.SignOutAsync(request.HttpContext, form["csrf"] is { Count: 1 } token ? token[0] : null, cancellationToken);
    }
}
