using FuncMail.Auth;
using FuncMail.Pages;
using FuncMail.Sessions;
using FuncMail.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace FuncMail.Functions;

/// <summary>
/// Sign-out (checklist B8). GET shows a confirmation form (the cookie's MAC needs no I/O, so neither does this page);
/// POST must carry the session's anti-forgery token, from FuncMail's own origin.
/// </summary>
public sealed class SignOutFunction(SignOutFlow flow, SessionCookies cookies, SignOutTokens signOutTokens, ILogger<SignOutFunction> logger)
{
    private const int MaxFormBytes = 4 * 1024;
    private const string UseTheButton = "Sign out with the Sign out button.";

    [Function(Routes.SignOut)]
    public async Task<IActionResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = Routes.SignOut)] HttpRequest request)
    {
        var context = request.HttpContext;
        var cancellationToken = context.RequestAborted;
        if (HttpMethods.IsGet(request.Method))
        {
            return new PageResult(SignOutPage.Create(new SignOutModel(cookies.TryReadSession(request, out var current) ? signOutTokens.For(current.Id) : null)));
        }

        if (!request.HasFormContentType || request.ContentLength is null or > MaxFormBytes)
        {
            return Responses.BadRequest(context, UseTheButton);
        }

        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(cancellationToken);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or BadHttpRequestException)
        {
            return Responses.BadRequest(context, UseTheButton);
        }

        if (!cookies.TryReadSession(request, out var session))
        {
            SessionCookies.ExpireSession(context.Response);
            return Responses.SeeOther(Routes.HomePath);
        }

        var site = request.Headers["Sec-Fetch-Site"];
        if (!signOutTokens.IsValid(session.Id, QueryValues.Single(form, "csrf"))
            || !flow.IsOwnOrigin(site.Count > 0 ? site[0] : null, request.Headers.Origin.ToArray()))
        {
            SessionLog.SignOutForgeryRejected(logger);
            return Responses.Error(context, Problem.SignOutNotFromFuncMail);
        }

        var next = await flow.SignOutAsync(session.Id, cancellationToken);
        SessionCookies.ExpireSession(context.Response);
        return Responses.SeeOther(next);
    }
}
