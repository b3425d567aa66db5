using System.Diagnostics;
using FuncMail.Tests.Infrastructure;

namespace FuncMail.Tests.Bench;

/// <summary>
/// The measurement drivers in bench/ are not tests, but each runs here for about a second (--smoke), so they cannot
/// rot. `dotnet test` builds only the test project and what it references, and the drivers reference this project,
/// so the first smoke test builds them (incrementally, in this assembly's configuration) before running one.
/// Each must end with exit code 0 and print its table. They run in the Azurite collection, one at a time with the
/// other hosted tests, so their processes do not crowd timing-sensitive tests on a small machine.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class BenchSmokeTests
{
    [Theory]
    [InlineData("warm", "| FuncMail, real worker |", "| FuncMail, in-process |", "| Peer, in-memory cache |")]
    [InlineData("trips", "| Mail, warm | 1/0 [0] |", "| SignOut |")]
    [InlineData("load", "| Errors | 0 |", "| Sessions that lost their row or tokens | 0 ")]
    [InlineData("cold", "| FuncMail worker, JIT | mail |", "| Peer, JIT | sign-in |", "| Publish size (MB) |")]
    public void Compare_RunsForASecond(string mode, params string[] expected)
    {
        var (exitCode, output) = Run("FuncMail.Compare", mode, "--smoke");

        Assert.True(exitCode == 0, output);
        Assert.All(expected, line => Assert.Contains(line, output, StringComparison.Ordinal));
    }

    [Fact]
    public void Benchmarks_RunOnceEach()
    {
        var (exitCode, output) = Run("FuncMail.Benchmarks", "--smoke");

        Assert.True(exitCode == 0, output);
        foreach (var benchmark in new[] { "RenderBenchmarks", "HotPathBenchmarks", "MessageBenchmarks" })
        {
            Assert.Contains(benchmark, output, StringComparison.Ordinal);
        }
    }

    /// <summary>This test assembly's bin/&lt;configuration&gt;/&lt;framework&gt;/ folder, which the drivers are built to match.</summary>
    private static readonly DirectoryInfo Framework = new(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));

    /// <summary>The drivers, built once per test run: each project alone, since this one and FuncMail are built already.</summary>
    private static readonly Lazy<string> Built = new(() =>
    {
        var log = new System.Text.StringBuilder();
        foreach (var project in new[] { "BenchStats", "Conventional", "FuncMail.Compare", "FuncMail.Benchmarks" })
        {
            var (exitCode, output) = Execute("dotnet", "build", Path.Combine(RepoPaths.Root, "bench", project, project + ".csproj"),
                "-c", Framework.Parent!.Name, "--no-dependencies", "-nologo", "-v", "q", "-nodeReuse:false", "-p:UseSharedCompilation=false");
            log.AppendLine($"{project}: exit {exitCode}");
            if (exitCode != 0)
            {
                return log + output;
            }
        }

        return "";
    });

    private static (int ExitCode, string Output) Run(string project, params string[] arguments)
    {
        Assert.True(Built.Value.Length == 0, "Building the bench drivers failed:\n" + Built.Value);
        var driver = Path.Combine(RepoPaths.Root, "bench", project, "bin", Framework.Parent!.Name, Framework.Name, project + ".dll");
        return Execute("dotnet", [driver, .. arguments]);
    }

    private static (int ExitCode, string Output) Execute(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = RepoPaths.Root };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(4)))
        {
            process.Kill(entireProcessTree: true);
            return (-1, "Timed out after 4 minutes.\n" + output.Result + error.Result);
        }

        return (process.ExitCode, output.Result + error.Result);
    }
}
