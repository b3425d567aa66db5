using Azure;
using Azure.Data.Tables;
using FuncMail.Sessions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FuncMail.Storage;

/// <summary>
/// Deletes ended sessions (past the absolute or idle timeout) and abandoned sign-in transactions (checklist C5).
/// Requests already delete what they find expired; this catches what nobody comes back for.
/// </summary>
public sealed partial class ExpiredRowCleaner(FuncMailTables tables, TimeProvider time, IOptions<SessionOptions> sessions, ILogger<ExpiredRowCleaner> logger)
{
    private static readonly string[] KeysOnly = ["PartitionKey", "RowKey"];

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var idleSince = now - sessions.Value.IdleTimeout;
        try
        {
            var deleted = await DeleteAsync(tables.Sessions, TableClient.CreateQueryFilter($"ExpiresAt lt {now} or LastSeenAt lt {idleSince}"), cancellationToken)
                + await DeleteAsync(tables.SignIns, TableClient.CreateQueryFilter($"ExpiresAt lt {now}"), cancellationToken);
            Deleted(logger, deleted);
            return deleted;
        }
        catch (Exception e) when (StorageOutage.Is(e, cancellationToken))
        {
            // Nothing is lost: expired rows wait for the next run, and requests refuse them on sight anyway.
            StorageUnavailable(logger, StorageOutage.Status(e));
            return 0;
        }
    }

    private static async Task<int> DeleteAsync(TableClient table, string filter, CancellationToken cancellationToken)
    {
        var deleted = 0;
        try
        {
            await foreach (var row in table.QueryAsync<TableEntity>(filter, select: KeysOnly, cancellationToken: cancellationToken))
            {
                try
                {
                    // If-Match: a session renewed since the query is not deleted.
                    var response = await table.DeleteEntityAsync(row.PartitionKey, row.RowKey, row.ETag, cancellationToken);
                    deleted += response.Status == 404 ? 0 : 1;
                }
                catch (RequestFailedException e) when (e.Status == 412)
                {
                    // Renewed between the query and the delete: it lives on.
                }
            }
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // The table does not exist yet.
        }

        return deleted;
    }

    [LoggerMessage(EventId = 2100, Level = LogLevel.Information, Message = "Cleanup deleted {Count} expired rows")]
    private static partial void Deleted(ILogger logger, int count);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Error, Message = "Cleanup could not reach Table Storage (HTTP {Status}) after the SDK's retries; the next run tries again")]
    private static partial void StorageUnavailable(ILogger logger, int status);
}
