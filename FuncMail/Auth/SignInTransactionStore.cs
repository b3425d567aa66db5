using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using FuncMail.Storage;

namespace FuncMail.Auth;

/// <summary>
/// Sign-in transactions in Table Storage. Each browser gets one partition, named by the random id in its pre-auth
/// cookie, with at most <see cref="SlotsPerBrowser"/> rows: a SignIn writes the transaction into the next slot
/// (the cookie says which), overwriting the oldest. So a browser that signs in from several tabs keeps several
/// sign-ins open, and one that calls SignIn in a loop holds three rows however often it calls, with one write and no
/// read per call. GetToken reads the browser's partition (one query, three rows at most) and consumes the
/// transaction whose state matches.
/// </summary>
public sealed class SignInTransactionStore(FuncMailTables tables)
{
    public const int SlotsPerBrowser = 3;

    /// <summary>One write (an upsert into the slot), no read.</summary>
    public Task SaveAsync(SignInTransaction transaction, CancellationToken cancellationToken) =>
        FuncMailTables.WriteAsync(
            tables.SignIns,
            table => table.UpsertEntityAsync(
                new TableEntity(transaction.BrowserId, transaction.Slot.ToString(System.Globalization.CultureInfo.InvariantCulture))
                {
                    [nameof(SignInTransaction.State)] = transaction.State,
                    [nameof(SignInTransaction.CodeVerifier)] = transaction.CodeVerifier,
                    [nameof(SignInTransaction.Nonce)] = transaction.Nonce,
                    [nameof(SignInTransaction.ReturnUrl)] = transaction.ReturnUrl,
                    [nameof(SignInTransaction.ExpiresAt)] = transaction.ExpiresAt,
                    [nameof(SignInTransaction.ForClaims)] = transaction.ForClaims,
                },
                TableUpdateMode.Replace,
                cancellationToken),
            cancellationToken);

    /// <summary>
    /// Finds the browser's transaction with this state, then deletes it with If-Match, so that of two concurrent
    /// callbacks exactly one gets it (checklist A6). A callback with a wrong state leaves everything in place (A7: state
    /// first), so a stray request cannot cancel a sign-in in progress. Null when missing, mismatched, or consumed by
    /// another request.
    /// </summary>
    public async Task<SignInTransaction?> ConsumeAsync(string browserId, string state, CancellationToken cancellationToken)
    {
        TableEntity? match = null;
        var given = Encoding.UTF8.GetBytes(state);
        try
        {
            await foreach (var row in tables.SignIns.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {browserId}"), maxPerPage: SlotsPerBrowser, cancellationToken: cancellationToken))
            {
                if (CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(row.GetString(nameof(SignInTransaction.State)) ?? ""), given))
                {
                    match = row;
                }
            }
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null; // The table was never created.
        }

        if (match is null)
        {
            return null;
        }

        try
        {
            // The SDK reports a delete of a missing entity as success (HTTP 404, no exception): that means we lost the race.
            var deleted = await tables.SignIns.DeleteEntityAsync(match.PartitionKey, match.RowKey, match.ETag, cancellationToken);
            if (deleted.Status == 404)
            {
                return null;
            }
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            return null;
        }

        return new SignInTransaction(
            match.PartitionKey,
            int.TryParse(match.RowKey, out var slot) ? slot : 0,
            match.GetString(nameof(SignInTransaction.State)) ?? "",
            match.GetString(nameof(SignInTransaction.CodeVerifier)) ?? "",
            match.GetString(nameof(SignInTransaction.Nonce)) ?? "",
            match.GetString(nameof(SignInTransaction.ReturnUrl)) ?? "",
            match.GetDateTimeOffset(nameof(SignInTransaction.ExpiresAt)) ?? DateTimeOffset.MinValue)
        {
            ForClaims = match.GetBoolean(nameof(SignInTransaction.ForClaims)) ?? false,
        };
    }
}
