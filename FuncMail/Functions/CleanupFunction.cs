using FuncMail.Storage;
using Microsoft.Azure.Functions.Worker;

namespace FuncMail.Functions;

/// <summary>Every 30 minutes, deletes expired sessions and abandoned sign-ins.</summary>
public sealed class CleanupFunction(ExpiredRowCleaner cleaner)
{
    public const string Schedule = "0 */30 * * * *";

    [Function("Cleanup")]
    public Task Run([TimerTrigger(Schedule)] TimerInfo timer, CancellationToken cancellationToken) =>
        cleaner.RunAsync(cancellationToken);
}
