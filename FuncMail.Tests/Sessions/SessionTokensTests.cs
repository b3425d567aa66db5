using Azure;
using FuncMail.Sessions;
using Microsoft.Extensions.Time.Testing;

namespace FuncMail.Tests.Sessions;

/// <summary>The per-session turn, the cache a refresh shares with the requests waiting behind it, and the warm client a request leaves for the next.</summary>
public sealed class SessionTokensTests
{
    [Fact]
    public async Task KeyedSemaphore_OneKeyAtATime_AndForgetsKeysNobodyHolds()
    {
        var semaphore = new KeyedSemaphore(1);
        var first = await semaphore.EnterAsync("session-a", CancellationToken.None);
        var other = await semaphore.EnterAsync("session-b", CancellationToken.None); // another key does not wait
        var second = semaphore.EnterAsync("session-a", CancellationToken.None).AsTask();
        Assert.False(second.IsCompleted);

        first.Dispose();
        (await second).Dispose();
        other.Dispose();

        Assert.Equal(0, semaphore.Count);
    }

    [Fact]
    public async Task KeyedSemaphore_WaiterCancelled_LeavesNothingBehind()
    {
        var semaphore = new KeyedSemaphore(1);
        var held = await semaphore.EnterAsync("session-a", CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var waiting = semaphore.EnterAsync("session-a", cancel.Token).AsTask();

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        held.Dispose();

        Assert.Equal(0, semaphore.Count);
    }

    [Fact]
    public void Shared_OnlyToRequestsThatReadTheSameRowVersion_AndOnlyForAMinute()
    {
        var time = new FakeTimeProvider();
        var tokens = new SessionTokens(time);
        tokens.Share("session-a", new ETag("v1"), [1, 2, 3]);

        Assert.Equal([1, 2, 3], tokens.SharedSince("session-a", new ETag("v1")));
        Assert.Null(tokens.SharedSince("session-a", new ETag("v2"))); // read after the refresh was saved: its own cache is newer
        Assert.Null(tokens.SharedSince("session-b", new ETag("v1")));

        time.Advance(TimeSpan.FromMinutes(2));
        Assert.Null(tokens.SharedSince("session-a", new ETag("v1")));
    }

    [Fact]
    public void Forget_DropsTheSharedCacheOfAnEndedSession()
    {
        var tokens = new SessionTokens(new FakeTimeProvider());
        tokens.Share("session-a", new ETag("v1"), [1]);

        tokens.Forget("session-a");

        Assert.Null(tokens.SharedSince("session-a", new ETag("v1")));
    }

    [Fact]
    public void FailedRefresh_AnswersTheWaitersBehindItForTenSeconds()
    {
        var time = new FakeTimeProvider();
        var tokens = new SessionTokens(time);
        tokens.ShareFailure("session-a", new ETag("v1"));

        Assert.True(tokens.FailedSince("session-a", new ETag("v1")));
        Assert.Null(tokens.SharedSince("session-a", new ETag("v1")));
        time.Advance(TimeSpan.FromSeconds(11));
        Assert.False(tokens.FailedSince("session-a", new ETag("v1")));
    }

    [Fact]
    public void Take_HandsAParkedClientToOneRequest_OnlyForTheRowVersionItWasParkedWith_AndOnlyWhileRecent()
    {
        var time = new FakeTimeProvider();
        var tokens = new SessionTokens(time);
        var warm = new object();

        tokens.Park("session-a", new ETag("v1"), warm);
        Assert.Null(tokens.Take<object>("session-b", new ETag("v1")));
        Assert.Null(tokens.Take<object>("session-a", new ETag("v2"))); // the row changed: not this client
        Assert.Null(tokens.Take<object>("session-a", new ETag("v1"))); // ...and it was dropped

        tokens.Park("session-a", new ETag("v1"), warm);
        Assert.Same(warm, tokens.Take<object>("session-a", new ETag("v1")));
        Assert.Null(tokens.Take<object>("session-a", new ETag("v1"))); // one request at a time

        tokens.Park("session-a", new ETag("v1"), warm);
        time.Advance(TimeSpan.FromMinutes(11));
        Assert.Null(tokens.Take<object>("session-a", new ETag("v1")));
    }

    [Fact]
    public void Park_KeepsAtMostMaxParkedSessions_DroppingTheOldest()
    {
        var time = new FakeTimeProvider();
        var tokens = new SessionTokens(time);
        for (var i = 0; i <= SessionTokens.MaxParked; i++)
        {
            tokens.Park($"session-{i}", new ETag("v1"), new object());
            time.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.Equal(SessionTokens.MaxParked, tokens.ParkedCount);
        Assert.Null(tokens.Take<object>("session-0", new ETag("v1")));
        Assert.NotNull(tokens.Take<object>($"session-{SessionTokens.MaxParked}", new ETag("v1")));
    }

    [Fact]
    public void Park_WithoutARowVersion_KeepsNothing_AndOldClientsAreDroppedEvenIfNoOneAsks()
    {
        var time = new FakeTimeProvider();
        var tokens = new SessionTokens(time);
        tokens.Park("session-a", default, new object());
        Assert.Equal(0, tokens.ParkedCount);

        tokens.Park("session-a", new ETag("v1"), new object());
        time.Advance(TimeSpan.FromMinutes(11));
        tokens.Park("session-b", new ETag("v1"), new object());

        Assert.Equal(1, tokens.ParkedCount); // session-a's tokens did not wait for session-a to come back
    }

    [Fact]
    public void Forget_DropsTheWarmClientOfAnEndedSession()
    {
        var tokens = new SessionTokens(new FakeTimeProvider());
        tokens.Park("session-a", new ETag("v1"), new object());

        tokens.Forget("session-a");

        Assert.Null(tokens.Take<object>("session-a", new ETag("v1")));
    }
}
