using Microsoft.Extensions.Caching.Distributed;

namespace Conventional;

/// <summary>Counts the token cache's round trips to its store (IDistributedCache), for the bench's storage figures.</summary>
internal sealed class CacheCounter
{
    private long _reads;
    private long _writes;
    private long _refreshes;
    private long _removes;

    public static void Decorate(IServiceCollection services)
    {
        var inner = services.Last(s => s.ServiceType == typeof(IDistributedCache));
        services.AddSingleton<CacheCounter>();
        services.AddSingleton<IDistributedCache>(provider => new Counted(
            inner.ImplementationFactory?.Invoke(provider) as IDistributedCache
                ?? (IDistributedCache)(inner.ImplementationInstance ?? ActivatorUtilities.CreateInstance(provider, inner.ImplementationType!)),
            provider.GetRequiredService<CacheCounter>()));
    }

    public override string ToString() =>
        $"{Interlocked.Read(ref _reads)} {Interlocked.Read(ref _writes)} {Interlocked.Read(ref _refreshes)} {Interlocked.Read(ref _removes)}";

    private sealed class Counted(IDistributedCache inner, CacheCounter counter) : IDistributedCache
    {
        public byte[]? Get(string key) { Interlocked.Increment(ref counter._reads); return inner.Get(key); }

        public Task<byte[]?> GetAsync(string key, CancellationToken token = default) { Interlocked.Increment(ref counter._reads); return inner.GetAsync(key, token); }

        public void Set(string key, byte[] value, DistributedCacheEntryOptions options) { Interlocked.Increment(ref counter._writes); inner.Set(key, value, options); }

        public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) { Interlocked.Increment(ref counter._writes); return inner.SetAsync(key, value, options, token); }

        public void Refresh(string key) { Interlocked.Increment(ref counter._refreshes); inner.Refresh(key); }

        public Task RefreshAsync(string key, CancellationToken token = default) { Interlocked.Increment(ref counter._refreshes); return inner.RefreshAsync(key, token); }

        public void Remove(string key) { Interlocked.Increment(ref counter._removes); inner.Remove(key); }

        public Task RemoveAsync(string key, CancellationToken token = default) { Interlocked.Increment(ref counter._removes); return inner.RemoveAsync(key, token); }
    }
}
