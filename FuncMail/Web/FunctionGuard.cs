using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace FuncMail.Web;

/// <summary>
/// What wraps every function call, in the Functions host (<see cref="FuncMailWorkerMiddleware"/>) and in the test
/// host alike: security headers first, then a friendly 500 page instead of any unhandled exception.
/// </summary>
public static class FunctionGuard
{
    public static async Task<IActionResult?> InvokeAsync(HttpContext context, Func<Task<IActionResult?>> function, ILogger logger)
    {
        ResponseHardening.Apply(context.Response);
        try
        {
            return await function();
        }
        catch (Exception e) when (!context.RequestAborted.IsCancellationRequested)
        {
            WebLog.Unhandled(logger, e.GetType().Name, Correlation.Get(context), e);
            return Responses.Unexpected(context);
        }
    }
}
