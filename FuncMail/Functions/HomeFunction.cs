using FuncMail.Pages;
using FuncMail.Sessions;
using FuncMail.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace FuncMail.Functions;

public sealed class HomeFunction(SessionGate sessions, SessionCookies cookies)
{
    [Function("Home")]
    public async Task<IActionResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "Home")] HttpRequest request)
    {
        var active = await sessions.FindAndTouchAsync(request.HttpContext, request.HttpContext.RequestAborted);
        return new PageResult(HomePage.Create(new HomeModel(active?.Session.DisplayName, active is null ? null : cookies.SignOutToken(active.Session.Id))));
    }
}
