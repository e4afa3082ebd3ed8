using Akka.Actor;
using Akka.Cluster;
using DistTrainer.Cluster.Hosting;
using DistTrainer.Cluster.Protocol;
using Serilog;

namespace DistTrainer.Coordinator.Standby;

/// <summary>
/// A standby coordinator's actor, at the coordinator's path so that workers' registrations reach it: it accepts none
/// (it does not train). Standing by: waits until its node is up and no older coordinator node is in the cluster (the
/// active one crashed or was cut off, and the split-brain resolver removed it), then completes the takeover with true;
/// the active coordinator's word that the run is over completes it with false. Handing over: once the node that
/// takes over is up (it joins through this one), this node leaves the cluster.
/// </summary>
public sealed class StandbyActor : ReceiveActor
{
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly TaskCompletionSource<bool> _takeover;
    private readonly ILogger _log;

    public StandbyActor(TaskCompletionSource<bool> takeover, ILogger log)
    {
        _takeover = takeover;
        _log = log;
        StandingBy();
    }

    public static Props Props(TaskCompletionSource<bool> takeover, ILogger log) => Akka.Actor.Props.Create(() => new StandbyActor(takeover, log));

    protected override void PreStart() =>
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.IMemberEvent));

    protected override void PostStop()
    {
        _cluster.Unsubscribe(Self);
        _takeover.TrySetException(new InvalidOperationException("the standby's node stopped before it took over"));
    }

    private void StandingBy()
    {
        Receive<ClusterEvent.IMemberEvent>(_ =>
        {
            if (_cluster.SelfMember.Status != MemberStatus.Up || OtherCoordinators().Any(m => m.IsOlderThan(_cluster.SelfMember))) return;
            _log.Information("Standby coordinator {Node}: no older coordinator node is left in the cluster; taking over", _cluster.SelfAddress);
            _takeover.TrySetResult(true);
            Become(HandingOver);
        });
        Receive<TrainingFinished>(finished =>
        {
            _log.Information("Standby coordinator {Node}: the active coordinator ended the run ({Outcome})", _cluster.SelfAddress, finished.Outcome);
            _takeover.TrySetResult(false);
        });
        IgnoreRegistrations();
    }

    private void HandingOver()
    {
        Receive<ClusterEvent.MemberUp>(up =>
        {
            if (!up.Member.HasRole(ClusterRoles.Coordinator) || up.Member.Address == _cluster.SelfAddress) return;
            _log.Information("Standby coordinator {Node}: {Successor} is up; leaving the cluster to it", _cluster.SelfAddress, up.Member.Address);
            _cluster.Leave(_cluster.SelfAddress);
        });
        Receive<ClusterEvent.IMemberEvent>(_ => { });
        ReceiveAny(_ => { });
    }

    private void IgnoreRegistrations() =>
        Receive<RegisterWorker>(register =>
            _log.Debug("Standby coordinator: not accepting worker {Worker}; the active coordinator does", register.WorkerId));

    private IEnumerable<Member> OtherCoordinators() =>
        _cluster.State.Members.Where(m => m.HasRole(ClusterRoles.Coordinator) && m.Address != _cluster.SelfAddress &&
                                          m.Status is MemberStatus.Up or MemberStatus.Leaving or MemberStatus.Exiting);
}
