using Azure;
using Azure.Core;
using Azure.Identity;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace FuncMail.Storage;

/// <summary>FuncMail's two tables. Each is created on the first write that finds it missing, so start-up makes no storage call.</summary>
public sealed class FuncMailTables(TableServiceClient service, IOptions<StorageOptions> options)
{
    public TableClient Sessions { get; } = service.GetTableClient(options.Value.SessionsTable);

    public TableClient SignIns { get; } = service.GetTableClient(options.Value.SignInsTable);

    /// <summary>Runs a write; if its table does not exist yet, creates it and runs the write once more.</summary>
    public static async Task<T> WriteAsync<T>(TableClient table, Func<TableClient, Task<T>> write, CancellationToken cancellationToken)
    {
        try
        {
            return await write(table);
        }
        catch (RequestFailedException e) when (e.Status == 404 && e.ErrorCode == "TableNotFound")
        {
            await table.CreateIfNotExistsAsync(cancellationToken);
            return await write(table);
        }
    }

    /// <summary>The managed identity FuncMail's tables are reached with: the app's user-assigned identity, by client id.</summary>
    public static DefaultAzureCredentialOptions CredentialOptions(StorageOptions storage) =>
        new() { ManagedIdentityClientId = storage.ManagedIdentityClientId };

    /// <summary>
    /// Builds the client with short timeouts for interactive pages (checklist E4): from the connection string locally,
    /// or from the table endpoint and a token credential (the app's managed identity) in Azure.
    /// </summary>
    public static TableServiceClient CreateServiceClient(StorageOptions storage, TableClientOptions clientOptions, Func<TokenCredential> credential)
    {
        clientOptions.Retry.NetworkTimeout = storage.NetworkTimeout;
        clientOptions.Retry.MaxRetries = 2;
        clientOptions.Retry.Delay = TimeSpan.FromMilliseconds(200);
        clientOptions.Retry.MaxDelay = TimeSpan.FromSeconds(2);
        return storage.TableServiceUri is { } endpoint
            ? new TableServiceClient(endpoint, credential(), clientOptions)
            : new TableServiceClient(storage.ConnectionString, clientOptions);
    }
}

/// <summary>TableClientOptions has no parameterless constructor, so the options system needs to be told how to make one.</summary>
/// <remarks>
/// Hand-written rather than Microsoft.Extensions.Azure's <c>AddAzureClients</c>, which would do it for us: that package
/// adds an assembly and its client-factory machinery to every cold start, for one client built from two settings. The
/// options pattern kept here is what lets tests add pipeline policies (the request counter, fault injection).
/// </remarks>
internal sealed class TableClientOptionsFactory(
    IEnumerable<IConfigureOptions<TableClientOptions>> setups,
    IEnumerable<IPostConfigureOptions<TableClientOptions>> postConfigures,
    IEnumerable<IValidateOptions<TableClientOptions>> validations)
    : OptionsFactory<TableClientOptions>(setups, postConfigures, validations)
{
    protected override TableClientOptions CreateInstance(string name) => new();
}
