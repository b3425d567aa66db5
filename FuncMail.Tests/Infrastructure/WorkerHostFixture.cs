namespace FuncMail.Tests.Infrastructure;

/// <summary>One real worker shared by the tests of a class: starting one costs about half a second.</summary>
/// <remarks>Tests that share it use browsers of their own and leave the stubs as they found them.</remarks>
public sealed class WorkerHostFixture(AzuriteFixture azurite) : IAsyncLifetime
{
    public FuncMailWorkerHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await FuncMailWorkerHost.StartAsync(azurite);

    public async Task DisposeAsync() => await Host.DisposeAsync();
}
