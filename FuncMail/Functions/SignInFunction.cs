using FuncMail.Auth;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace FuncMail.Functions;

public sealed class SignInFunction(SignInFlow flow)
{
    [Function("SignIn")]
    public Task<IActionResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "SignIn")] HttpRequest request) =>
        flow.StartAsync(request.HttpContext, request.Query["returnUrl"] is { Count: 1 } returnUrl ? returnUrl[0] : null, request.HttpContext.RequestAborted);
}
