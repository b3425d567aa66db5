using System.Diagnostics;
using FuncMail.Tests.Infrastructure;

namespace FuncMail.Tests.Tools;

/// <summary>`npm start` (tools/start-local.mjs) run by Node in a scratch copy of the repository: what it says before anything starts.</summary>
public sealed class StartLocalTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("funcmail-start-").FullName;

    public StartLocalTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "tools"));
        File.Copy(Path.Combine(RepoPaths.Root, "tools", "start-local.mjs"), Path.Combine(_root, "tools", "start-local.mjs"));
        File.Copy(Path.Combine(RepoPaths.Root, "local.settings.sample.json"), Path.Combine(_root, "local.settings.sample.json"));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void NpmStart_OnAFreshClone_CreatesTheSettings_AndListsEveryMissingPrerequisiteAtOnce()
    {
        var (exitCode, output) = Run();

        Assert.Equal(1, exitCode);
        Assert.True(File.Exists(Path.Combine(_root, "local.settings.json")));
        Assert.Contains("Fill in Entra__ClientId and Entra__ClientSecret", output, StringComparison.Ordinal);
        Assert.Contains("Azurite is not installed: run npm ci first.", output, StringComparison.Ordinal);
        Assert.Contains("npm ci tried to install it", output, StringComparison.Ordinal);
    }

    [Fact]
    public void NpmStart_WithMalformedSettings_NamesTheFileAndTheLine()
    {
        File.WriteAllText(Path.Combine(_root, "local.settings.json"), "{\n  \"IsEncrypted\": false,\n  \"Values\": {\n    \"Entra__ClientId\": \"x\",,\n  }\n}\n");

        var (exitCode, output) = Run();

        Assert.Equal(1, exitCode);
        Assert.Contains("local.settings.json, line 4 is not valid JSON", output, StringComparison.Ordinal);
        Assert.DoesNotContain("    at ", output, StringComparison.Ordinal); // no stack trace
    }

    private (int ExitCode, string Output) Run()
    {
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = _root };
        start.ArgumentList.Add(Path.Combine("tools", "start-local.mjs"));

        // No Functions Core Tools on this PATH, whatever the machine has.
        start.Environment["PATH"] = Path.GetDirectoryName(Which("node"))!;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Result + error);
    }

    private static string Which(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException($"{tool} is not on PATH: install Node.js 20 (README, \"What you need\").");
}
