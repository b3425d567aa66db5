using System.Security.Cryptography;
using FuncMail.Auth;
using FuncMail.Sessions;
using FuncMail.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FuncMail.Tests.Sessions;

/// <summary>The session store against real Azurite.</summary>
public sealed class SessionStoreTests(AzuriteFixture azurite) : HostedTest(azurite)
{
    private Session NewSession(byte[]? cache) =>
        new()
        {
            Id = SecureIds.New(),
            HomeAccountId = "oid.tid",
            DisplayName = "Ada",
            Username = "ada@contoso.example",
            CreatedAt = Host.Time.GetUtcNow(),
            LastSeenAt = Host.Time.GetUtcNow(),
            ExpiresAt = Host.Time.GetUtcNow().AddHours(1),
            TokenCache = cache,
        };

    [Fact]
    [Trait("Checklist", "C4")]
    public async Task CreateThenGet_SeventyKilobyteCache_RoundTripsWithoutStorageError()
    {
        var store = Host.Services.GetRequiredService<SessionStore>();
        var cache = RandomNumberGenerator.GetBytes(70 * 1024);
        var session = NewSession(cache);

        await store.CreateAsync(session, CancellationToken.None);
        var read = await store.GetAsync(session.Id, CancellationToken.None);

        Assert.Equal(cache, read!.TokenCache);
        var row = Assert.Single(await Host.RowsAsync(Host.SessionsTable));
        Assert.Equal(2, row.GetInt32("CacheChunks"));
    }

    [Fact]
    [Trait("Checklist", "C4")]
    public async Task Create_CacheLargerThanARowCanHold_FailsClosedBeforeAnyStorageCall()
    {
        var store = Host.Services.GetRequiredService<SessionStore>();
        Host.Tables.Reset();

        await Assert.ThrowsAsync<TokenCacheTooLargeException>(() => store.CreateAsync(NewSession(new byte[1024 * 1024]), CancellationToken.None));
        Assert.Equal(0, Host.Tables.Writes);
    }

    [Fact]
    [Trait("Checklist", "C1")]
    public async Task StoredRow_HoldsNoPlainToken()
    {
        var store = Host.Services.GetRequiredService<SessionStore>();
        await store.CreateAsync(NewSession("{\"secret\":\"rt-canary-123\"}"u8.ToArray()), CancellationToken.None);

        var row = Assert.Single(await Host.RowsAsync(Host.SessionsTable));

        Assert.Equal(-1, row.GetBinary("Cache0").AsSpan().IndexOf("rt-canary-123"u8));
    }

    [Fact]
    [Trait("Checklist", "C1")]
    public async Task Get_SealedCacheCopiedFromAnotherRow_IsRefused()
    {
        // The row's own session id is the associated data: a sealed cache moved into another row does not open there.
        var store = Host.Services.GetRequiredService<SessionStore>();
        var victim = NewSession("{\"victim\":\"tokens\"}"u8.ToArray());
        var attacker = NewSession("{\"attacker\":\"tokens\"}"u8.ToArray());
        await store.CreateAsync(victim, CancellationToken.None);
        await store.CreateAsync(attacker, CancellationToken.None);
        var victimRow = (await Host.SessionsTable.GetEntityAsync<Azure.Data.Tables.TableEntity>(victim.Id, "")).Value;
        var attackerRow = (await Host.SessionsTable.GetEntityAsync<Azure.Data.Tables.TableEntity>(attacker.Id, "")).Value;
        attackerRow["Cache0"] = victimRow["Cache0"];
        attackerRow["CacheKeyId"] = victimRow["CacheKeyId"];
        attackerRow["CacheChunks"] = victimRow["CacheChunks"];
        await Host.SessionsTable.UpdateEntityAsync(attackerRow, attackerRow.ETag, Azure.Data.Tables.TableUpdateMode.Replace);

        var read = await store.GetAsync(attacker.Id, CancellationToken.None);

        Assert.NotNull(read);
        Assert.Null(read.TokenCache);
        Assert.Equal("{\"victim\":\"tokens\"}"u8.ToArray(), (await store.GetAsync(victim.Id, CancellationToken.None))!.TokenCache);
    }

    [Fact]
    [Trait("Checklist", "C3")]
    public async Task TryReplace_WithStaleETag_ReturnsFalseAndKeepsTheWinner()
    {
        var store = Host.Services.GetRequiredService<SessionStore>();
        var session = NewSession([1, 2, 3]);
        await store.CreateAsync(session, CancellationToken.None);
        var first = (await store.GetAsync(session.Id, CancellationToken.None))!;
        var second = (await store.GetAsync(session.Id, CancellationToken.None))!;

        Assert.True(await store.TryReplaceAsync(first with { TokenCache = [4] }, CancellationToken.None));
        Assert.False(await store.TryReplaceAsync(second with { TokenCache = [5] }, CancellationToken.None));
        Assert.Equal([4], (await store.GetAsync(session.Id, CancellationToken.None))!.TokenCache);
    }

    [Fact]
    [Trait("Checklist", "C2")]
    public void TokenCacheSlot_WriteForAnotherAccount_IsRefused()
    {
        var slot = new TokenCacheSlot([1], "oid-a.tid");

        Assert.Throws<InvalidOperationException>(() => slot.Store([2], "oid-b.tid"));
        Assert.Equal([1], slot.Data);
    }
}
