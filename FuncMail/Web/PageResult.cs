using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Mvc;
using RazorSlices;

namespace FuncMail.Web;

/// <summary>Renders a compiled, auto-encoding Razor slice as the response body.</summary>
/// <remarks>
/// The page is rendered to a buffer before a byte is sent, so a failure while rendering (or a page past
/// <see cref="MaxPageBytes"/>) still leaves the response untouched for FunctionGuard's error page (checklist H6); and
/// the response gets a Content-Length. The buffer is a <see cref="Pipe"/> over the shared memory pool, so a warm page
/// allocates no buffer of its own, and it reaches the response in one flush.
/// </remarks>
public sealed class PageResult(RazorSlice slice, int statusCode = 200) : IActionResult
{
    /// <summary>Far above the largest page FuncMail renders (50 rows of long previews are about 60 KB).</summary>
    public const int MaxPageBytes = 4 * 1024 * 1024;

    /// <summary>The writer never waits for the reader: the whole page is buffered, then sent.</summary>
    private static readonly PipeOptions Buffered = new(pauseWriterThreshold: 0, useSynchronizationContext: false);

    public int StatusCode => statusCode;

    public async Task ExecuteResultAsync(ActionContext context)
    {
        var response = context.HttpContext.Response;
        var cancellationToken = context.HttpContext.RequestAborted;
        var page = new Pipe(Buffered);
        try
        {
            await slice.RenderAsync(page.Writer, cancellationToken: cancellationToken);
        }
        catch (Exception e)
        {
            await page.Writer.CompleteAsync(e);
            await page.Reader.CompleteAsync();
            throw;
        }

        await page.Writer.CompleteAsync();
        var rendered = await page.Reader.ReadAsync(cancellationToken);
        try
        {
            var body = rendered.Buffer;
            if (body.Length > MaxPageBytes)
            {
                throw new InvalidOperationException($"The page is {body.Length} bytes, past the {MaxPageBytes}-byte limit.");
            }

            response.StatusCode = statusCode;
            response.ContentType = "text/html; charset=utf-8";
            response.ContentLength = body.Length;
            foreach (var segment in body)
            {
                response.BodyWriter.Write(segment.Span);
            }

            await response.BodyWriter.FlushAsync(cancellationToken);
        }
        finally
        {
            page.Reader.AdvanceTo(rendered.Buffer.End);
            await page.Reader.CompleteAsync();
        }
    }
}
