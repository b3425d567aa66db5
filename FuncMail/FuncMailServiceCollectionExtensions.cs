using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using FuncMail.Auth;
using FuncMail.Mail;
using FuncMail.Sessions;
using FuncMail.Storage;
using FuncMail.Web;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Client;

namespace FuncMail;

/// <summary>The one composition root: the Functions host, the test host and the benchmarks all build FuncMail here.</summary>
public static class FuncMailServiceCollectionExtensions
{
    public static IServiceCollection AddFuncMail(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(environment);
        services.TryAddSingleton(TimeProvider.System);

        // These framework categories log full URLs at Information: the GetToken query (code, state) and the authorize
        // redirect (state, nonce). Nothing below Warning from them ever reaches a log (checklist F1).
        services.AddLogging(logging => logging
            .AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning)
            .AddFilter("Microsoft.AspNetCore.Mvc", LogLevel.Warning)
            .AddFilter("Microsoft.AspNetCore.Routing", LogLevel.Warning)
            .AddFilter("System.Net.Http.HttpClient", LogLevel.Warning)
            .AddFilter(MsalLogger.Category, LogLevel.Warning));

        AddValidatedOptions<EntraOptions, EntraOptionsValidator>(services, configuration, EntraOptions.SectionName);
        services.AddSingleton<IValidateOptions<EntraOptions>, ProductionRedirectUriValidator>();
        AddValidatedOptions<SessionOptions, SessionOptionsValidator>(services, configuration, SessionOptions.SectionName);
        services.AddSingleton<IValidateOptions<SessionOptions>, DevOnlyKeyValidator>();
        AddValidatedOptions<StorageOptions, StorageOptionsValidator>(services, configuration, StorageOptions.SectionName);
        AddValidatedOptions<GraphOptions, GraphOptionsValidator>(services, configuration, GraphOptions.SectionName);
        AddValidatedOptions<WebOptions, WebOptionsValidator>(services, configuration, WebOptions.SectionName);
        services.AddSingleton<ResponseHardening>();
        services.AddSingleton<FunctionGuard>();

        // Storage: one client for the process. Tests add pipeline policies (a request counter) through TableClientOptions.
        services.AddSingleton<IOptionsFactory<TableClientOptions>, TableClientOptionsFactory>();
        services.AddSingleton(sp => FuncMailTables.CreateServiceClient(
            sp.GetRequiredService<IOptions<StorageOptions>>().Value,
            sp.GetRequiredService<IOptions<TableClientOptions>>().Value,
            sp.GetRequiredService<TokenCredential>));

        // Only resolved when Storage:TableServiceUri is set, so Azure.Identity is never loaded for local runs.
        services.TryAddSingleton<TokenCredential>(sp => new DefaultAzureCredential(
            FuncMailTables.CredentialOptions(sp.GetRequiredService<IOptions<StorageOptions>>().Value)));
        services.AddSingleton<FuncMailTables>();
        services.AddSingleton<SessionStore>();
        services.AddSingleton<SignInTransactionStore>();

        // Sessions.
        services.AddSingleton<SessionLifetime>();
        services.AddSingleton<ExpiredRowCleaner>();
        services.AddSingleton<SessionKeyRing>();
        services.AddSingleton<CookieSigner>();
        services.AddSingleton<SignOutTokens>();
        services.AddSingleton<InlineImageTokens>();
        services.AddSingleton<TokenCacheProtector>();
        services.AddSingleton<SessionGate>();
        services.AddSingleton<SessionTokens>();

        // Sign-in: MSAL's HTTP goes through IHttpClientFactory (pooled; tests swap the primary handler for the Entra stub).
        // The factory's own request logging is off for every client: it logs at Information, below what FuncMail lets
        // through for System.Net.Http (F1), so it only cost work; FuncMail logs its calls itself (MailLog, AuthLog).
        services.ConfigureHttpClientDefaults(http => http.RemoveAllLoggers());
        services.AddHttpClient(MsalHttpClientFactory.ClientName, client => client.Timeout = TimeSpan.FromSeconds(15));
        services.AddSingleton<IMsalHttpClientFactory, MsalHttpClientFactory>();
        services.AddHttpClient(ManagedIdentityAssertion.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(5));
        services.AddSingleton<MsalLogger>();
        services.AddSingleton<ManagedIdentityAssertion>();
        services.AddSingleton<MsalClientFactory>();
        services.AddSingleton<IdTokenCheck>();
        services.AddSingleton<SignInFlow>();
        services.AddSingleton<SignOutFlow>();

        // Mail: a typed Graph client with source-generated JSON.
        services.AddHttpClient<GraphMailClient>((sp, client) =>
        {
            client.BaseAddress = new Uri(sp.GetRequiredService<IOptions<GraphOptions>>().Value.BaseUrl.AbsoluteUri.TrimEnd('/') + "/");
            client.Timeout = Timeout.InfiniteTimeSpan; // the resilience handler's timeouts govern
        })
        .AddResilienceHandler("graph", (pipeline, context) => GraphResilience.Configure(
            pipeline, context.ServiceProvider.GetRequiredService<ILogger<GraphMailClient>>(), context.ServiceProvider.GetRequiredKeyedService<TimeProvider>(GraphResilience.ClockKey)));
        services.TryAddKeyedSingleton(GraphResilience.ClockKey, TimeProvider.System);
        services.AddSingleton<IMailboxProfile, MailboxProfileReader>();
        services.AddSingleton<MailboxAccess>();
        services.AddTransient<MailPageService>();
        services.AddTransient<MessageService>();

        // The HTTP edge: cookies are read and written here, and nowhere below.
        services.AddSingleton<SessionCookies>();
        RemoveEagerKeyRing(services);
        return services;
    }

    /// <summary>Adds FuncMail's guard (security headers, friendly errors) to the Functions worker pipeline.</summary>
    public static IFunctionsWorkerApplicationBuilder UseFuncMail(this IFunctionsWorkerApplicationBuilder builder)
    {
        builder.UseMiddleware<FuncMailWorkerMiddleware>();
        return builder;
    }

    /// <summary>
    /// FuncMail signs its own cookies (Sessions/CookieSigner) and never uses ASP.NET Core Data Protection, which the
    /// worker's ASP.NET Core integration brings along. Its hosted service creates a key ring and writes it to disk at
    /// every cold start, on the way to the first response. Without it, a key ring would still be made on first use,
    /// which FuncMail never makes.
    /// </summary>
    internal static void RemoveEagerKeyRing(IServiceCollection services)
    {
        foreach (var eager in services.Where(s => s.ServiceType == typeof(IHostedService)
            && s.ImplementationType?.FullName == "Microsoft.AspNetCore.DataProtection.Internal.DataProtectionHostedService").ToList())
        {
            services.Remove(eager);
        }
    }

    private static void AddValidatedOptions<TOptions, TValidator>(IServiceCollection services, IConfiguration configuration, string section)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.AddOptions<TOptions>().Bind(configuration.GetSection(section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TOptions>>(new KeyVaultReferenceValidator<TOptions>(configuration, section));
        services.AddSingleton<IValidateOptions<TOptions>, TValidator>();
    }
}
