using Microsoft.AspNetCore.Mvc;
using RazorSlices;

namespace FuncMail.Web;

/// <summary>Renders a compiled, auto-encoding Razor slice as the response body.</summary>
public sealed class PageResult(RazorSlice slice, int statusCode = 200) : IActionResult
{
    public int StatusCode => statusCode;

    public async Task ExecuteResultAsync(ActionContext context)
    {
        var response = context.HttpContext.Response;
        response.StatusCode = statusCode;
        response.ContentType = "text/html; charset=utf-8";
        await slice.RenderAsync(response.BodyWriter, cancellationToken: context.HttpContext.RequestAborted);
    }
}
