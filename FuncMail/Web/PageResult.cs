using System.IO.Pipelines;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using RazorSlices;

namespace FuncMail.Web;

/// <summary>Renders a compiled, auto-encoding Razor slice as the response body.</summary>
/// <remarks>
/// The page is rendered to a buffer before a byte is sent, so a failure while rendering still leaves the response
/// untouched for FunctionGuard's error page (checklist H6); and the response gets a Content-Length. The buffer is
/// ASP.NET Core's FileBufferingWriteStream, whose pages come from the shared array pool, so a warm page allocates no
/// buffer of its own; its threshold is far above any page FuncMail renders, so it never spills to disk.
/// </remarks>
public sealed class PageResult(RazorSlice slice, int statusCode = 200) : IActionResult
{
    /// <summary>Far above the largest page (50 rows of 255-character previews are about 60 KB).</summary>
    private const int MemoryThreshold = 4 * 1024 * 1024;

    public int StatusCode => statusCode;

    public async Task ExecuteResultAsync(ActionContext context)
    {
        var response = context.HttpContext.Response;
        var cancellationToken = context.HttpContext.RequestAborted;
        await using var buffer = new FileBufferingWriteStream(MemoryThreshold);
        var writer = PipeWriter.Create(buffer, new StreamPipeWriterOptions(leaveOpen: true));
        await slice.RenderAsync(writer, cancellationToken: cancellationToken);
        await writer.CompleteAsync();

        response.StatusCode = statusCode;
        response.ContentType = "text/html; charset=utf-8";
        response.ContentLength = buffer.Length;
        await buffer.DrainBufferAsync(response.BodyWriter, cancellationToken);
    }
}
