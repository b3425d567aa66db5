using Azure;
using Azure.Data.Tables;
using FuncMail.Storage;

namespace FuncMail.Sessions;

/// <summary>Session rows in Table Storage: one partition per session id, token cache encrypted and split into 64 KiB-safe chunks.</summary>
public sealed class SessionStore(FuncMailTables tables, TokenCacheProtector protector)
{
    // A Table property holds at most 64 KiB and an entity at most 1 MiB (checklist C4).
    internal const int ChunkSize = 60 * 1024;
    internal const int MaxChunks = 14;
    private const string CachePrefix = "Cache";

    /// <summary>The one point read of a request (exactly one Table call), with the token cache opened.</summary>
    public async Task<Session?> GetAsync(string id, CancellationToken cancellationToken) =>
        await GetSealedAsync(id, cancellationToken) is { } session ? Open(session) : null;

    /// <summary>The one point read, leaving the token cache sealed until <see cref="Open"/>: a session that has ended needs no key.</summary>
    public async Task<Session?> GetSealedAsync(string id, CancellationToken cancellationToken)
    {
        var response = await tables.Sessions.GetEntityIfExistsAsync<TableEntity>(id, "", cancellationToken: cancellationToken);
        return response.HasValue ? FromEntity(response.Value!) : null;
    }

    /// <summary>Opens the session's sealed token cache; throws <see cref="SessionKeyUnavailableException"/> when its key is not configured here.</summary>
    public Session Open(Session session) =>
        session.Sealed is { } entity ? session with { TokenCache = ReadCache(entity), Sealed = null } : session;

    public Task CreateAsync(Session session, CancellationToken cancellationToken) =>
        FuncMailTables.WriteAsync(tables.Sessions, table => table.AddEntityAsync(ToEntity(session), cancellationToken), cancellationToken);

    /// <summary>Replaces the row if nobody else changed it since it was read; false on a lost race (HTTP 412).</summary>
    public async Task<bool> TryReplaceAsync(Session session, CancellationToken cancellationToken)
    {
        try
        {
            await tables.Sessions.UpdateEntityAsync(ToEntity(session), session.ETag, TableUpdateMode.Replace, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 412 or 404)
        {
            return false;
        }
    }

    /// <summary>Deletes the row and with it the tokens; a missing row is fine.</summary>
    public async Task DeleteAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            await tables.Sessions.DeleteEntityAsync(id, "", ETag.All, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // Already gone, or the table was never created.
        }
    }

    private TableEntity ToEntity(Session session)
    {
        var entity = new TableEntity(session.Id, "")
        {
            [nameof(Session.HomeAccountId)] = session.HomeAccountId,
            [nameof(Session.DisplayName)] = session.DisplayName,
            [nameof(Session.Username)] = session.Username,
            [nameof(Session.CreatedAt)] = session.CreatedAt,
            [nameof(Session.LastSeenAt)] = session.LastSeenAt,
            [nameof(Session.ExpiresAt)] = session.ExpiresAt,
            [nameof(Session.TimeZone)] = session.TimeZone,
            [nameof(Session.SignedInForClaims)] = session.SignedInForClaims,
            [nameof(Session.LogoutHint)] = session.LogoutHint,
            [nameof(Session.WellKnownFolderIds)] = session.WellKnownFolderIds is null ? null
                : System.Text.Json.JsonSerializer.Serialize(session.WellKnownFolderIds.ToDictionary(), FolderIdsJson.Default.DictionaryStringString),
        };

        if (session.TokenCache is { Length: > 0 } plain)
        {
            var sealedBytes = protector.Protect(session.Id, plain);
            var chunks = (sealedBytes.Length + ChunkSize - 1) / ChunkSize;
            if (chunks > MaxChunks)
            {
                throw new TokenCacheTooLargeException(sealedBytes.Length);
            }

            entity["CacheKeyId"] = protector.ActiveKeyId;
            entity["CacheChunks"] = chunks;
            for (var i = 0; i < chunks; i++)
            {
                entity[CachePrefix + i] = sealedBytes.AsSpan(i * ChunkSize, Math.Min(ChunkSize, sealedBytes.Length - (i * ChunkSize))).ToArray();
            }
        }

        return entity;
    }

    private Session FromEntity(TableEntity entity) =>
        new()
        {
            Id = entity.PartitionKey,
            HomeAccountId = entity.GetString(nameof(Session.HomeAccountId)) ?? "",
            DisplayName = entity.GetString(nameof(Session.DisplayName)) ?? "",
            Username = entity.GetString(nameof(Session.Username)) ?? "",
            CreatedAt = entity.GetDateTimeOffset(nameof(Session.CreatedAt)) ?? DateTimeOffset.MinValue,
            LastSeenAt = entity.GetDateTimeOffset(nameof(Session.LastSeenAt)) ?? DateTimeOffset.MinValue,
            ExpiresAt = entity.GetDateTimeOffset(nameof(Session.ExpiresAt)) ?? DateTimeOffset.MinValue,
            TokenCache = null,
            Sealed = entity,
            ETag = entity.ETag,
            TimeZone = entity.GetString(nameof(Session.TimeZone)),
            SignedInForClaims = entity.GetBoolean(nameof(Session.SignedInForClaims)) ?? false,
            LogoutHint = entity.GetString(nameof(Session.LogoutHint)),
            WellKnownFolderIds = ReadFolderIds(entity.GetString(nameof(Session.WellKnownFolderIds))),
        };

    private static Dictionary<string, string>? ReadFolderIds(string? json)
    {
        try
        {
            return json is { Length: > 0 and < 8192 } ? System.Text.Json.JsonSerializer.Deserialize(json, FolderIdsJson.Default.DictionaryStringString) : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null; // The picker falls back to names.
        }
    }

    private byte[]? ReadCache(TableEntity entity)
    {
        var chunks = entity.GetInt32("CacheChunks") ?? 0;
        if (chunks is <= 0 or > MaxChunks || entity.GetString("CacheKeyId") is not { } keyId)
        {
            return null;
        }

        // Sealed under a key this instance does not have: a rotation is rolling out. The row is fine; this instance is
        // not ready for it yet (checklist H4).
        if (!protector.KnowsKey(keyId))
        {
            throw new SessionKeyUnavailableException();
        }

        using var buffer = new MemoryStream();
        for (var i = 0; i < chunks; i++)
        {
            if (entity.GetBinary(CachePrefix + i) is not { } chunk)
            {
                return null;
            }

            buffer.Write(chunk);
        }

        return protector.Unprotect(entity.PartitionKey, keyId, buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }
}

/// <summary>A token cache that, sealed, would not fit in a session row (checklist C4); the session cannot be kept.</summary>
public sealed class TokenCacheTooLargeException(int bytes) : Exception($"The sealed token cache is {bytes} bytes, more than a session row holds.");

/// <summary>A session row sealed under a key id this instance's settings do not list (a key rotation rolling out).</summary>
public sealed class SessionKeyUnavailableException() : Exception("The session's token cache is sealed under a key this instance does not have.");

/// <summary>The session row's one JSON property, by source generation.</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class FolderIdsJson : System.Text.Json.Serialization.JsonSerializerContext;
