using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace FuncMail.Web;

/// <summary>Runs each HTTP function inside <see cref="FunctionGuard"/> in the Functions worker.</summary>
public sealed class FuncMailWorkerMiddleware(FunctionGuard guard) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        if (context.GetHttpContext() is not { } http)
        {
            await next(context);
            return;
        }

        // The host's trace for this invocation becomes the request's support id (Application Insights' operation_Id).
        Correlation.Adopt(http, context.TraceContext.TraceParent);
        await guard.RunAsync(http, context.CancellationToken, async () =>
        {
            await next(context);
            return context.GetInvocationResult().Value;
        });

        // The guard has written the response. Left in place, the result would be executed a second time by the
        // worker's ASP.NET Core integration, and serialized into the invocation's reply to the host: for SignIn that
        // is the whole authorize URL with its state, nonce and code challenge.
        context.GetInvocationResult().Value = null;
    }
}
