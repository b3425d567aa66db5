using System.Diagnostics;
using FuncMail.Tests.Infrastructure;

namespace FuncMail.Tests.Infra;

/// <summary>
/// The azd hooks and the rotation scripts, run by a real POSIX shell against recording stand-ins for azd, az and curl
/// (the real ones need Azure). They check what each script asks Azure to do, in which order, and that no secret or
/// token reaches a command line or the output.
/// </summary>
public sealed class DeployScriptTests : IDisposable
{
    private const string AppId = "/subscriptions/0000/resourceGroups/rg-prod/providers/Microsoft.Web/sites/func-funcmail-abc";
    private const string ArmToken = "FAKE-ARM-TOKEN-never-printed";
    private readonly string _dir = Directory.CreateTempSubdirectory("funcmail-scripts-").FullName;

    public DeployScriptTests()
    {
        Directory.CreateDirectory(Bin);

        // Only the tools the scripts may use, so that an Azure CLI installed on this machine stays out of the way.
        foreach (var tool in new[] { "sh", "sed", "grep", "cut", "cat", "tail", "head", "openssl", "dirname", "printf", "tr", "mv", "sleep" })
        {
            File.CreateSymbolicLink(Path.Combine(Bin, tool), Which(tool));
        }

        Fake("azd", $$"""
            echo "azd $*" >> "$FAKE_LOG"
            case "$1 $2" in
              "env get-value")
                if grep -q "^$3=" "$FAKE_ENV"; then grep "^$3=" "$FAKE_ENV" | tail -n 1 | cut -d= -f2-; else echo "ERROR: key '$3' not found in the environment values" >&2; exit 1; fi ;;
              "env set")
                if [ "$3" = "--file" ]; then sed "s/='\(.*\)'\$/=\1/" "$4" >> "$FAKE_ENV"; else echo "$3=$4" >> "$FAKE_ENV"; fi ;;
              "auth token") echo '{"token": "{{ArmToken}}", "expiresOn": "2026-11-30T12:00:00Z"}' ;;
            esac
            """);
        Fake("curl", """
            echo "curl $*" >> "$FAKE_LOG"
            case "$*" in
              *"-H @-"*) cat > "$FAKE_DIR/curl-stdin" ;;
            esac
            case "$*" in
              *write-out*)
                status=$(head -n 1 "$FAKE_DIR/statuses" 2>/dev/null || true)
                tail -n +2 "$FAKE_DIR/statuses" > "$FAKE_DIR/statuses.next" 2>/dev/null || true
                mv "$FAKE_DIR/statuses.next" "$FAKE_DIR/statuses" 2>/dev/null || true
                printf '%s' "${status:-200}" ;;
            esac
            """);
        File.Create(Path.Combine(_dir, "env")).Dispose();
        File.Create(Path.Combine(_dir, "log")).Dispose();
    }

    private string Bin => Path.Combine(_dir, "bin");

    private string[] Log => File.ReadAllLines(Path.Combine(_dir, "log"));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void RotateSessionKey_AddsTheNextKey_KeepsThePreviousVerifying_ThenDropsIt()
    {
        Env("AZURE_FUNCTION_APP_ID", AppId);
        Env("FUNCMAIL_SESSION_KEY_ID", "k1");
        Env("FUNCMAIL_SESSION_KEY", "OLD-KEY");

        var start = Run("infra/scripts/rotate-session-key.sh", "start");

        Assert.True(start.ExitCode == 0, start.Output);
        Assert.Equal("k1", EnvValue("FUNCMAIL_PREVIOUS_SESSION_KEY_ID"));
        Assert.Equal("k2", EnvValue("FUNCMAIL_SESSION_KEY_ID"));
        var key = EnvValue("FUNCMAIL_SESSION_KEY");
        Assert.Equal(32, Convert.FromBase64String(key).Length);
        Assert.Equal(["azd env get-value FUNCMAIL_PREVIOUS_SESSION_KEY_ID", "azd env get-value FUNCMAIL_SESSION_KEY_ID", "azd env set --file /dev/stdin", "azd provision"], Log.Take(4));
        AssertRefreshedWithoutExposingTheToken(Log.Skip(4));
        AssertNowhere(key, start.Output);

        var again = Run("infra/scripts/rotate-session-key.sh", "start");
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("already under way", again.Output, StringComparison.Ordinal);

        var finish = Run("infra/scripts/rotate-session-key.sh", "finish");
        Assert.True(finish.ExitCode == 0, finish.Output);
        Assert.Equal("", EnvValue("FUNCMAIL_PREVIOUS_SESSION_KEY_ID"));
        Assert.Equal("k2", EnvValue("FUNCMAIL_SESSION_KEY_ID"));
        Assert.Equal("azd provision", Log[^1]);
    }

    [Fact]
    public void RotateClientSecret_GoesThroughAzdsEnvironment_ProvisionsAndRefreshes_AndNeverShowsTheSecret()
    {
        Env("AZURE_FUNCTION_APP_ID", AppId);
        Env("FUNCMAIL_ENTRA_CLIENT_CREDENTIAL", "ClientSecret");
        Env("FUNCMAIL_ENTRA_CLIENT_SECRET", "OLD-SECRET");

        var run = Run("infra/scripts/rotate-client-secret.sh", stdin: "Abc8Q~new.secret_value-1"); // no final newline, as when piped from a password manager

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Equal("Abc8Q~new.secret_value-1", EnvValue("FUNCMAIL_ENTRA_CLIENT_SECRET"));
        Assert.Equal(["azd env get-value FUNCMAIL_ENTRA_CLIENT_CREDENTIAL", "azd env set --file /dev/stdin", "azd provision"], Log.Take(3));
        AssertRefreshedWithoutExposingTheToken(Log.Skip(3));
        AssertNowhere("Abc8Q~new.secret_value-1", run.Output);
        Assert.Contains("delete the old secret", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void RotateClientSecret_WithTheManagedIdentity_RefusesAndChangesNothing()
    {
        Env("FUNCMAIL_ENTRA_CLIENT_CREDENTIAL", "ManagedIdentity");

        var run = Run("infra/scripts/rotate-client-secret.sh", stdin: "whatever\n");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("no client secret to rotate", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Log, l => l.Contains("provision", StringComparison.Ordinal) || l.Contains("env set", StringComparison.Ordinal));
    }

    [Fact]
    public void Postdeploy_RefreshesTheReferences_AndWaitsUntilHomeAnswers()
    {
        File.WriteAllLines(Path.Combine(_dir, "statuses"), ["503", "500", "200"]);
        Fake("az", "echo \"az $*\" >> \"$FAKE_LOG\"; exit 1"); // installed but signed in elsewhere, as on a CI runner

        var run = Run("infra/hooks/postdeploy.sh", environment: Outputs());

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Equal(3, Log.Count(l => l.StartsWith("curl", StringComparison.Ordinal) && l.Contains("https://func-funcmail-abc.azurewebsites.net/api/Home", StringComparison.Ordinal)));
        Assert.Single(Log, l => l.Contains("configreferences/appsettings/refresh", StringComparison.Ordinal));
        Assert.DoesNotContain(Log, l => l.StartsWith("az ", StringComparison.Ordinal));
        Assert.Contains("FuncMail is up", run.Output, StringComparison.Ordinal);
        AssertNowhere(ArmToken, run.Output);
    }

    [Fact]
    public void Postdeploy_GivesUpAfterItsBound_AndSaysWhereToLook()
    {
        File.WriteAllLines(Path.Combine(_dir, "statuses"), Enumerable.Repeat("503", 10));

        var run = Run("infra/hooks/postdeploy.sh", environment: Outputs(("FUNCMAIL_HEALTH_ATTEMPTS", "5")));

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(5, Log.Count(l => l.Contains("/api/Home", StringComparison.Ordinal)));
        Assert.Equal(2, Log.Count(l => l.Contains("configreferences/appsettings/refresh", StringComparison.Ordinal))); // tries 1 and 5
        Assert.Contains("a Key Vault reference did not resolve", run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 0, "create")]
    [InlineData(0, 1, "update")] // the identity was recreated: the credential of that name points at the old one
    [InlineData(1, 0, null)] // trusted already, perhaps under a name given in the portal
    public void Postprovision_MakesTheAppRegistrationTrustTheIdentity_Once(int trusted, int named, string? verb)
    {
        Fake("az", $"""
            echo "az $*" >> "$FAKE_LOG"
            case "$*" in
              *"federated-credential list"*"issuer=="*"subject=="*) echo {trusted} ;;
              *"federated-credential list"*"name=="*) echo {named} ;;
            esac
            """);

        var run = Run("infra/hooks/postprovision.sh", environment: Outputs());

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains(Log, l => l.Contains("[?issuer=='https://login.microsoftonline.com/99999999-0000-0000-0000-000000000000/v2.0' && subject=='33333333-4444-5555-6666-777777777777']", StringComparison.Ordinal));
        var changes = Log.Where(l => l.Contains("federated-credential create", StringComparison.Ordinal) || l.Contains("federated-credential update", StringComparison.Ordinal)).ToList();
        if (verb is null)
        {
            Assert.Empty(changes);
            Assert.Contains("already trusts", run.Output, StringComparison.Ordinal);
        }
        else
        {
            var change = Assert.Single(changes);
            Assert.Contains($"federated-credential {verb} --id 11111111-2222-3333-4444-555555555555", change, StringComparison.Ordinal);
            Assert.Contains("\"issuer\":\"https://login.microsoftonline.com/99999999-0000-0000-0000-000000000000/v2.0\",\"subject\":\"33333333-4444-5555-6666-777777777777\",\"audiences\":[\"api://AzureADTokenExchange\"]", change, StringComparison.Ordinal);
            Assert.Contains("\"name\":\"funcmail-prod\"", change, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("ACTION NEEDED", run.Output, StringComparison.Ordinal);
        Assert.Contains("https://func-funcmail-abc.azurewebsites.net/api/GetToken", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Postprovision_WhenTheAzureCliMayNotEditTheRegistration_PrintsTheExactCommand()
    {
        Fake("az", """
            echo "az $*" >> "$FAKE_LOG"
            echo "Insufficient privileges to complete the operation." >&2
            exit 1
            """);

        var run = Run("infra/hooks/postprovision.sh", environment: Outputs());

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("ACTION NEEDED", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Log, l => l.Contains("federated-credential create", StringComparison.Ordinal));
    }

    [Fact]
    public void Postprovision_WithoutTheClientId_SaysWhereItComesFrom()
    {
        var outputs = Outputs();
        outputs.Remove("FUNCMAIL_ENTRA_CLIENT_ID");

        var run = Run("infra/hooks/postprovision.sh", environment: outputs);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("FUNCMAIL_ENTRA_CLIENT_ID is not set: it is an output of infra/main.bicep", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Postprovision_WithoutTheAzureCli_PrintsTheExactCommand()
    {
        var run = Run("infra/hooks/postprovision.sh", environment: Outputs());

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("ACTION NEEDED", run.Output, StringComparison.Ordinal);
        Assert.Contains("az ad app federated-credential create --id 11111111-2222-3333-4444-555555555555 --parameters '{\"name\":\"funcmail-prod\",\"issuer\":\"https://login.microsoftonline.com/99999999-0000-0000-0000-000000000000/v2.0\",\"subject\":\"33333333-4444-5555-6666-777777777777\"", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Postprovision_WithAClientSecret_LeavesFederatedCredentialsAlone()
    {
        var run = Run("infra/hooks/postprovision.sh", environment: Outputs(("FUNCMAIL_ENTRA_CLIENT_CREDENTIAL", "ClientSecret")));

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.DoesNotContain("federated", run.Output, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("FUNCMAIL_ENTRA_CLIENT_CREDENTIAL", "ClientSecret", "FUNCMAIL_ENTRA_CLIENT_SECRET is empty")]
    [InlineData("FUNCMAIL_ENTRA_CLIENT_SECRET", "left-over", "keeps no secret")]
    [InlineData("FUNCMAIL_ENTRA_CLIENT_CREDENTIAL", "Certificate", "must be ManagedIdentity (the default) or ClientSecret")]
    [InlineData("FUNCMAIL_ENTRA_CLIENT_CREDENTIAL", "", "must be ManagedIdentity (the default) or ClientSecret")]
    [InlineData("FUNCMAIL_SESSION_KEY_ID", "", "FUNCMAIL_SESSION_KEY_ID must be a key id")]
    [InlineData("FUNCMAIL_ALWAYS_READY_INSTANCES", "one", "FUNCMAIL_ALWAYS_READY_INSTANCES must be a whole number")]
    [InlineData("FUNCMAIL_DISABLE_DOTNET_PLACEHOLDER", "yes", "FUNCMAIL_DISABLE_DOTNET_PLACEHOLDER must be true or false")]
    public void Preprovision_RefusesASettingThatCannotWork_NamingIt(string variable, string value, string message)
    {
        var run = Run("infra/hooks/preprovision.sh", environment: new() { ["FUNCMAIL_SESSION_KEY"] = "kept", [variable] = value });

        Assert.Equal(1, run.ExitCode);
        Assert.Contains(message, run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Preprovision_GeneratesTheSessionKeyOnce_OffTheCommandLine()
    {
        var run = Run("infra/hooks/preprovision.sh", environment: []);

        Assert.True(run.ExitCode == 0, run.Output);
        var key = EnvValue("FUNCMAIL_SESSION_KEY");
        Assert.Equal(32, Convert.FromBase64String(key).Length);
        Assert.Equal(["azd env set --file /dev/stdin"], Log);
        AssertNowhere(key, run.Output);
    }

    private static Dictionary<string, string> Outputs(params (string Name, string Value)[] changes)
    {
        var outputs = new Dictionary<string, string>
        {
            ["AZURE_ENV_NAME"] = "prod",
            ["AZURE_RESOURCE_GROUP"] = "rg-prod",
            ["AZURE_FUNCTION_APP_ID"] = AppId,
            ["FUNCMAIL_ENTRA_CLIENT_ID"] = "11111111-2222-3333-4444-555555555555",
            ["FUNCMAIL_ENTRA_CLIENT_CREDENTIAL"] = "ManagedIdentity",
            ["FUNCMAIL_FEDERATED_CREDENTIAL_ISSUER"] = "https://login.microsoftonline.com/99999999-0000-0000-0000-000000000000/v2.0",
            ["FUNCMAIL_FEDERATED_CREDENTIAL_SUBJECT"] = "33333333-4444-5555-6666-777777777777",
            ["FUNCMAIL_FEDERATED_CREDENTIAL_AUDIENCE"] = "api://AzureADTokenExchange",
            ["FUNCMAIL_HOME_URL"] = "https://func-funcmail-abc.azurewebsites.net/api/Home",
            ["FUNCMAIL_REDIRECT_URI"] = "https://func-funcmail-abc.azurewebsites.net/api/GetToken",
            ["FUNCMAIL_POST_LOGOUT_REDIRECT_URI"] = "https://func-funcmail-abc.azurewebsites.net/api/Home",
            ["FUNCMAIL_HEALTH_DELAY"] = "0",
        };
        foreach (var (name, value) in changes)
        {
            outputs[name] = value;
        }

        return outputs;
    }

    private void AssertRefreshedWithoutExposingTheToken(IEnumerable<string> log)
    {
        log = log.Where(l => l != "azd env get-value AZURE_FUNCTION_APP_ID").ToList();
        Assert.Equal(["azd auth token --output json"], log.Take(1));
        var post = Assert.Single(log, l => l.StartsWith("curl", StringComparison.Ordinal));
        Assert.Contains($"-X POST -H @- -H Content-Length: 0 --output /dev/null https://management.azure.com{AppId}/config/configreferences/appsettings/refresh?api-version=2022-03-01", post, StringComparison.Ordinal);
        Assert.Equal($"Authorization: Bearer {ArmToken}\n", File.ReadAllText(Path.Combine(_dir, "curl-stdin")));
        Assert.DoesNotContain(Log, l => l.Contains(ArmToken, StringComparison.Ordinal));
    }

    private void AssertNowhere(string secret, string output)
    {
        Assert.DoesNotContain(secret, output, StringComparison.Ordinal);
        Assert.DoesNotContain(Log, l => l.Contains(secret, StringComparison.Ordinal));
    }

    private void Env(string name, string value) => File.AppendAllLines(Path.Combine(_dir, "env"), [$"{name}={value}"]);

    private string EnvValue(string name) =>
        File.ReadAllLines(Path.Combine(_dir, "env")).Last(l => l.StartsWith(name + "=", StringComparison.Ordinal))[(name.Length + 1)..];

    private void Fake(string name, string body)
    {
        var path = Path.Combine(Bin, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body.ReplaceLineEndings("\n") + "\n");
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The deploy scripts are POSIX shell: run these tests on Linux or macOS.");
        }

        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private (int ExitCode, string Output) Run(string script, string argument = "", string stdin = "", Dictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(Path.Combine(Bin, "sh"))
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoPaths.Root,
        };
        start.ArgumentList.Add(script);
        if (argument.Length > 0)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Clear();
        start.Environment["PATH"] = Bin;
        start.Environment["HOME"] = _dir;
        start.Environment["FAKE_LOG"] = Path.Combine(_dir, "log");
        start.Environment["FAKE_ENV"] = Path.Combine(_dir, "env");
        start.Environment["FAKE_DIR"] = _dir;
        foreach (var (name, value) in environment ?? [])
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Write(stdin);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Result + error);
    }

    private static string Which(string tool) =>
        new[] { "/usr/bin", "/bin", "/usr/local/bin" }.Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException($"{tool} is not installed");
}
