using Akka.Actor;
using DistTrainer.Cluster.DataPlane;

namespace DistTrainer.Coordinator.ParameterServer;

/// <summary>
/// The parameter server's standby coordinators' streams, in a file of their own: admitted by the coordinator apart from
/// the workers, they take no part in the steps; each periodic checkpoint goes to them (<see cref="SnapshotFeed"/>).
/// </summary>
public sealed partial class ParameterServerActor
{
    /// <summary>A standby's stream only receives the periodic checkpoints: no weights, no shards, no word to the coordinator.</summary>
    private void ConnectStandby(TensorConnection connection)
    {
        if (_standbys.Accept(connection, connection.PeerToken) is { } refusal)
        {
            _log.Warning("Data plane: refused standby {Peer}: {Reason}", connection.Peer, refusal);
            connection.Refuse(refusal);
            return;
        }
        var self = Self;
        connection.Start((c, frame) => self.Tell(new FrameArrived(c, frame)), (c, closed) => self.Tell(new DataPlaneClosed(c, closed)));
        _log.Information("Data plane: standby coordinator {Standby} connected from {Peer}; it receives each periodic checkpoint",
            connection.PeerId, connection.Peer);
    }

    private bool ForgetStandby(DataPlaneClosed closed)
    {
        if (_standbys.Forget(closed.Connection) is not { } standby) return false;
        _log.Information("Data plane: standby coordinator {Standby} disconnected: {Reason}", standby, closed.Reason.Message);
        return true;
    }
}
