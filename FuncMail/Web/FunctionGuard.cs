using FuncMail.Sessions;
using FuncMail.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FuncMail.Web;

/// <summary>
/// What wraps every HTTP function call, in the Functions worker (<see cref="FuncMailWorkerMiddleware"/>) and in the
/// in-process test host alike:
/// <list type="bullet">
/// <item>security headers first;</item>
/// <item>one deadline for the whole request (checklist H2): the browser's abort, the host's cancellation and the
/// request budget are linked into <see cref="HttpContext.RequestAborted"/>, which every service passes on;</item>
/// <item>the function, then its result, executed here rather than by the worker, so that a failure while a page
/// renders is caught too (H6);</item>
/// <item>past the deadline the 504 page; a storage outage the 503 page, keeping the session (E4); anything else the
/// 500 page with a support id, never a stack trace and never a 200 with a cut body.</item>
/// </list>
/// </summary>
public sealed class FunctionGuard(ResponseHardening hardening, IOptions<WebOptions> options, TimeProvider time, ILogger<FunctionGuard> logger)
{
    /// <param name="invocation">The host's cancellation of this invocation (a disconnect or a shutdown).</param>
    public async Task RunAsync(HttpContext context, CancellationToken invocation, Func<Task<object?>> function)
    {
        hardening.Apply(context.Response);
        var browser = context.RequestAborted;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(browser, invocation);
        using var budget = new CancellationTokenSource(options.Value.RequestTimeout, time);
        using var link = budget.Token.Register(deadline.Cancel);
        context.RequestAborted = deadline.Token;
        try
        {
            var result = await function();
            await ExecuteAsync(context, result as IActionResult ?? throw new InvalidOperationException(
                $"An HTTP function returned {result?.GetType().Name ?? "nothing"}; FuncMail's functions return an IActionResult."));
        }
        catch (Exception) when (browser.IsCancellationRequested || invocation.IsCancellationRequested)
        {
            // The browser went away or the host cancelled the invocation: nobody is waiting for a page.
            WebLog.Abandoned(logger, Correlation.Get(context));
        }
        catch (Exception e) when (budget.IsCancellationRequested)
        {
            context.RequestAborted = browser;
            WebLog.DeadlineExceeded(logger, (long)options.Value.RequestTimeout.TotalMilliseconds, e.GetType().Name, Correlation.Get(context));
            await ReplaceAsync(context, Responses.Error(context, Problem.TookTooLong));
        }
        catch (AmbiguousCookieException e)
        {
            context.RequestAborted = browser;
            WebLog.AmbiguousCookie(logger, e.CookieName, e.Count, Correlation.Get(context));
            await ReplaceAsync(context, Responses.Error(context, Problem.AmbiguousCookie));
        }
        catch (SessionKeyUnavailableException)
        {
            // A key rotation is rolling out and this instance has not got the new key yet: try again, still signed in (H4).
            context.RequestAborted = browser;
            WebLog.SessionKeyUnavailable(logger, Correlation.Get(context));
            await ReplaceAsync(context, Responses.Error(context, Problem.SessionKeyUnavailable));
        }
        catch (Exception e) when (StorageOutage.Is(e, deadline.Token))
        {
            // The SDK has already retried (Storage:NetworkTimeout, 2 retries); the user is not signed out.
            context.RequestAborted = browser;
            WebLog.StorageUnavailable(logger, StorageOutage.Status(e), Correlation.Get(context));
            await ReplaceAsync(context, Responses.Error(context, Problem.StorageUnavailable));
        }
        catch (Exception e)
        {
            context.RequestAborted = browser;
            WebLog.Unhandled(logger, e.GetType().Name, Correlation.Get(context), e);
            await ReplaceAsync(context, Responses.Error(context, Problem.Unexpected));
        }
        finally
        {
            // The linked token is disposed with this call; whatever reads the context later must see the browser's own.
            context.RequestAborted = browser;
        }
    }

    private static Task ExecuteAsync(HttpContext context, IActionResult result) =>
        result.ExecuteResultAsync(new ActionContext(context, context.GetRouteData(), new ActionDescriptor()));

    /// <summary>Throws away whatever the failed call put on the response (status, cookies, headers) and gives the error page instead.</summary>
    private async Task ReplaceAsync(HttpContext context, IActionResult page)
    {
        if (context.Response.HasStarted)
        {
            // Pages are rendered to a buffer first (PageResult), so only a streamed body can get here. A broken
            // connection tells the browser the truth; a 200 with a cut body would not.
            context.Abort();
            return;
        }

        context.Response.Clear();
        hardening.Apply(context.Response);
        await ExecuteAsync(context, page);
    }
}
