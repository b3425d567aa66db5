using Azure;
using Azure.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace FuncMail.Web;

/// <summary>
/// What wraps every function call, in the Functions host (<see cref="FuncMailWorkerMiddleware"/>) and in the test
/// host alike: security headers first; a friendly 503 when storage is down (the session is kept, checklist E4);
/// a friendly 500 page instead of any other unhandled exception.
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
        catch (Exception e) when (IsStorageOutage(e) && !context.RequestAborted.IsCancellationRequested)
        {
            // The SDK has already retried (Storage:NetworkTimeout, 2 retries); the user is not signed out.
            WebLog.StorageUnavailable(logger, (e as RequestFailedException)?.Status ?? 0, Correlation.Get(context));
            return Responses.Unavailable(context, "FuncMail's storage");
        }
        catch (Exception e) when (!context.RequestAborted.IsCancellationRequested)
        {
            WebLog.Unhandled(logger, e.GetType().Name, Correlation.Get(context), e);
            return Responses.Unexpected(context);
        }
    }

    // Graph and MSAL failures are handled where they happen (Polly's TimeoutRejectedException, MsalServiceException),
    // so a timeout that reaches this far is the Azure SDK's NetworkTimeout.
    // A managed-identity token that cannot be had (endpoint hiccup, role not yet effective) is a storage outage too.
    private static bool IsStorageOutage(Exception e) =>
        e is RequestFailedException { Status: 0 or 403 or 408 or 429 or >= 500 } or AuthenticationFailedException
        || (e is OperationCanceledException && e.InnerException is TimeoutException);
}
