using System.Security.Cryptography;
using Akka.Actor;
using Akka.Cluster;
using DistTrainer.Cluster.Protocol;
using DistTrainer.Coordinator.ParameterServer;
using DistTrainer.Coordinator.Roster;
using DistTrainer.Coordinator.Scheduling;
using DistTrainer.Core.Training;
using Serilog;

namespace DistTrainer.Coordinator.Actors;

/// <summary>
/// The coordinator's membership handlers, in a file of their own: registration, workers joining a run under way,
/// and the cluster's and the data plane's news of a worker lost, whose outstanding shards go where the scheduler says.
/// </summary>
public sealed partial class CoordinatorActor
{
    /// <summary>Handlers the phases of a run under way share: a worker may join it, and a stop waits for the step in flight.</summary>
    private void Running()
    {
        Membership();
        Receive<WorkerConnected>(connected =>
        {
            if (_roster.Connect(connected.WorkerId))
                _log.Information("Worker {Worker} joined the run at step {Step}", connected.WorkerId, _meter.Step + 1);
        });
        Receive<StopTraining>(_ => _stopRequested = true);
    }

    /// <summary>Handlers every phase shares: registration and cluster membership.</summary>
    private void Membership()
    {
        Receive<RegisterWorker>(Register);
        Receive<WorkerWithdrew>(withdrew =>
        {
            _log.Warning("Worker {Worker} withdrew: {Reason}", withdrew.WorkerId, withdrew.Reason);
            Lose(withdrew.WorkerId, $"withdrew: {withdrew.Reason}", forget: true);
        });
        Receive<WorkerDisconnected>(disconnected => Lose(disconnected.WorkerId, $"data plane closed: {disconnected.Reason}", forget: false));
        Receive<ClusterEvent.UnreachableMember>(unreachable =>
        {
            foreach (var worker in _roster.WorkersOn(unreachable.Member.Address)) Lose(worker, "its node is unreachable", forget: false);
        });
        Receive<ClusterEvent.ReachableMember>(reachable => _roster.Reachable(reachable.Member.Address));
        Receive<ClusterEvent.MemberRemoved>(removed =>
        {
            foreach (var worker in _roster.WorkersOn(removed.Member.Address)) Lose(worker, "its node left the cluster", forget: true);
        });
    }

    private void Register(RegisterWorker register)
    {
        if (_roster.Register(register, Sender) is { } refusal)
        {
            Sender.Tell(new WorkerRefused(register.WorkerId, refusal));
            return;
        }
        // A new token on every registration: one the worker had before (or anyone overheard) opens nothing now.
        string token = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        _parameterServer.Tell(new AdmitWorker(register.WorkerId, token));
        Sender.Tell(new WorkerAccepted(register.WorkerId, _settings.Job, token));
    }

    private void Lose(string workerId, string reason, bool forget)
    {
        if (_roster.Lose(workerId, reason, forget) && _scheduler.Current is { } plan)
            RetryShards(plan, workerId, $"its worker was lost ({reason})");
    }
}
