using Azure;
using Azure.Data.Tables;
using FuncMail.Storage;
using Microsoft.Extensions.Logging;

namespace FuncMail.Sessions;

/// <summary>
/// Deletes ended sessions (past the absolute or idle timeout) and abandoned sign-in transactions (checklist C5).
/// Requests already delete what they find expired; this catches what nobody comes back for.
/// </summary>
/// <remarks>
/// A run stops at <see cref="RunBudget"/>, well inside the host's functionTimeout, and the next run carries on where
/// it stopped: the query only ever finds what is still expired. Rows of one partition (a browser's sign-in slots) go
/// in one batch; partitions go <see cref="Parallelism"/> at a time, so that a run clears tens of thousands of rows
/// (a browser that drops its cookies leaves a partition per SignIn).
/// </remarks>
public sealed partial class ExpiredRowCleaner(FuncMailTables tables, TimeProvider time, SessionLifetime lifetime, ILogger<ExpiredRowCleaner> logger)
{
    /// <summary>How long one run may take; host.json's functionTimeout is one minute.</summary>
    public static readonly TimeSpan RunBudget = TimeSpan.FromSeconds(40);

    /// <summary>A Table batch holds at most 100 operations, all in one partition.</summary>
    private const int MaxBatch = 100;

    /// <summary>Deletes in flight at once.</summary>
    public const int Parallelism = 16;

    private static readonly string[] KeysOnly = ["PartitionKey", "RowKey"];

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        using var budget = new CancellationTokenSource(RunBudget, time);
        using var run = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budget.Token);
        var deleted = new Tally();
        try
        {
            await DeleteAsync(tables.Sessions, lifetime.EndedRowsFilter(now), deleted, run.Token);
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
        try
        {
            await Parallel.ForEachAsync(
                Batches(table.QueryAsync<TableEntity>(filter, select: KeysOnly, cancellationToken: cancellationToken)),
                new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
                (batch, token) => new ValueTask(DeleteBatchAsync(table, batch, deleted, token)));
        }
        catch (RequestFailedException e) when (e.Status == 404 && e.ErrorCode == "TableNotFound")
        {
            // The table does not exist yet.
        }
    }

    /// <summary>The rows of one partition together (the service returns rows ordered by partition), at most a batch at a time.</summary>
    private static async IAsyncEnumerable<List<TableEntity>> Batches(IAsyncEnumerable<TableEntity> rows)
    {
        var batch = new List<TableEntity>();
        await foreach (var row in rows)
        {
            if (batch.Count == MaxBatch || (batch.Count > 0 && batch[0].PartitionKey != row.PartitionKey))
            {
                yield return batch;
                batch = [];
            }

            batch.Add(row);
        }

        if (batch.Count > 0)
        {
            yield return batch;
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
                deleted.Add(rows.Count);
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
                deleted.Add(response.Status == 404 ? 0 : 1);
            }
            catch (RequestFailedException e) when (e.Status == 412)
            {
                // Renewed between the query and the delete: it lives on.
            }
        }
    }

    private sealed class Tally
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void Add(int rows) => Interlocked.Add(ref _count, rows);
    }

    [LoggerMessage(EventName = "CleanupDeleted", EventId = 2100, Level = LogLevel.Information, Message = "Cleanup deleted {Count} expired rows")]
    private static partial void Deleted(ILogger logger, int count);

    [LoggerMessage(EventName = "CleanupStorageUnavailable", EventId = 2101, Level = LogLevel.Error, Message = "Cleanup could not reach Table Storage (HTTP {Status}) after the SDK's retries, having deleted {Count} rows; the next run tries again")]
    private static partial void StorageUnavailable(ILogger logger, int status, int count);

    [LoggerMessage(EventName = "CleanupStoppedAtBudget", EventId = 2102, Level = LogLevel.Warning, Message = "Cleanup stopped at its {BudgetSeconds} s budget having deleted {Count} rows; the next run carries on")]
    private static partial void StoppedAtBudget(ILogger logger, int count, long budgetSeconds);
}
