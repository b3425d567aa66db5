namespace FuncMail.Sessions;

/// <summary>
/// A semaphore per key (a session, a mailbox) within this instance, made on first use and dropped when nobody holds or
/// awaits it, so memory stays bounded by the requests in flight. Hand-written: .NET and Microsoft.Extensions have no
/// keyed async lock; a SemaphoreSlim guards one object, and a ConcurrentDictionary of them alone never knows when one
/// may go.
/// </summary>
public sealed class KeyedSemaphore(int slots)
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>Keys with a semaphore right now (for tests: none once every lease is gone).</summary>
    public int Count
    {
        get { lock (_entries) { return _entries.Count; } }
    }

    public async ValueTask<Lease> EnterAsync(string key, CancellationToken cancellationToken)
    {
        Entry entry;
        lock (_entries)
        {
            if (!_entries.TryGetValue(key, out entry!))
            {
                _entries[key] = entry = new Entry(slots);
            }

            entry.Users++;
        }

        try
        {
            await entry.Semaphore.WaitAsync(cancellationToken);
        }
        catch
        {
            Leave(key, entry, held: false);
            throw;
        }

        return new Lease(this, key, entry);
    }

    private void Leave(string key, Entry entry, bool held)
    {
        if (held)
        {
            entry.Semaphore.Release();
        }

        lock (_entries)
        {
            if (--entry.Users == 0)
            {
                _entries.Remove(key);
            }
        }
    }

    /// <summary>One hold on a key's semaphore; disposing it lets the next waiter in.</summary>
    public readonly struct Lease : IDisposable
    {
        private readonly KeyedSemaphore _owner;
        private readonly string _key;
        private readonly Entry _entry;

        internal Lease(KeyedSemaphore owner, string key, Entry entry) => (_owner, _key, _entry) = (owner, key, entry);

        public void Dispose() => _owner?.Leave(_key, _entry, held: true);
    }

    internal sealed class Entry(int slots)
    {
        public SemaphoreSlim Semaphore { get; } = new(slots, slots);

        public int Users { get; set; }
    }
}
