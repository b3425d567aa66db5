using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using FuncMail.Storage;

namespace FuncMail.Auth;

/// <summary>Sign-in transactions in Table Storage: written once by SignIn, consumed once by GetToken.</summary>
public sealed class SignInTransactionStore(FuncMailTables tables)
{
    /// <summary>One write, no read.</summary>
    public Task AddAsync(SignInTransaction transaction, CancellationToken cancellationToken) =>
        FuncMailTables.WriteAsync(
            tables.SignIns,
            table => table.AddEntityAsync(
                new TableEntity(transaction.Id, "")
                {
                    [nameof(SignInTransaction.State)] = transaction.State,
                    [nameof(SignInTransaction.CodeVerifier)] = transaction.CodeVerifier,
                    [nameof(SignInTransaction.Nonce)] = transaction.Nonce,
                    [nameof(SignInTransaction.ReturnUrl)] = transaction.ReturnUrl,
                    [nameof(SignInTransaction.ExpiresAt)] = transaction.ExpiresAt,
                },
                cancellationToken),
            cancellationToken);

    /// <summary>
    /// Reads the transaction, checks its state, then deletes it with If-Match, so that of two concurrent callbacks
    /// exactly one gets it (checklist A6). A callback with the wrong state leaves it in place (A7: state first), so a
    /// stray request cannot cancel a sign-in in progress. Null when missing, mismatched, or consumed by another request.
    /// </summary>
    public async Task<SignInTransaction?> ConsumeAsync(string id, string state, CancellationToken cancellationToken)
    {
        var response = await tables.SignIns.GetEntityIfExistsAsync<TableEntity>(id, "", cancellationToken: cancellationToken);
        if (!response.HasValue)
        {
            return null;
        }

        var entity = response.Value!;
        var stored = entity.GetString(nameof(SignInTransaction.State)) ?? "";
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(stored), Encoding.UTF8.GetBytes(state)))
        {
            return null;
        }

        try
        {
            // The SDK reports a delete of a missing entity as success (HTTP 404, no exception): that means we lost the race.
            var deleted = await tables.SignIns.DeleteEntityAsync(id, "", entity.ETag, cancellationToken);
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
            id,
            entity.GetString(nameof(SignInTransaction.State)) ?? "",
            entity.GetString(nameof(SignInTransaction.CodeVerifier)) ?? "",
            entity.GetString(nameof(SignInTransaction.Nonce)) ?? "",
            entity.GetString(nameof(SignInTransaction.ReturnUrl)) ?? "",
            entity.GetDateTimeOffset(nameof(SignInTransaction.ExpiresAt)) ?? DateTimeOffset.MinValue);
    }
}
