using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

// Measurements: dotnet run -c Release --project bench/FuncMail.Benchmarks -- --filter '*'
// --smoke runs every benchmark once, in this process, in whatever build it is (a test does this on every CI run).
var switcher = BenchmarkSwitcher.FromAssembly(typeof(FuncMail.Benchmarks.HotPathBenchmarks).Assembly);
if (args.Contains("--smoke"))
{
    switcher.RunAll(ManualConfig.CreateMinimumViable()
        .AddJob(Job.Dry.WithToolchain(InProcessEmitToolchain.Instance))
        .WithOptions(ConfigOptions.DisableOptimizationsValidator | ConfigOptions.DisableLogFile)
        .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "funcmail-benchmarks-smoke")));
}
else
{
    switcher.Run(args);
}
