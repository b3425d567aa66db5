using FuncMail.Mail;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

namespace FuncMail.Web;

/// <summary>
/// Streams a file from Graph to the browser, a chunk at a time. A download always goes as an attachment with an
/// RFC 6266 file name; an inline image only as the raster type its bytes prove. Either way the browser may not sniff
/// it, and opened on its own it is a sandboxed document that can run and load nothing.
/// </summary>
public sealed class AttachmentResult(AttachmentStream file) : IActionResult
{
    public const string Policy = "default-src 'none'; sandbox";

    public async Task ExecuteResultAsync(ActionContext context)
    {
        await using var _ = file;
        var response = context.HttpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = file.ContentType ?? "application/octet-stream";
        response.ContentLength = file.Length;
        response.Headers.ContentSecurityPolicy = Policy;
        response.Headers.XContentTypeOptions = "nosniff";
        if (file.FileName is { } name)
        {
            // filename="ASCII fallback"; filename*=UTF-8''percent-encoded (RFC 6266), from a name already cleaned.
            var disposition = new ContentDispositionHeaderValue("attachment");
            disposition.SetHttpFileName(name);
            response.Headers.ContentDisposition = disposition.ToString();
        }

        await file.CopyToAsync(response.Body, context.HttpContext.RequestAborted);
    }
}
