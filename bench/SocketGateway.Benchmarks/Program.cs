using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

// Runs in process by default: no generated project is built, so nothing is written into the source tree (where
// others may be building) and a run starts at once. `--quick` uses a dry job (a check, not a measurement);
// `--out-of-process` uses BenchmarkDotNet's usual separate process. Other arguments go to BenchmarkDotNet
// (e.g. --filter *Fanout*).
var quick = args.Contains("--quick");
var outOfProcess = args.Contains("--out-of-process");
var rest = args.Where(a => a is not "--quick" and not "--out-of-process").ToArray();
var job = quick
    ? Job.Dry.WithWarmupCount(1).WithIterationCount(3).WithInvocationCount(64).WithUnrollFactor(1).WithId("quick")
    : Job.ShortRun.WithId("short");
if (!outOfProcess)
{
    job = job.WithToolchain(InProcessEmitToolchain.Instance);
}

var config = DefaultConfig.Instance.AddDiagnoser(MemoryDiagnoser.Default).AddJob(job);
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(rest.Length == 0 ? ["--filter", "*"] : rest, config);
