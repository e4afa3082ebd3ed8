using DistTrainer.Cluster.Tests.Security;
using DistTrainer.Coordinator.Cli;
using DistTrainer.Coordinator.Runs;
using DistTrainer.Core.Tests;
using Serilog.Core;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Cluster;

/// <summary>
/// The invariant of synchronous data parallelism: 1, 2 and 3 workers on the embedded cluster reach
/// the weights one process reaches on the same data and seed after 20 steps, up to float summation
/// order (1e-5 relative), without batch norm and with synchronised batch norm. Batches of 25 rows
/// are cut unevenly (13/12, 9/8/8, and by measured throughput after the first steps); and one case again with TLS on.
/// </summary>
public class ClusterEquivalenceTests
{
    private const double Tolerance = 1e-5;

    public static TheoryData<string, string, int> Cases()
    {
        var data = new TheoryData<string, string, int>();
        foreach (var optimizer in new[] { "momentum", "adam" })
            foreach (var batchNorm in new[] { "none", "sync" })
                foreach (int workers in new[] { 1, 2, 3 })
                    data.Add(optimizer, batchNorm, workers);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Workers_reach_the_weights_of_one_process(string optimizer, string batchNorm, int workers) =>
        Check(optimizer, batchNorm, workers, []);

    /// <summary>Encryption changes no byte of what arrives: the same run with remoting and the data plane over mutual TLS.</summary>
    [Fact]
    public void Workers_reach_the_weights_of_one_process_with_both_planes_over_TLS()
    {
        using var certificates = new TempDirectory();
        var authority = new TestCertificates();
        var files = authority.WritePem(certificates.Path, "coordinator", authority.Issue("coordinator"));
        Check("adam", "sync", 2, ["--tls-ca", files.CaFile, "--tls-cert", files.CertFile, "--tls-key", files.KeyFile]);
    }

    private static void Check(string optimizer, string batchNorm, int workers, string[] security)
    {
        using var dir = new TempDirectory();
        using var data = new TempDirectory();
        SyntheticDataset.Write(data, count: 125, rows: 4, columns: 4, classes: 4);
        string[] run =
        [
            "--data-dir", data.Path, "--layers", Layers(optimizer, batchNorm), "--optimizer", optimizer,
            .. optimizer == "momentum" ? new[] { "--lr", "0.05", "--momentum", "0.9" } : ["--lr", "0.01"],
            "--batch-size", "25", "--steps", "20", "--seed", "7", "--threads", "1", "--device", "cpu",
        ];
        string single = dir.File("single.safetensors");
        string cluster = dir.File("cluster.safetensors");

        Assert.Equal(0, TrainCommand.Run(TrainArguments.Parse([.. run, "--workers", "0", "--save", single]), TextWriter.Null, Logger.None));
        var report = EmbeddedCluster.Train(TrainArguments.Parse(
            [.. run, .. security, "--workers", workers.ToString(), "--batchnorm-mode", batchNorm == "sync" ? "sync" : "local", "--save", cluster]));

        Assert.Null(report.Result.Failure);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), report.AppliedSteps);
        Assert.Equal(workers, report.ShardsPerWorker.Count);
        // The robust rule is on by default: a clean run rejects no shard and quarantines no worker.
        Assert.Equal(0, report.Dropped.Rejected);
        Assert.Empty(report.WorkersQuarantined);
        CheckpointAssert.Close(single, cluster, Tolerance, $"{optimizer}, batch norm {batchNorm}, {workers} workers");
    }

    /// <summary>
    /// With batch norm, Momentum normalises right after the first linear layer, the usual place.
    /// Adam gets tanh in between: a linear bias right before batch norm has a true gradient of 0
    /// (the normalisation removes any shift), so what it gets is float rounding noise, which differs
    /// with the summation order, and Adam divides by that noise's own magnitude and turns it into
    /// full learning-rate steps. ReLU in between is not enough: a unit positive on every row of a
    /// batch passes its bias straight through (measured with linear, relu, batchnorm on 2 workers:
    /// 0.bias off by 1.6e-4 after one step, 2e-2 after 20; with tanh, 3e-6).
    /// </summary>
    private static string Layers(string optimizer, string batchNorm) => (optimizer, batchNorm) switch
    {
        (_, "none") => "linear:16:12,tanh,linear:12:4",
        ("momentum", _) => "linear:16:12,batchnorm:12,relu,linear:12:4",
        _ => "linear:16:12,tanh,batchnorm:12,linear:12:4",
    };
}
