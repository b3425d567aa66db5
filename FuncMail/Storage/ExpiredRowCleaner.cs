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
/// <remarks>
/// A run stops at <see cref="RunBudget"/>, well inside the host's functionTimeout, and the next run carries on where
/// it stopped: the query only ever finds what is still expired. Rows of one partition (a browser's sign-in slots) go
/// in one batch; a session is a partition of its own, so sessions go one by one.
/// </remarks>
public sealed partial class ExpiredRowCleaner(FuncMailTables tables, TimeProvider time, IOptions<SessionOptions> sessions, ILogger<ExpiredRowCleaner> logger)
{
    /// <summary>How long one run may take; host.json's functionTimeout is one minute.</summary>
    public static readonly TimeSpan RunBudget = TimeSpan.FromSeconds(40);

    /// <summary>A Table batch holds at most 100 operations, all in one partition.</summary>
    private const int MaxBatch = 100;

    private static readonly string[] KeysOnly = ["PartitionKey", "RowKey"];

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var idleSince = now - sessions.Value.IdleTimeout;
        using var budget = new CancellationTokenSource(RunBudget, time);
        using var run = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budget.Token);
        var deleted = new Tally();
        try
        {
            await DeleteAsync(tables.Sessions, TableClient.CreateQueryFilter($"ExpiresAt lt {now} or LastSeenAt lt {idleSince}"), deleted, run.Token);
            await DeleteAsync(tables.SignIns, TableClient.CreateQueryFilter($"ExpiresAt lt {now}"), deleted, run.Token);
            Deleted(logger, deleted.Count);
        }
        catch (Exception) when (budget.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            StoppedAtBudget(logger, deleted.Count, (long)RunBudget.TotalSeconds);
        }
        catch (Exception e) when (StorageOutage.Is(e, run.Token))
        {
            // Nothing is lost: expired rows wait for the next run, and requests refuse them on sight anyway.
            StorageUnavailable(logger, StorageOutage.Status(e), deleted.Count);
        }

        return deleted.Count;
    }

    private static async Task DeleteAsync(TableClient table, string filter, Tally deleted, CancellationToken cancellationToken)
    {
        var batch = new List<TableEntity>();
        try
        {
            // The service returns rows ordered by partition, so one partition's rows arrive together.
            await foreach (var row in table.QueryAsync<TableEntity>(filter, select: KeysOnly, cancellationToken: cancellationToken))
            {
                if (batch.Count == MaxBatch || (batch.Count > 0 && batch[0].PartitionKey != row.PartitionKey))
                {
                    await DeleteBatchAsync(table, batch, deleted, cancellationToken);
                    batch.Clear();
                }

                batch.Add(row);
            }

            await DeleteBatchAsync(table, batch, deleted, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404 && e.ErrorCode == "TableNotFound")
        {
            // The table does not exist yet.
        }
    }

    /// <summary>Deletes one partition's expired rows, each with If-Match: a row renewed since the query lives on.</summary>
    private static async Task DeleteBatchAsync(TableClient table, List<TableEntity> rows, Tally deleted, CancellationToken cancellationToken)
    {
        if (rows.Count > 1)
        {
            try
            {
                await table.SubmitTransactionAsync(rows.Select(r => new TableTransactionAction(TableTransactionActionType.Delete, r, r.ETag)), cancellationToken);
                deleted.Count += rows.Count;
                return;
            }
            catch (TableTransactionFailedException e) when (e.Status is 404 or 412)
            {
                // One row was renewed or is gone, which fails the whole batch: take them one by one.
            }
        }

        foreach (var row in rows)
        {
            try
            {
                var response = await table.DeleteEntityAsync(row.PartitionKey, row.RowKey, row.ETag, cancellationToken);
                deleted.Count += response.Status == 404 ? 0 : 1;
            }
            catch (RequestFailedException e) when (e.Status == 412)
            {
                // Renewed between the query and the delete: it lives on.
            }
        }
    }

    private sealed class Tally
    {
        public int Count { get; set; }
    }

    [LoggerMessage(EventId = 2100, Level = LogLevel.Information, Message = "Cleanup deleted {Count} expired rows")]
    private static partial void Deleted(ILogger logger, int count);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Error, Message = "Cleanup could not reach Table Storage (HTTP {Status}) after the SDK's retries, having deleted {Count} rows; the next run tries again")]
    private static partial void StorageUnavailable(ILogger logger, int status, int count);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "Cleanup stopped at its {BudgetSeconds} s budget having deleted {Count} rows; the next run carries on")]
    private static partial void StoppedAtBudget(ILogger logger, int count, long budgetSeconds);
}
