using DistTrainer.Benchmarks;
using DistTrainer.Core;

const string Usage = "usage: Benchmarks <gemm|mlp|dataplane|tls|cluster|ps-shards|optimizer-guard|wire-codec|fuzz|scale> [--threads 1,2] [--out FILE.md] [options]";

if (args.Length == 0)
{
    Console.Error.WriteLine(Usage);
    return 2;
}

try
{
    var options = new BenchmarkArguments(args[1..]);
    return args[0] switch
    {
        "gemm" => GemmBenchmark.Run(options),
        "mlp" => MlpBenchmark.Run(options),
        "dataplane" => DataPlaneBenchmark.Run(options),
        "tls" => TlsBenchmark.Run(options),
        "cluster" => ClusterBenchmark.Run(options),
        "ps-shards" => PsShardsBenchmark.Run(options),
        "optimizer-guard" => OptimizerGuardBenchmark.Run(options),
        "wire-codec" => WireCodecBenchmark.Run(options),
        "fuzz" => FuzzCommand.Run(options),
        "scale" => ScaleBenchmark.Run(options),
        _ => throw new InvalidInputException($"subcommand '{args[0]}': unknown; {Usage}"),
    };
}
catch (InvalidInputException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
