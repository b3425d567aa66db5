using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(FuncMail.Benchmarks.HotPathBenchmarks).Assembly).Run(args);
