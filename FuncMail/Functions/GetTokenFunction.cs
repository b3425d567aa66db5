using FuncMail.Auth;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace FuncMail.Functions;

/// <summary>The OAuth redirect URI registered in Entra.</summary>
public sealed class GetTokenFunction(SignInFlow flow)
{
    [Function("GetToken")]
    public Task<IActionResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "GetToken")] HttpRequest request) =>
        flow.CompleteAsync(request.HttpContext, CallbackParameters.From(request.Query), request.HttpContext.RequestAborted);
}
