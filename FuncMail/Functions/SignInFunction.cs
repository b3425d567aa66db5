using FuncMail.Auth;
using FuncMail.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace FuncMail.Functions;

public sealed class SignInFunction(SignInFlow flow)
{
    [Function("SignIn")]
    public async Task<IActionResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "SignIn")] HttpRequest request)
    {
        if (!ClaimsChallenge.TryDecode(Single(request, "claims"), out var claims))
        {
            return Responses.BadRequest(request.HttpContext, "That sign-in link is not valid. Start again from the home page.");
        }

        return await flow.StartAsync(request.HttpContext, Single(request, "returnUrl"), claims, request.HttpContext.RequestAborted);
    }

    private static string? Single(HttpRequest request, string name) => request.Query[name] is { Count: 1 } values ? values[0] : null;
}
