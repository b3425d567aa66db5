using Azure;

namespace FuncMail.Sessions;

/// <summary>
/// One token refresh at a time per session on this instance (single flight). Parallel requests of one session (a
/// browser opening several tabs, a page and its prefetches) each read the row and would each refresh an expired access
/// token; instead they take turns, and the first to refresh shares its new token cache with the others, which read the
/// same row version, so they find a fresh token and make no token request of their own. Across instances the row's
/// ETag decides whose cache is kept: at most one refresh per instance. Also bounds Graph requests per mailbox to
/// Graph's own limit of four at a time.
/// </summary>
public sealed class SessionTokens(TimeProvider time)
{
    /// <summary>Graph's concurrency limit per app per mailbox (Outlook service limits).</summary>
    public const int GraphRequestsPerMailbox = 4;

    /// <summary>How long a shared cache is offered; a waiter is served within a request's deadline, well before.</summary>
    private static readonly TimeSpan ShareFor = TimeSpan.FromMinutes(1);

    private readonly KeyedSemaphore _refresh = new(1);
    private readonly KeyedSemaphore _graph = new(GraphRequestsPerMailbox);
    private readonly Dictionary<string, Shared> _shared = new(StringComparer.Ordinal);

    /// <summary>Waits for this session's turn to use its token cache.</summary>
    public ValueTask<KeyedSemaphore.Lease> TurnAsync(string sessionId, CancellationToken cancellationToken) =>
        _refresh.EnterAsync(sessionId, cancellationToken);

    /// <summary>Waits for one of the mailbox's Graph slots.</summary>
    public ValueTask<KeyedSemaphore.Lease> GraphSlotAsync(string mailbox, CancellationToken cancellationToken) =>
        _graph.EnterAsync(mailbox, cancellationToken);

    /// <summary>Offers the cache a refresh produced to requests that read the same row version.</summary>
    public void Share(string sessionId, ETag readVersion, byte[] cache)
    {
        var now = time.GetUtcNow();
        lock (_shared)
        {
            foreach (var old in _shared.Where(s => now - s.Value.At > ShareFor).Select(s => s.Key).ToList())
            {
                _shared.Remove(old);
            }

            _shared[sessionId] = new Shared(readVersion, cache, now);
        }
    }

    /// <summary>The cache another request refreshed from the same row version, if any, while it is fresh.</summary>
    public byte[]? SharedSince(string sessionId, ETag readVersion)
    {
        lock (_shared)
        {
            return _shared.TryGetValue(sessionId, out var shared) && shared.ReadVersion == readVersion && time.GetUtcNow() - shared.At <= ShareFor
                ? shared.Cache
                : null;
        }
    }

    private sealed record Shared(ETag ReadVersion, byte[] Cache, DateTimeOffset At);
}
