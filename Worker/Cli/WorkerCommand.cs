using System.Runtime.InteropServices;
using Akka.Actor;
using Akka.Configuration;
using DistTrainer.Cluster.Hosting;
using DistTrainer.Cluster.Protocol;
using DistTrainer.Worker.Actors;
using Serilog;

namespace DistTrainer.Worker.Cli;

/// <summary>
/// Runs one worker node until its actor system ends: the worker actor ends it when training
/// finished or when it gave up (its own timeouts bound every wait of the protocol), a signal
/// makes the node leave the cluster first.
/// </summary>
public static class WorkerCommand
{
    public const int Finished = 0;
    public const int GaveUp = 1;
    public const int Interrupted = 130;

    private static readonly TimeSpan LeaveTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan TerminateTimeout = TimeSpan.FromSeconds(10);

    // Akka's own hook would run the shutdown on a signal too, but inside the process exit, where the
    // exit code is no longer ours: this command handles the signals itself.
    private static readonly Config NoClrHook = ConfigurationFactory.ParseString("akka.coordinated-shutdown.run-by-clr-shutdown-hook = off");

    public static int Run(WorkerOptions options, ILogger log)
    {
        log = log.ForContext("Worker", options.WorkerId);
        var outcome = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var signalled = new TaskCompletionSource<PosixSignal>(TaskCreationOptions.RunContinuationsAsynchronously);
        // The first SIGINT/SIGTERM is ours to handle (leave, then stop); a second one ends the process at once.
        void OnSignal(PosixSignalContext context) => context.Cancel = signalled.TrySetResult(context.Signal);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

        using var system = ClusterNode.Start(options.ClusterNode, log, NoClrHook);
        var cluster = Akka.Cluster.Cluster.Get(system);
        system.ActorOf(WorkerActor.Props(options.Settings, log, outcome).WithDispatcher(Dispatchers.Step), ActorNames.Worker);
        log.Information("Worker {Worker} is node {Address}; joining through {Seeds}", options.WorkerId, cluster.SelfAddress,
            cluster.Settings.SeedNodes);

        Task.WaitAny(system.WhenTerminated, signalled.Task);
        if (signalled.Task.IsCompleted)
        {
            log.Warning("Received {Signal}: leaving the cluster", signalled.Task.Result);
            Leave(system, log);
            return Interrupted;
        }
        if (!outcome.Task.IsCompleted)
        {
            log.Error("The actor system stopped before the worker knew how training ended");
            return GaveUp;
        }
        return outcome.Task.Result is null ? Finished : GaveUp;
    }

    private static void Leave(ActorSystem system, ILogger log)
    {
        // Coordinated shutdown leaves the cluster (when this node joined one), waits for the removal
        // and terminates the actor system, each phase under its own timeout.
        if (CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClrExitReason.Instance).Wait(LeaveTimeout)) return;
        log.Warning("Leaving the cluster took over {Timeout} s; stopping anyway", LeaveTimeout.TotalSeconds);
        if (!system.Terminate().Wait(TerminateTimeout))
            log.Error("The actor system did not stop within {Timeout} s", TerminateTimeout.TotalSeconds);
    }
}
