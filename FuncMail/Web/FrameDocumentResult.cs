using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace FuncMail.Web;

/// <summary>
/// The message body's document, for the sandboxed frame on the message page: the one response FuncMail lets be
/// framed (by its own pages only), under a policy of its own that replaces the page policy ResponseHardening set.
/// </summary>
/// <remarks>
/// A separate document rather than <c>srcdoc</c>, because a srcdoc frame inherits its parent's CSP, whose style hash
/// would strip every inline style in the mail, and could not differ per message (docs/architecture.md).
/// </remarks>
public sealed class FrameDocumentResult(string html, bool showImages, int statusCode = StatusCodes.Status200OK) : IActionResult
{
    /// <summary>
    /// Nothing runs or loads but inline styles and images from FuncMail (inline attachments), plus https images once
    /// the user asked; sandboxed even when opened on its own; framed only by FuncMail.
    /// </summary>
    public static string Policy(bool showImages) =>
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'" + (showImages ? " https:" : "") +
        "; font-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'; sandbox allow-popups allow-popups-to-escape-sandbox";

    public int StatusCode => statusCode;

    public async Task ExecuteResultAsync(ActionContext context)
    {
        var response = context.HttpContext.Response;
        var bytes = Encoding.UTF8.GetBytes(html);
        response.StatusCode = statusCode;
        response.ContentType = "text/html; charset=utf-8";
        response.ContentLength = bytes.Length;
        response.Headers.ContentSecurityPolicy = Policy(showImages);

        // frame-ancestors governs in browsers that know it; SAMEORIGIN (not the DENY every other response carries) for those that do not.
        response.Headers.XFrameOptions = "SAMEORIGIN";
        await response.Body.WriteAsync(bytes, context.HttpContext.RequestAborted);
    }
}
