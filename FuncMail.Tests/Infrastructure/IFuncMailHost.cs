using Azure.Data.Tables;

namespace FuncMail.Tests.Infrastructure;

/// <summary>
/// FuncMail running somewhere a test can reach over HTTP: in-process on Kestrel (<see cref="FuncMailTestHost"/>) or
/// as the real worker process under the host emulator (<see cref="FuncMailWorkerHost"/>). Both answer Microsoft's
/// calls with the same stubs and keep their rows in the run's Azurite.
/// </summary>
public interface IFuncMailHost : IAsyncDisposable
{
    Uri BaseAddress { get; }

    EntraStub Entra { get; }

    GraphStub Graph { get; }

    /// <summary>The app's tables through a client of the test's own, so that looking does not count as the app's I/O.</summary>
    TableClient SessionsTable { get; }

    TableClient SignInsTable { get; }

    /// <summary>Every log line the app wrote (messages and exceptions), for assertions and their messages.</summary>
    IReadOnlyList<string> LogLines { get; }

    string LogText => string.Join(Environment.NewLine, LogLines);

    /// <summary>An HttpClient that keeps cookies like a browser and does not follow redirects, so each hop can be asserted.</summary>
    (HttpClient Client, CookieJar Jar) CreateBrowser();

    /// <summary>Every row of a table; none when the table was never created.</summary>
    Task<List<TableEntity>> RowsAsync(TableClient table);

    /// <summary>Fails the test if a stub saw a request it was not built to answer.</summary>
    void AssertNoUnexpectedCalls();
}

/// <summary>What both hosts share.</summary>
internal static class HostParts
{
    public static (HttpClient Client, CookieJar Jar) CreateBrowser(Uri baseAddress)
    {
        var jar = new CookieJar { InnerHandler = Handler() };
        return (new HttpClient(jar) { BaseAddress = baseAddress }, jar);
    }

    /// <summary>No redirects followed, no cookies kept by .NET, no proxy; https front doors are trusted through the test CA only.</summary>
    public static SocketsHttpHandler Handler() => new()
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        UseProxy = false,
        SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is System.Security.Cryptography.X509Certificates.X509Certificate2 c && Worker.TestCertificateAuthority.Instance.Validates(c) },
    };

    public static async Task<List<TableEntity>> RowsAsync(TableClient table)
    {
        var rows = new List<TableEntity>();
        try
        {
            await foreach (var row in table.QueryAsync<TableEntity>())
            {
                rows.Add(row);
            }
        }
        catch (Azure.RequestFailedException e) when (e.Status == 404)
        {
            // The table was never created: no rows.
        }

        return rows;
    }
}
