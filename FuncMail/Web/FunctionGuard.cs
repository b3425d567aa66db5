using FuncMail.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace FuncMail.Web;

/// <summary>
/// What wraps every HTTP function call, in the Functions worker (<see cref="FuncMailWorkerMiddleware"/>) and in the
/// in-process test host alike: security headers first; the function; then its result, executed here rather than by
/// the worker, so that a failure while a page renders is caught too. A storage outage gives the friendly 503 page
/// (the session is kept, checklist E4); any other exception the friendly 500 page with a support id, never a stack
/// trace and never a 200 with a cut body (H6).
/// </summary>
public static class FunctionGuard
{
    public static async Task RunAsync(HttpContext context, Func<Task<IActionResult?>> function, ILogger logger)
    {
        ResponseHardening.Apply(context.Response);
        try
        {
            if (await function() is { } result)
            {
                await ExecuteAsync(context, result);
            }
        }
        catch (Exception e) when (StorageOutage.Is(e) && !context.RequestAborted.IsCancellationRequested)
        {
            // The SDK has already retried (Storage:NetworkTimeout, 2 retries); the user is not signed out.
            WebLog.StorageUnavailable(logger, StorageOutage.Status(e), Correlation.Get(context));
            await ReplaceAsync(context, Responses.Unavailable(context, "FuncMail's storage"));
        }
        catch (Exception e) when (!context.RequestAborted.IsCancellationRequested)
        {
            WebLog.Unhandled(logger, e.GetType().Name, Correlation.Get(context), e);
            await ReplaceAsync(context, Responses.Unexpected(context));
        }
    }

    private static Task ExecuteAsync(HttpContext context, IActionResult result) =>
        result.ExecuteResultAsync(new ActionContext(context, context.GetRouteData(), new ActionDescriptor()));

    /// <summary>Throws away whatever the failed call put on the response (status, cookies, headers) and gives the error page instead.</summary>
    private static async Task ReplaceAsync(HttpContext context, IActionResult page)
    {
        if (context.Response.HasStarted)
        {
            // Pages are rendered to a buffer first (PageResult), so only a streamed body can get here. A broken
            // connection tells the browser the truth; a 200 with a cut body would not.
            context.Abort();
            return;
        }

        context.Response.Clear();
        ResponseHardening.Apply(context.Response);
        await ExecuteAsync(context, page);
    }
}
