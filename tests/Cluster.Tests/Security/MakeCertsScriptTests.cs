using System.Diagnostics;
using DistTrainer.Cluster.Security;
using DistTrainer.Core.Tests;
using Xunit;

namespace DistTrainer.Cluster.Tests.Security;

/// <summary>deploy/make-certs.sh makes what the nodes load: two of its nodes authenticate each other, a CA made by another run of it is foreign.</summary>
public sealed class MakeCertsScriptTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Nodes_of_one_run_of_the_script_authenticate_each_other_and_those_of_another_CA_do_not()
    {
        string cluster = Path.Combine(_directory.Path, "cluster"), other = Path.Combine(_directory.Path, "other");
        MakeCerts(cluster, "coordinator", "worker-1");
        MakeCerts(other, "worker-1");

        var coordinator = Load(cluster, "coordinator");
        var worker = Load(cluster, "worker-1");
        Assert.Equal(("coordinator", "worker-1"), (coordinator.Name, worker.Name));
        Assert.Null(coordinator.Peers.Problem(worker.Certificate));
        Assert.NotNull(coordinator.Peers.Problem(Load(other, "worker-1").Certificate));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, KeyMode(Path.Combine(cluster, "worker-1.key")));
    }

    private static TlsCredentials Load(string directory, string name) =>
        new TlsOptions(Path.Combine(directory, "ca.crt"), Path.Combine(directory, $"{name}.crt"), Path.Combine(directory, $"{name}.key")).Load();

    // The script is bash and the nodes run on Linux: the tests run there too.
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static UnixFileMode KeyMode(string path) => File.GetUnixFileMode(path);

    private static void MakeCerts(string directory, params string[] names)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(Path.Combine(RepositoryRoot(), "deploy", "make-certs.sh"));
        start.ArgumentList.Add(directory);
        foreach (var name in names) start.ArgumentList.Add(name);
        using var process = Process.Start(start)!;
        string errors = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), "make-certs.sh did not finish within 60 s");
        Assert.True(process.ExitCode == 0, $"make-certs.sh failed: {errors}");
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "DistTrainer.sln"))) directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("DistTrainer.sln not found above the test's directory");
    }
}
