using Azure;

namespace FuncMail.Sessions;

/// <summary>
/// One token refresh at a time per session on this instance (single flight). Parallel requests of one session (a
/// browser opening several tabs, a page and its prefetches) each read the row and would each refresh an expired access
/// token; instead they take turns, and the first to refresh shares its new token cache with the others, which read the
/// same row version, so they find a fresh token and make no token request of their own. Across instances the row's
/// ETag decides whose cache is kept: at most one refresh per instance. Also bounds Graph requests per mailbox to
/// Graph's own limit of four at a time, and keeps each session's warm MSAL client for its next request (Park, Take).
/// </summary>
public sealed class SessionTokens(TimeProvider time)
{
    /// <summary>Graph's concurrency limit per app per mailbox (Outlook service limits).</summary>
    public const int GraphRequestsPerMailbox = 4;

    /// <summary>How long a shared cache is offered: waiters are in line for at most a request's deadline.</summary>
    private static readonly TimeSpan ShareFor = TimeSpan.FromMinutes(1);

    /// <summary>How long a failed refresh answers for the requests waiting behind it, so they do not each retry a service that is down.</summary>
    private static readonly TimeSpan FailureFor = TimeSpan.FromSeconds(10);

    /// <summary>At most this many sessions' warm clients are kept on an instance (each holds one user's tokens, a few KB).</summary>
    internal const int MaxParked = 256;

    /// <summary>How long a warm client waits for its session's next request.</summary>
    private static readonly TimeSpan ParkFor = TimeSpan.FromMinutes(10);

    private readonly Dictionary<string, Parked> _parked = new(StringComparer.Ordinal);
    private DateTimeOffset _parkedPurgedAt;
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
    public void Share(string sessionId, ETag readVersion, byte[] cache) => Put(sessionId, new Shared(readVersion, cache, time.GetUtcNow()));

    /// <summary>Tells the requests waiting behind this one that the identity platform just failed to refresh.</summary>
    public void ShareFailure(string sessionId, ETag readVersion) => Put(sessionId, new Shared(readVersion, null, time.GetUtcNow()));

    /// <summary>The cache another request refreshed from the same row version, if any, while it is fresh.</summary>
    public byte[]? SharedSince(string sessionId, ETag readVersion) =>
        Get(sessionId, readVersion) is { Cache: { } cache } shared && time.GetUtcNow() - shared.At <= ShareFor ? cache : null;

    /// <summary>True when a request of this session, from the same row version, failed to refresh moments ago.</summary>
    public bool FailedSince(string sessionId, ETag readVersion) =>
        Get(sessionId, readVersion) is { Cache: null } failed && time.GetUtcNow() - failed.At <= FailureFor;

    /// <summary>
    /// Keeps what a request leaves warm for the session's next request on this instance (its MSAL client, whose
    /// in-memory cache holds the token cache of row version <paramref name="readVersion"/>). The oldest goes when
    /// <see cref="MaxParked"/> sessions are kept.
    /// </summary>
    public void Park<T>(string sessionId, ETag readVersion, T warm)
        where T : class
    {
        if (readVersion == default)
        {
            return; // a row version is what makes taking it over safe; without one, nothing is kept
        }

        var now = time.GetUtcNow();
        lock (_parked)
        {
            PurgeParked(now);
            if (_parked.Count >= MaxParked && !_parked.ContainsKey(sessionId))
            {
                _parked.Remove(_parked.MinBy(p => p.Value.At).Key);
            }

            _parked[sessionId] = new Parked(readVersion, warm, now);
        }
    }

    /// <summary>
    /// What the session's last request left warm, if the row is still at the version that request read and it is
    /// recent; null otherwise. Taking it removes it, so one request at a time uses it.
    /// </summary>
    public T? Take<T>(string sessionId, ETag readVersion)
        where T : class
    {
        var now = time.GetUtcNow();
        lock (_parked)
        {
            PurgeParked(now);
            return _parked.Remove(sessionId, out var parked) && parked.ReadVersion == readVersion && now - parked.At <= ParkFor
                ? parked.Warm as T
                : null;
        }
    }

    /// <summary>How many sessions have something parked (for tests).</summary>
    internal int ParkedCount
    {
        get
        {
            lock (_parked)
            {
                return _parked.Count;
            }
        }
    }

    /// <summary>Drops what is kept for a session that ended: no decrypted cache or warm client outlives its session here.</summary>
    public void Forget(string sessionId)
    {
        lock (_shared)
        {
            _shared.Remove(sessionId);
        }

        lock (_parked)
        {
            _parked.Remove(sessionId);
        }
    }

    private void Put(string sessionId, Shared shared)
    {
        lock (_shared)
        {
            Purge();
            _shared[sessionId] = shared;
        }
    }

    private Shared? Get(string sessionId, ETag readVersion)
    {
        lock (_shared)
        {
            Purge();
            return _shared.TryGetValue(sessionId, out var shared) && shared.ReadVersion == readVersion ? shared : null;
        }
    }

    private void Purge()
    {
        var now = time.GetUtcNow();
        foreach (var old in _shared.Where(s => now - s.Value.At > ShareFor).Select(s => s.Key).ToList())
        {
            _shared.Remove(old);
        }
    }

    /// <summary>
    /// Drops warm clients older than <see cref="ParkFor"/>, at most once a minute (the tokens they hold do not stay in
    /// memory for sessions that never come back, or that ended on another instance or by the Cleanup timer).
    /// </summary>
    private void PurgeParked(DateTimeOffset now)
    {
        if (now - _parkedPurgedAt < TimeSpan.FromMinutes(1))
        {
            return;
        }

        _parkedPurgedAt = now;
        foreach (var stale in _parked.Where(p => now - p.Value.At > ParkFor).Select(p => p.Key).ToList())
        {
            _parked.Remove(stale);
        }
    }

    private sealed record Shared(ETag ReadVersion, byte[]? Cache, DateTimeOffset At);

    private sealed record Parked(ETag ReadVersion, object Warm, DateTimeOffset At);
}
