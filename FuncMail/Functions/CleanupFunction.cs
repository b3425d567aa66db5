using FuncMail.Sessions;
using Microsoft.Azure.Functions.Worker;

namespace FuncMail.Functions;

/// <summary>Every 30 minutes, deletes expired sessions and abandoned sign-ins.</summary>
public sealed class CleanupFunction(ExpiredRowCleaner cleaner)
{
    public const string Name = "Cleanup";

    public const string Schedule = "0 */30 * * * *";

    [Function(Name)]
    public Task Run([TimerTrigger(Schedule)] TimerInfo timer, CancellationToken cancellationToken) =>
        cleaner.RunAsync(cancellationToken);
}
