using System.Diagnostics;
using FuncMail.Tests.Infrastructure;

namespace FuncMail.Tests.Bench;

/// <summary>
/// The measurement drivers in bench/ are not tests, but each runs here for about a second (--smoke), so they cannot
/// rot: the solution build (the README's test command builds it) puts them next to this assembly's configuration.
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

    private static (int ExitCode, string Output) Run(string project, params string[] arguments)
    {
        // bench/<project>/bin/<configuration>/<framework>/, the configuration and framework of this test assembly.
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var driver = Path.Combine(RepoPaths.Root, "bench", project, "bin", framework.Parent!.Name, framework.Name, project + ".dll");
        Assert.True(File.Exists(driver), $"{driver} is missing: build the solution (dotnet build FuncMail.sln), as the README's test command does.");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = RepoPaths.Root };
        start.ArgumentList.Add(driver);
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
