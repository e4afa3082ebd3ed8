using Akka.Actor;
using DistTrainer.Cluster.DataPlane;
using DistTrainer.Cluster.Hosting;
using DistTrainer.Cluster.Protocol;
using Serilog;

namespace DistTrainer.Coordinator.Standby;

/// <summary>
/// The node of a standby coordinator: role coordinator on a port of its own choosing, joined through the seed nodes,
/// with a <see cref="StandbyActor"/> where the coordinator would be. It holds no model and no data while it stands by,
/// only the active coordinator's newest checkpoint, received on the data plane into its state file;
/// the coordinator that takes over is started beside it (joining the cluster through it), and it leaves once that one
/// is up, so that the workers never find the cluster without a coordinator node.
/// </summary>
public sealed class StandbyNode : IAsyncDisposable
{
    private readonly ActorSystem _system;
    private readonly TaskCompletionSource<bool> _takeover = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ILogger _log;

    private StandbyNode(ClusterNodeOptions node, string? statePath, ILogger log)
    {
        _log = log.ForContext("Role", "standby");
        _system = ClusterNode.Start(node with { Port = 0, Roles = [ClusterRoles.Coordinator] }, log);
        var config = _system.Settings.Config;
        var state = statePath is null
            ? null
            : new StandbyState(statePath, StandbySettings.Create(config), DataPlaneOptions.Create(config, tls: node.Tls));
        _system.ActorOf(StandbyActor.Props(_takeover, state, _log), ActorNames.Coordinator);
    }

    /// <summary>The address the coordinator that takes over joins through.</summary>
    public string Address => Akka.Cluster.Cluster.Get(_system).SelfAddress.ToString();

    /// <summary>
    /// Starts the node; it joins through <paramref name="node"/>'s seed nodes and keeps the active coordinator's newest
    /// checkpoint in <paramref name="statePath"/> (none when null).
    /// </summary>
    public static StandbyNode Start(ClusterNodeOptions node, string? statePath, ILogger log)
    {
        var standby = new StandbyNode(node, statePath, log);
        standby._log.Information("Standby coordinator {Node}: standing by; it takes over if the active coordinator is lost", standby.Address);
        return standby;
    }

    /// <summary>
    /// Waits until this standby takes over, the active coordinator ends the run or <paramref name="stop"/> completes
    /// (<see cref="StandbyOutcome.Stood"/>), or this node is removed from the cluster before either.
    /// </summary>
    public StandbyOutcome WaitForTakeover(Task stop)
    {
        Task.WaitAny(_takeover.Task, stop);
        if (!_takeover.Task.IsCompleted) return StandbyOutcome.Stood;
        if (_takeover.Task.IsFaulted) return StandbyOutcome.Removed;
        return _takeover.Task.Result ? StandbyOutcome.TakeOver : StandbyOutcome.Stood;
    }

    public async ValueTask DisposeAsync() => await NodeLifecycle.LeaveAsync(_system, _log);
}
