namespace DistTrainer.Cluster.Protocol;

/// <summary>
/// A standby coordinator asks the active one for the run's state: <paramref name="Node"/> is its cluster address, and
/// names its data-plane stream. Sent again on a timer until accepted.
/// </summary>
public sealed record RegisterStandby(string Node, int ProtocolVersion) : IProtocolMessage;

/// <summary>
/// The active coordinator sends its periodic checkpoints to the standby: it connects to the parameter server's data
/// plane at <paramref name="DataPlaneHost"/>:<paramref name="DataPlanePort"/> presenting <paramref name="StreamToken"/>
/// in its Hello, with its <paramref name="Node"/> as the Hello's id.
/// </summary>
public sealed record StandbyAccepted(string Node, string StreamToken, string DataPlaneHost, int DataPlanePort) : IProtocolMessage;

/// <summary>The active coordinator will not send its state to this standby (another protocol version).</summary>
public sealed record StandbyRefused(string Node, string Reason) : IProtocolMessage;

/// <summary>
/// The active coordinator <paramref name="Node"/> rolls its run back on a fresh node of its own, which joins this cluster through
/// the standbys: a standby that sees it leave stands by for that node instead of taking the run over, unless none joins in time.
/// </summary>
public sealed record RollingBackOnFreshNode(string Node) : IProtocolMessage;
