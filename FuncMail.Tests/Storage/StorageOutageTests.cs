using Azure;
using Azure.Identity;
using FuncMail.Storage;

namespace FuncMail.Tests.Storage;

/// <summary>The exception shapes the Azure SDK ends a failed Table call in, as seen through the real worker (checklist E4).</summary>
public sealed class StorageOutageTests
{
    private static readonly CancellationToken NotCancelled = CancellationToken.None;

    [Fact]
    public void Is_EachShapeOfAnOutage_IsAnOutage()
    {
        // The SDK's network timeout: "exceeded the configured timeout", wrapping the transport's own cancellation.
        var timeout = new TaskCanceledException("The operation was cancelled because it exceeded the configured timeout of 0:00:05.", new TaskCanceledException());

        Assert.True(StorageOutage.Is(new RequestFailedException(503, "ServerBusy"), NotCancelled));
        Assert.True(StorageOutage.Is(new RequestFailedException(0, "Connection refused"), NotCancelled));
        Assert.True(StorageOutage.Is(new RequestFailedException(403, "AuthorizationPermissionMismatch"), NotCancelled));
        Assert.True(StorageOutage.Is(new AuthenticationFailedException("No managed identity token"), NotCancelled));
        Assert.True(StorageOutage.Is(timeout, NotCancelled));
        Assert.True(StorageOutage.Is(new AggregateException(new RequestFailedException(0, "refused"), new RequestFailedException(0, "refused"), new RequestFailedException(0, "refused")), NotCancelled));
        Assert.True(StorageOutage.Is(new AggregateException(new RequestFailedException(503, "busy"), timeout), NotCancelled));
    }

    [Fact]
    public void Is_TheCallersOwnCancellation_IsNotAnOutage()
    {
        var cancelled = new CancellationToken(canceled: true);

        Assert.False(StorageOutage.Is(new OperationCanceledException(cancelled), cancelled));
        Assert.False(StorageOutage.Is(new AggregateException(new RequestFailedException(0, "refused"), new TaskCanceledException()), cancelled));
    }

    [Fact]
    public void Is_WhatIsNotStorage_IsNotAnOutage()
    {
        Assert.False(StorageOutage.Is(new RequestFailedException(409, "EntityAlreadyExists"), NotCancelled));
        Assert.False(StorageOutage.Is(new RequestFailedException(400, "InvalidInput"), NotCancelled));
        Assert.False(StorageOutage.Is(new InvalidOperationException(), NotCancelled));
        Assert.False(StorageOutage.Is(new AggregateException(new RequestFailedException(0, "refused"), new InvalidOperationException()), NotCancelled));
        Assert.False(StorageOutage.Is(new AggregateException(), NotCancelled));
    }
}
