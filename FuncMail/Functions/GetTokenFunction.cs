using FuncMail.Auth;
using FuncMail.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace FuncMail.Functions;

/// <summary>The OAuth redirect URI registered in Entra: completes the sign-in this browser started.</summary>
public sealed class GetTokenFunction(SignInFlow flow, SessionCookies cookies)
{
    [Function(Routes.GetToken)]
    public async Task<IActionResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.GetToken)] HttpRequest request)
    {
        var context = request.HttpContext;
        var query = request.Query;
        var callback = new CallbackParameters(QueryValues.Single(query, "code"), QueryValues.Single(query, "state"), QueryValues.Single(query, "error"));
        var preAuth = cookies.TryReadSignIn(request, out var cookie) ? cookie : (PreAuth?)null;
        var previous = cookies.TryReadSession(request, out var session) ? session.Id : null;
        var outcome = await flow.CompleteAsync(callback, preAuth, previous, Correlation.Get(context), context.RequestAborted);

        // The transaction is used up, so the pre-auth cookie goes too (checklist B5); an unmatched callback leaves it,
        // since it may belong to a sign-in still in progress in another tab.
        if (outcome.ConsumedTransaction)
        {
            SessionCookies.ExpireSignIn(context.Response);
        }

        switch (outcome)
        {
            case SignInCompletion.SignedIn signedIn:
                cookies.WriteSession(context.Response, signedIn.SessionId);
                return Responses.Redirect(signedIn.ReturnUrl);
            case SignInCompletion.Unmatched { AlreadySignedIn: true }:
                return Responses.Redirect(ReturnUrl.Default);
            case SignInCompletion.Unmatched unmatched:
                return Responses.SignIn(unmatched.ReturnUrl);
            case SignInCompletion.StartOver startOver:
                return Responses.SignIn(startOver.ReturnUrl);
            case SignInCompletion.Failed failed:
                return Responses.Error(context, failed.Failure);
            default:
                throw new InvalidOperationException($"Unknown outcome {outcome.GetType().Name}");
        }
    }
}
