using FuncMail.Pages;
using FuncMail.Sessions;
using FuncMail.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace FuncMail.Functions;

/// <summary>The home page: who is signed in, if anyone. Renews the session's idle clock when due.</summary>
public sealed class HomeFunction(SessionGate sessions, SessionCookies cookies, SignOutTokens signOutTokens)
{
    [Function(Routes.Home)]
    public async Task<IActionResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Home)] HttpRequest request)
    {
        var context = request.HttpContext;
        var cookie = cookies.ReadSession(context);
        var active = cookie is { } signed ? await sessions.FindAndTouchAsync(signed, context.RequestAborted) : null;
        cookies.Apply(context.Response, active, ended: cookie is not null && active is null);
        return new PageResult(HomePage.Create(new HomeModel(active?.Session.DisplayName, active is null ? null : signOutTokens.For(active.Session.Id))));
    }
}
