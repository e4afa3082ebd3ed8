using Akka.Actor;
using Akka.Configuration;
using DistTrainer.Cluster.DataPlane;
using DistTrainer.Cluster.Hosting;
using DistTrainer.Cluster.Protocol;
using Serilog;

namespace DistTrainer.Coordinator.Standby;

/// <summary>
/// The node of a standby coordinator: roles coordinator and standby, on a port of its own choosing, joined through the seed nodes,
/// with a <see cref="StandbyActor"/> where the coordinator would be. It holds no model and no data while it stands by,
/// only the active coordinator's newest checkpoint, received on the data plane into its state file;
/// the coordinator that takes over is started beside it (joining the cluster through it), and it leaves once that one
/// is up, so that the workers never find the cluster without a coordinator node.
/// </summary>
public sealed class StandbyNode : IAsyncDisposable
{
    private readonly ActorSystem _system;
    private readonly TaskCompletionSource<bool> _takeover = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _joined = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ILogger _log;

    private StandbyNode(ClusterNodeOptions node, string? statePath, ILogger log, Config? overrides)
    {
        _log = log.ForContext("Role", "standby");
        _system = ClusterNode.Start(node with { Port = 0, Roles = [ClusterRoles.Coordinator, ClusterRoles.Standby] }, log, overrides);
        var config = _system.Settings.Config;
        Settings = StandbySettings.Create(config);
        var state = statePath is null ? null : new StandbyState(statePath, Settings, DataPlaneOptions.Create(config, tls: node.Tls));
        // "Standing by" is said at start, before the node has joined: this says when the cluster has it.
        Akka.Cluster.Cluster.Get(_system).RegisterOnMemberUp(() =>
        {
            _log.Information("Standby coordinator {Node}: up in the cluster", Address);
            _joined.TrySetResult();
        });
        _system.ActorOf(StandbyActor.Props(_takeover, Settings, state, _log), ActorNames.Coordinator);
    }

    /// <summary>The disttrainer.standby section of this node's configuration.</summary>
    public StandbySettings Settings { get; }

    /// <summary>The address the coordinator that takes over joins through.</summary>
    public string Address => Akka.Cluster.Cluster.Get(_system).SelfAddress.ToString();

    /// <summary>
    /// Starts the node; it joins through <paramref name="node"/>'s seed nodes and keeps the active coordinator's newest
    /// checkpoint in <paramref name="statePath"/> (none when null); <paramref name="overrides"/> go over the shipped configuration.
    /// </summary>
    public static StandbyNode Start(ClusterNodeOptions node, string? statePath, ILogger log, Config? overrides = null)
    {
        var standby = new StandbyNode(node, statePath, log, overrides);
        standby._log.Information("Standby coordinator {Node}: standing by; it takes over if the active coordinator is lost", standby.Address);
        return standby;
    }

    /// <summary>
    /// Waits until this standby takes over, the active coordinator ends the run or <paramref name="stop"/> completes
    /// (<see cref="StandbyOutcome.Stood"/>), or this node is removed from the cluster before either; a node not up
    /// within <paramref name="joinWithin"/> (<see cref="StandbySettings.JoinTimeout"/> when none is given) ends the wait
    /// with <see cref="StandbyOutcome.NotJoined"/>.
    /// </summary>
    public StandbyOutcome WaitForTakeover(Task stop, TimeSpan? joinWithin = null)
    {
        if (Task.WaitAny([_joined.Task, _takeover.Task, stop], joinWithin ?? Settings.JoinTimeout) < 0) return StandbyOutcome.NotJoined;
        Task.WaitAny(_takeover.Task, stop);
        if (!_takeover.Task.IsCompleted) return StandbyOutcome.Stood;
        if (_takeover.Task.IsFaulted) return StandbyOutcome.Removed;
        return _takeover.Task.Result ? StandbyOutcome.TakeOver : StandbyOutcome.Stood;
    }

    public async ValueTask DisposeAsync() => await NodeLifecycle.LeaveAsync(_system, _log);
}
