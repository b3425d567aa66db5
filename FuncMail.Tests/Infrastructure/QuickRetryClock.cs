using FuncMail.Mail;

namespace FuncMail.Tests.Infrastructure;

/// <summary>
/// The Graph resilience pipeline's clock in the in-process tests: real time, except that a wait no longer than the
/// pipeline's longest retry wait (<see cref="GraphResilience.LongestWait"/>) takes a millisecond. Retries, their
/// count and their logged delays are unchanged; the attempt and total timeouts (8 s and 20 s) still run in real time.
/// </summary>
public sealed class QuickRetryClock : TimeProvider
{
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        System.CreateTimer(callback, state, dueTime > TimeSpan.Zero && dueTime <= GraphResilience.LongestWait ? TimeSpan.FromMilliseconds(1) : dueTime, period);
}
