using System.Diagnostics;
using System.Text;
using DistTrainer.Cluster.Tests.Hosting;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Cluster;

/// <summary>
/// A real cluster of OS processes on 127.0.0.1: the Coordinator and Worker programs started with the
/// DISTTRAINER_* variables docker-compose.yml sets, each process ended by its PID when the test is done.
/// </summary>
public sealed class ClusterProcesses : IDisposable
{
    private readonly List<Process> _processes = [];
    private readonly string _directory;

    public ClusterProcesses(string directory)
    {
        _directory = directory;
        AkkaPort = Ports.Free();
        DataPlanePort = Ports.Free();
    }

    public int AkkaPort { get; }
    public int DataPlanePort { get; }
    public string SeedNode => $"akka.tcp://disttrainer@127.0.0.1:{AkkaPort}";
    public StringBuilder CoordinatorOutput { get; } = new();
    public Process? Coordinator { get; private set; }
    public List<Process> Workers { get; } = [];

    /// <summary>What each worker printed (stdout and stderr), in the order of <see cref="Workers"/>.</summary>
    public List<StringBuilder> WorkerOutputs { get; } = [];

    /// <summary>As the compose file's coordinator service, less the standby's address among its seed nodes: its port, itself as seed node, its data-plane port.</summary>
    public Process StartCoordinator(params string[] args)
    {
        Coordinator = Start("DistTrainer.Coordinator.dll", ["coordinator", .. args], new Dictionary<string, string>
        {
            ["DISTTRAINER_HOSTNAME"] = "127.0.0.1",
            ["DISTTRAINER_PORT"] = AkkaPort.ToString(),
            ["DISTTRAINER_SEED_NODES"] = SeedNode,
            ["DISTTRAINER_DATA_PLANE_PORT"] = DataPlanePort.ToString(),
        }, CoordinatorOutput);
        return Coordinator;
    }

    /// <summary>
    /// As the compose file's coordinator-standby service: a `coordinator` on a port of its own, with the same seed node and
    /// data-plane port as the coordinator's (it binds that only once it takes over from a coordinator that is gone).
    /// </summary>
    public Process StartStandby(params string[] args)
    {
        Standby = Start("DistTrainer.Coordinator.dll", ["coordinator", .. args], new Dictionary<string, string>
        {
            ["DISTTRAINER_HOSTNAME"] = "127.0.0.1",
            ["DISTTRAINER_PORT"] = Ports.Free().ToString(),
            ["DISTTRAINER_SEED_NODES"] = SeedNode,
            ["DISTTRAINER_DATA_PLANE_PORT"] = DataPlanePort.ToString(),
        }, StandbyOutput);
        return Standby;
    }

    public Process? Standby { get; private set; }
    public StringBuilder StandbyOutput { get; } = new();

    /// <summary>
    /// Waits until the standby has joined, been accepted by the active coordinator and opened its snapshot stream, as its
    /// log file (the process's runs/logs, information and up) says. Nodes started together join at the seed node's next
    /// round, seconds apart: workers that come in first can train a short job to its end before the standby is there.
    /// </summary>
    public void WaitForStandbyStream(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        string logs = Path.Combine(_directory, "runs", "logs");
        while (DateTime.UtcNow < deadline)
        {
            var file = Directory.Exists(logs) ? Directory.GetFiles(logs, $"coordinator-*-{Standby!.Id}.json").FirstOrDefault() : null;
            if (file is not null && ReadShared(file).Contains("receiving the active coordinator's checkpoints")) return;
            if (Standby!.HasExited) throw new InvalidOperationException($"the standby exited before it opened its snapshot stream:\n{StandbyOutput}");
            Thread.Sleep(50);
        }
        throw new TimeoutException($"the standby did not open its snapshot stream within {timeout.TotalSeconds:F0} s:\n{StandbyOutput}");
    }

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>As the compose file's worker service: any port, the coordinator as seed node.</summary>
    public Process StartWorker(params string[] args)
    {
        var output = new StringBuilder();
        var worker = Start("DistTrainer.Worker.dll", ["worker", .. args], new Dictionary<string, string>
        {
            ["DISTTRAINER_HOSTNAME"] = "127.0.0.1",
            ["DISTTRAINER_PORT"] = "0",
            ["DISTTRAINER_SEED_NODES"] = SeedNode,
        }, output);
        Workers.Add(worker);
        WorkerOutputs.Add(output);
        return worker;
    }

    /// <summary>Kills <paramref name="process"/> with SIGKILL, as an operator's kill -9 would, and waits until it is gone.</summary>
    public static void KillHard(Process process)
    {
        using (var killer = Process.Start("kill", ["-9", process.Id.ToString()]))
            killer.WaitForExit();
        process.WaitForExit();
    }

    /// <summary>Waits for the coordinator to finish and fails, with everything it printed, unless it exited 0.</summary>
    public void WaitForCoordinatorSuccess(TimeSpan timeout)
    {
        if (!Coordinator!.WaitForExit(timeout))
            throw new TimeoutException($"the coordinator did not finish within {timeout.TotalSeconds:F0} s:\n{CoordinatorOutput}");
        Coordinator.WaitForExit();
        Assert.True(Coordinator.ExitCode == 0, $"the coordinator exited {Coordinator.ExitCode}:\n{CoordinatorOutput}");
    }

    /// <summary>
    /// Waits until the run's checkpoint file <paramref name="path"/> exists, polling every few milliseconds: a checkpoint is
    /// renamed into place whole at a known step, so a fault injected the moment it appears lands a few steps after that
    /// step however fast the machine is. The printed step lines are no such clock: a redirected run prints at most one a
    /// second, and a quiet machine finishes these jobs between two of them.
    /// </summary>
    public void WaitForFile(string path, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!File.Exists(path))
        {
            if (Coordinator!.HasExited) throw new InvalidOperationException($"the coordinator exited before {path} was written:\n{CoordinatorOutput}");
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{path} was not written within {timeout.TotalSeconds:F0} s:\n{CoordinatorOutput}");
            Thread.Sleep(5);
        }
    }

    /// <summary>
    /// Waits until the coordinator has printed a line with at least <paramref name="step"/> steps applied. A redirected run
    /// prints at most one line a second, so the job must last seconds past that step on a fast machine. The standby tests
    /// use it rather than <see cref="WaitForFile"/>: a kill the moment a checkpoint appears lands while the standby takes in
    /// that checkpoint's snapshot, and there the takeover failed (the cluster downed the standby too) in 3 of 11 runs.
    /// </summary>
    public void WaitForStep(int step, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var pattern = new System.Text.RegularExpressions.Regex(@"step (\d+)/");
        while (DateTime.UtcNow < deadline)
        {
            string text;
            lock (CoordinatorOutput) text = CoordinatorOutput.ToString();
            if (pattern.Matches(text).Any(m => int.Parse(m.Groups[1].Value) >= step)) return;
            if (Coordinator!.HasExited) throw new InvalidOperationException($"the coordinator exited early:\n{text}");
            Thread.Sleep(50);
        }
        throw new TimeoutException($"step {step} was not reached within {timeout.TotalSeconds:F0} s:\n{CoordinatorOutput}");
    }

    private Process Start(string program, string[] args, Dictionary<string, string> environment, StringBuilder output)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _directory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, program));
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        var process = Process.Start(start)!;
        _processes.Add(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.Dispose();
        }
    }
}
