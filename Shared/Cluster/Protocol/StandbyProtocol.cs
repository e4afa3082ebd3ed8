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
