namespace FuncMail.Compare;

internal static class Load
{
    public static Task RunAsync(FuncMail.Tests.Infrastructure.AzuriteFixture azurite, int sessions, TimeSpan duration, bool smoke) => Task.CompletedTask;
}
