using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(ImOrleans.Protocol.Benchmarks.FrameCodecBenchmarks).Assembly).Run(args);
