using System.IO.Pipelines;
using Microsoft.AspNetCore.Mvc;
using RazorSlices;

namespace FuncMail.Web;

/// <summary>Renders a compiled, auto-encoding Razor slice as the response body.</summary>
/// <remarks>
/// The page is rendered to a buffer before a byte is sent, so a failure while rendering still leaves the response
/// untouched for FunctionGuard's error page (checklist H6); and the response gets a Content-Length.
/// </remarks>
public sealed class PageResult(RazorSlice slice, int statusCode = 200) : IActionResult
{
    public int StatusCode => statusCode;

    public async Task ExecuteResultAsync(ActionContext context)
    {
        var response = context.HttpContext.Response;
        var cancellationToken = context.HttpContext.RequestAborted;
        using var buffer = new MemoryStream(16 * 1024);
        var writer = PipeWriter.Create(buffer, new StreamPipeWriterOptions(leaveOpen: true));
        await slice.RenderAsync(writer, cancellationToken: cancellationToken);
        await writer.CompleteAsync();

        response.StatusCode = statusCode;
        response.ContentType = "text/html; charset=utf-8";
        response.ContentLength = buffer.Length;
        await response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), cancellationToken);
    }
}
