using FuncMail.Auth;
using FuncMail.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace FuncMail.Functions;

/// <summary>Starts a sign-in: to Entra's authorize endpoint, with the sign-in bound to this browser by a pre-auth cookie.</summary>
public sealed class SignInFunction(SignInFlow flow, SessionCookies cookies)
{
    [Function(Routes.SignIn)]
    public async Task<IActionResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.SignIn)] HttpRequest request)
    {
        var context = request.HttpContext;
        if (!ClaimsChallenge.TryDecode(QueryValues.Raw(request.Query, "claims"), out var claims))
        {
            return Responses.BadRequest(context, "That sign-in link is not valid. Start again from the home page.");
        }

        var preAuth = cookies.TryReadSignIn(request, out var cookie) ? cookie : (PreAuth?)null;
        var outcome = await flow.StartAsync(preAuth, QueryValues.Single(request.Query, "returnUrl"), claims, Correlation.Get(context), context.RequestAborted);
        switch (outcome)
        {
            case SignInStart.ToEntra toEntra:
                cookies.WriteSignIn(context.Response, toEntra.BrowserId, toEntra.NextSlot);
                return Responses.Redirect(toEntra.AuthorizeUrl.AbsoluteUri);
            case SignInStart.Failed failed:
                return Responses.Error(context, failed.Failure);
            default:
                throw new InvalidOperationException($"Unknown outcome {outcome.GetType().Name}");
        }
    }
}
