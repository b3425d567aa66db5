using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;

namespace FuncMail.Web;

/// <summary>Runs <see cref="FunctionGuard"/> around each HTTP function in the Functions host.</summary>
public sealed class FuncMailWorkerMiddleware(ILogger<FuncMailWorkerMiddleware> logger) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        if (context.GetHttpContext() is not { } http)
        {
            await next(context);
            return;
        }

        var result = await FunctionGuard.InvokeAsync(
            http,
            async () =>
            {
                await next(context);
                return context.GetInvocationResult().Value as IActionResult;
            },
            logger);

        if (result is not null)
        {
            context.GetInvocationResult().Value = result;
        }
    }
}
